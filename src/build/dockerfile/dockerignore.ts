// `.dockerignore` with docker's rules: `#` comments, blank lines skipped, patterns cleaned like Go's
// filepath.Clean with a leading `/` dropped, `*`/`?`/`[...]` within one path segment, `**` across
// segments, `!` exceptions where the last matching pattern wins, and a pattern that matches a
// directory also matches everything below it.
import path from 'node:path';

export function readDockerignore(text: string): string[] {
  const out: string[] = [];
  for (const line of text.replace(/^\uFEFF/, '').split('\n')) {
    if (line.startsWith('#')) continue;
    let pattern = line.trim();
    if (pattern === '') continue;
    const invert = pattern.startsWith('!');
    if (invert) pattern = pattern.slice(1).trim();
    if (pattern.length > 0) {
      pattern = path.posix.normalize(pattern).replace(/\/$/, '') || '.';
      if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
    }
    out.push(invert ? `!${pattern}` : pattern);
  }
  return out;
}

type Compiled =
  | { type: 'exact'; text: string }
  | { type: 'prefix'; text: string }
  | { type: 'suffix'; text: string }
  | { type: 'regexp'; re: RegExp };

interface Pattern {
  exclusion: boolean;
  dirs: number;
  compiled: Compiled;
}

function compile(pattern: string): Compiled {
  let re = '^';
  let type: 'exact' | 'prefix' | 'suffix' | 'regexp' = 'exact';
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    if (ch === '*') {
      if (chars[i + 1] === '*') {
        const start = i;
        i++;
        if (chars[i + 1] === '/') i++;
        if (i + 1 >= chars.length) {
          if (type === 'exact') type = 'prefix';
          else {
            re += '.*';
            type = 'regexp';
          }
        } else {
          re += '(.*/)?';
          type = 'regexp';
        }
        // `**` as the very first token: a suffix match (`**/x` matches x at any depth).
        if (start === 0) type = 'suffix';
      } else {
        re += '[^/]*';
        type = 'regexp';
      }
    } else if (ch === '?') {
      re += '[^/]';
      type = 'regexp';
    } else if ('.+()|{}$'.includes(ch)) {
      re += `\\${ch}`;
    } else if (ch === '\\') {
      if (i + 1 < chars.length) {
        re += `\\${chars[++i]}`;
        type = 'regexp';
      } else re += '\\\\';
    } else if (ch === '[' || ch === ']') {
      re += ch;
      type = 'regexp';
    } else {
      re += ch;
    }
  }
  switch (type) {
    case 'exact':
      return { type, text: pattern };
    case 'prefix':
      return { type, text: pattern.slice(0, -2) };
    case 'suffix':
      return { type, text: pattern.slice(2) };
    default:
      return { type, re: new RegExp(re + '$') };
  }
}

function matchOne(p: Compiled, file: string): boolean {
  switch (p.type) {
    case 'exact':
      return file === p.text;
    case 'prefix':
      return file.startsWith(p.text);
    case 'suffix':
      return file.endsWith(p.text) || (p.text.startsWith('/') && file === p.text.slice(1));
    case 'regexp':
      return p.re.test(file);
  }
}

export class PatternMatcher {
  private readonly patterns: Pattern[] = [];
  /** True when some pattern is a `!` exception: excluded directories must still be walked. */
  readonly hasExceptions: boolean;

  constructor(patterns: string[]) {
    for (let p of patterns) {
      p = p.trim();
      if (p === '') continue;
      p = path.posix.normalize(p).replace(/(.)\/$/, '$1');
      let exclusion = false;
      if (p.startsWith('!')) {
        if (p.length === 1) throw new Error('illegal exclusion pattern: "!"');
        exclusion = true;
        p = p.slice(1);
      }
      this.patterns.push({ exclusion, dirs: p.split('/').length, compiled: compile(p) });
    }
    this.hasExceptions = this.patterns.some((p) => p.exclusion);
  }

  /** Whether a context-relative path (slash separated) is excluded, itself or through a parent. */
  matches(file: string): boolean {
    file = path.posix.normalize(file);
    if (file === '.') return false;
    const parent = path.posix.dirname(file);
    const parentDirs = parent.split('/');
    let matched = false;
    for (const pattern of this.patterns) {
      if (pattern.exclusion !== matched) continue;
      let match = matchOne(pattern.compiled, file);
      if (!match && parent !== '.') {
        for (let i = 0; i < parentDirs.length && !match; i++) {
          match = matchOne(pattern.compiled, parentDirs.slice(0, i + 1).join('/'));
        }
      }
      if (match) matched = !pattern.exclusion;
    }
    return matched;
  }
}
