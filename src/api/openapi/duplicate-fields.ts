// JSON.parse keeps the last of two equal keys silently; kube-apiserver's strict decoder reports
// them (`duplicate field "spec.replicas"`). This scans the request text for such keys, with paths
// in the strict decoder's format. Malformed text yields no findings: parsing reports that error.

export function findDuplicateFields(text: string): string[] {
  const out: string[] = [];
  let i = 0;

  function skipSpace(): void {
    while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  }

  function readString(): string {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  }

  function value(path: string): void {
    skipSpace();
    const c = text[i];
    if (c === '{') {
      i++;
      const seen = new Set<string>();
      skipSpace();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        skipSpace();
        if (text[i] !== '"') throw new SyntaxError('key expected');
        const key = readString();
        const child = path ? `${path}.${key}` : key;
        if (seen.has(key)) out.push(child);
        seen.add(key);
        skipSpace();
        if (text[i++] !== ':') throw new SyntaxError(': expected');
        value(child);
        skipSpace();
        const next = text[i++];
        if (next === '}') return;
        if (next !== ',') throw new SyntaxError(', expected');
      }
    }
    if (c === '[') {
      i++;
      skipSpace();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (let index = 0; ; index++) {
        value(`${path}[${index}]`);
        skipSpace();
        const next = text[i++];
        if (next === ']') return;
        if (next !== ',') throw new SyntaxError(', expected');
      }
    }
    if (c === '"') {
      readString();
      return;
    }
    while (i < text.length && !',}] \n\r\t'.includes(text[i]!)) i++;
  }

  try {
    value('');
  } catch {
    return [];
  }
  return out;
}
