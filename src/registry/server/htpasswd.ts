// Basic auth against an Apache htpasswd file with bcrypt entries, as distribution's htpasswd
// access controller accepts (`htpasswd -B`, `$2y$`/`$2a$`/`$2b$`). Other hash kinds are refused at load.
import fs from 'node:fs';
import bcrypt from 'bcryptjs';

export class Htpasswd {
  private readonly users = new Map<string, string>();
  /** user:password pairs already checked, so each request does not pay bcrypt's cost again. */
  private readonly verified = new Set<string>();

  constructor(text: string) {
    for (const [i, raw] of text.split('\n').entries()) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      const colon = line.indexOf(':');
      const hash = line.slice(colon + 1);
      if (colon <= 0 || !/^\$2[aby]\$/.test(hash)) {
        throw new Error(`htpasswd line ${i + 1}: only bcrypt entries (htpasswd -B) are supported`);
      }
      this.users.set(line.slice(0, colon), hash);
    }
  }

  static load(file: string): Htpasswd {
    return new Htpasswd(fs.readFileSync(file, 'utf8'));
  }

  async check(user: string, password: string): Promise<boolean> {
    const hash = this.users.get(user);
    if (!hash) return false;
    const key = `${user}\0${password}`;
    if (this.verified.has(key)) return true;
    const ok = await bcrypt.compare(password, hash);
    if (ok) this.verified.add(key);
    return ok;
  }

  /** Parses an `Authorization: Basic …` header and checks it. */
  async checkHeader(header: string | undefined): Promise<boolean> {
    const m = /^Basic\s+(\S+)$/i.exec(header ?? '');
    if (!m) return false;
    const decoded = Buffer.from(m[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    return this.check(decoded.slice(0, colon), decoded.slice(colon + 1));
  }
}
