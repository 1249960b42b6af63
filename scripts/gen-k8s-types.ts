// Generates src/api/openapi/types.gen.ts, skiff's type model of the built-in Kubernetes types, from
// the Go sources of kubernetes/api and kubernetes/apimachinery (the Go struct tags carry JSON names,
// omitempty, protobuf field numbers and patch strategies; the doc comments carry descriptions and the
// +optional/+listType/+enum markers that kube-openapi turns into OpenAPI).
//
// Usage (sources at the Kubernetes minor skiff reports, e.g. v0.33.1):
//   git -C kubernetes-api archive v0.33.1 | tar -x -C /tmp/api
//   git -C kubernetes-apimachinery archive v0.33.1 pkg/apis/meta/v1 | tar -x -C /tmp/apimachinery
//   npx tsx scripts/gen-k8s-types.ts /tmp/api /tmp/apimachinery

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FieldDef, TypeDef } from '../src/api/openapi/model.js';

/** kubernetes/api packages whose types skiff serves or accepts (kinds, subresources, reviews). */
const API_PACKAGES = [
  'core/v1',
  'apps/v1',
  'batch/v1',
  'networking/v1',
  'discovery/v1',
  'coordination/v1',
  'events/v1',
  'storage/v1',
  'autoscaling/v1',
  'autoscaling/v2',
  'policy/v1',
  'scheduling/v1',
  'rbac/v1',
  'authorization/v1',
  'authentication/v1',
];

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

/** Types whose JSON and protobuf forms are written by hand in Kubernetes (custom marshalers). */
const SPECIAL: Record<string, TypeDef> = {
  [`${META}.Time`]: {
    special: 'Time',
    description: 'Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON.  Wrappers are provided for many of the factory methods that the time package offers.',
  },
  [`${META}.MicroTime`]: { special: 'MicroTime', description: 'MicroTime is version of Time with microsecond level precision.' },
  [`${META}.Duration`]: { special: 'Duration', description: 'Duration is a wrapper around time.Duration which supports correct marshaling to YAML and JSON.' },
  [`${META}.FieldsV1`]: {
    special: 'FieldsV1',
    description:
      "FieldsV1 stores a set of fields in a data structure like a Trie, in JSON format.\n\nEach key is either a '.' representing the field itself, and will always map to an empty set, or a string representing a sub-field or item. The string will follow one of these four formats: 'f:<name>', where <name> is the name of a field in a struct, or key in a map 'v:<value>', where <value> is the exact json formatted value of a list item 'i:<index>', where <index> is position of a item in a list 'k:<keys>', where <keys> is a map of  a list item's key fields to their unique values If a key maps to an empty Fields value, the field that key represents is part of the set.\n\nThe exact format is defined in sigs.k8s.io/structured-merge-diff",
  },
  'io.k8s.apimachinery.pkg.api.resource.Quantity': {
    special: 'Quantity',
    description:
      'Quantity is a fixed-point representation of a number. It provides convenient marshaling/unmarshaling in JSON and YAML, in addition to String() and AsInt64() accessors.\n\nThe serialization format is:\n\n``` <quantity>        ::= <signedNumber><suffix>\n\n\t(Note that <suffix> may be empty, from the "" case in <decimalSI>.)\n\n<digit>           ::= 0 | 1 | ... | 9 <digits>          ::= <digit> | <digit><digits> <number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits> <sign>            ::= "+" | "-" <signedNumber>    ::= <number> | <sign><number> <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI> <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei\n\n\t(International System of units; See: http://physics.nist.gov/cuu/Units/binary.html)\n\n<decimalSI>       ::= m | "" | k | M | G | T | P | E\n\n\t(Note that 1024 = 1Ki but 1000 = 1k; I didn\'t choose the capitalization.)\n\n<decimalExponent> ::= "e" <signedNumber> | "E" <signedNumber> ```',
  },
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': {
    special: 'IntOrString',
    description: 'IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.',
  },
  'io.k8s.apimachinery.pkg.runtime.RawExtension': {
    special: 'RawExtension',
    description: 'RawExtension is used to hold extensions in external versions.',
  },
};

interface GoField {
  goName: string;
  goType: string;
  tags: Record<string, string>;
  doc: string[];
}

interface GoType {
  pkg: string;
  name: string;
  doc: string[];
  /** The Go type after `type Name`: "struct" or e.g. "string", "[]string", "map[ResourceName]resource.Quantity". */
  underlying: string;
  fields: GoField[];
  imports: Map<string, string>;
}

/** Definition-name prefix for a Go import path: k8s.io/api/core/v1 → io.k8s.api.core.v1. */
function packageId(importPath: string): string {
  const [host, ...rest] = importPath.split('/');
  return [...host!.split('.').reverse(), ...rest].join('.');
}

function parseTags(raw: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const m of raw.matchAll(/(\w+):"([^"]*)"/g)) tags[m[1]!] = m[2]!;
  return tags;
}

function parseImports(source: string): Map<string, string> {
  const imports = new Map<string, string>();
  const block = /^import \(([\s\S]*?)^\)/m.exec(source)?.[1] ?? /^import (.*)$/m.exec(source)?.[1] ?? '';
  for (const line of block.split('\n')) {
    const m = /^\s*(\w+\s+)?"([^"]+)"/.exec(line);
    if (!m) continue;
    const alias = m[1]?.trim() || m[2]!.split('/').pop()!;
    imports.set(alias, m[2]!);
  }
  return imports;
}

/** The `//` comment block directly above line `index`. */
function docAbove(lines: string[], index: number): string[] {
  const doc: string[] = [];
  for (let i = index - 1; i >= 0; i--) {
    const m = /^\s*\/\/ ?(.*)$/.exec(lines[i]!);
    if (!m) break;
    doc.unshift(m[1]!);
  }
  return doc;
}

interface EnumValue {
  value: string;
  /** The constant's doc comment without its leading Go name, as kube-openapi lists it. */
  comment: string;
}

function parseFile(pkg: string, source: string, types: GoType[], consts: Map<string, EnumValue[]>): void {
  const imports = parseImports(source);
  const lines = source.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const decl = /^type (\w+) (.+?)\s*(\{)?\s*$/.exec(lines[i]!);
    if (decl) {
      const type: GoType = { pkg, name: decl[1]!, doc: docAbove(lines, i), underlying: decl[2]!.trim(), fields: [], imports };
      if (type.underlying === 'struct') {
        let doc: string[] = [];
        for (i++; i < lines.length && lines[i] !== '}'; i++) {
          const line = lines[i]!;
          const comment = /^\s*\/\/ ?(.*)$/.exec(line);
          if (comment) {
            doc.push(comment[1]!);
            continue;
          }
          const field = /^\t(?:(\w+)\s+)?([\w.*[\]]+)\s+`(.*)`/.exec(line);
          if (field) type.fields.push({ goName: field[1] ?? '', goType: field[2]!, tags: parseTags(field[3]!), doc });
          // A tagged field this parser cannot read would silently vanish from schemas and protobuf;
          // only untyped values (meta/v1 Table cells, never in protobuf) are expected here.
          else if (line.includes('`json:') && !line.includes('interface{}')) throw new Error(`${pkg}.${type.name}: cannot parse field: ${line.trim()}`);
          doc = [];
        }
      }
      types.push(type);
      continue;
    }
    const constant = /^\t(\w+)\s+(\w+)\s*=\s*"([^"]*)"/.exec(lines[i]!);
    if (constant) {
      const key = `${pkg}.${constant[2]}`;
      const comment = (description(docAbove(lines, i)) ?? '').replace(new RegExp(`^${constant[1]}\\b\\s*`), '');
      consts.set(key, [...(consts.get(key) ?? []), { value: constant[3]!, comment }]);
    }
  }
}

/**
 * kube-openapi's rendering of a Go doc comment: marker and TODO lines dropped, lines joined by
 * spaces, blank lines kept as paragraph breaks, indented lines kept on their own line.
 */
function description(doc: string[]): string | undefined {
  let out = '';
  for (const raw of doc) {
    if (raw === '---') break;
    const line = raw.trimEnd();
    const leading = line.trimStart();
    if (line.length === 0) {
      out = `${out.slice(0, -1)}\n\n`;
    } else if (leading.startsWith('TODO') || leading.startsWith('+')) {
      continue;
    } else if (line.startsWith(' ') || line.startsWith('\t')) {
      out = `${out.slice(0, -1)}\n${line}\n`;
    } else {
      out += `${line} `;
    }
  }
  const text = out.replace(/^\n+/, '').replace(/\n+$/, '').trim();
  return text || undefined;
}

function markers(doc: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of doc) {
    const m = /^\s*\+([\w.:-]+)(?:=(.*))?$/.exec(line);
    if (m) out.set(m[1]!, m[2] ?? '');
  }
  return out;
}

function generate(apiRoot: string, machineryRoot: string): Record<string, TypeDef> {
  const goTypes: GoType[] = [];
  const consts = new Map<string, EnumValue[]>();
  const groups = new Map<string, { group: string; version: string }>();
  const sources: Array<{ dir: string; importPath: string }> = [
    ...API_PACKAGES.map((p) => ({ dir: path.join(apiRoot, p), importPath: `k8s.io/api/${p}` })),
    { dir: path.join(machineryRoot, 'pkg/apis/meta/v1'), importPath: 'k8s.io/apimachinery/pkg/apis/meta/v1' },
  ];
  for (const { dir, importPath } of sources) {
    const pkg = packageId(importPath);
    for (const file of readdirSync(dir)) {
      if (!file.endsWith('.go') || file.endsWith('_test.go') || file.startsWith('zz_generated') || file.includes('generated')) continue;
      const source = readFileSync(path.join(dir, file), 'utf8');
      const groupName = /const GroupName = "([^"]*)"/.exec(source);
      if (groupName) groups.set(pkg, { group: groupName[1]!, version: importPath.split('/').pop()! });
      parseFile(pkg, source, goTypes, consts);
    }
  }
  // meta/v1 kinds (Status, DeleteOptions, Table…) are registered as meta.k8s.io/v1 and in every group-version.
  groups.set(META, { group: 'meta.k8s.io', version: 'v1' });

  const byName = new Map(goTypes.map((t) => [`${t.pkg}.${t.name}`, t]));

  /** Resolves a Go type expression written in package `from` into a TypeRef plus enum values. */
  function resolve(goType: string, from: GoType): { ref: string; enum?: EnumValue[] } {
    const bare = goType.replace(/^\*/, '');
    if (bare === '[]byte') return { ref: 'bytes' };
    if (bare.startsWith('[]')) return { ref: `[]${resolve(bare.slice(2), from).ref}` };
    const map = /^map\[[^\]]+\](.+)$/.exec(bare);
    if (map) return { ref: `{}${resolve(map[1]!, from).ref}` };
    if (['string', 'bool', 'int32', 'int64', 'float64'].includes(bare)) return { ref: bare };
    if (bare === 'int') return { ref: 'int64' };
    const dot = bare.indexOf('.');
    const qualified = dot < 0 ? `${from.pkg}.${bare}` : `${packageId(from.imports.get(bare.slice(0, dot)) ?? bare.slice(0, dot))}${bare.slice(dot)}`;
    if (qualified === 'io.k8s.apimachinery.pkg.types.UID' || qualified === 'io.k8s.apimachinery.pkg.types.NodeName') return { ref: 'string' };
    if (SPECIAL[qualified]) return { ref: qualified };
    const named = byName.get(qualified);
    if (!named) throw new Error(`unresolved Go type ${goType} in ${from.pkg}.${from.name}`);
    if (named.underlying === 'struct') return { ref: qualified };
    if (named.underlying.startsWith('[]') && named.underlying !== '[]byte') return { ref: qualified };
    const underlying = resolve(named.underlying, named);
    const enumValues = markers(named.doc).has('enum') ? consts.get(qualified) : undefined;
    return enumValues ? { ref: underlying.ref, enum: [...enumValues].sort((a, b) => (a.value < b.value ? -1 : 1)) } : underlying;
  }

  const defs: Record<string, TypeDef> = { ...SPECIAL };
  for (const t of goTypes) {
    const name = `${t.pkg}.${t.name}`;
    if (SPECIAL[name]) continue;
    if (t.underlying.startsWith('[]') && t.underlying !== '[]byte') {
      defs[name] = { listOf: resolve(t.underlying.slice(2), t).ref, description: description(t.doc) };
      continue;
    }
    if (t.underlying !== 'struct') continue;
    const fields: FieldDef[] = [];
    let isKind = false;
    for (const f of t.fields) {
      const json = f.tags['json'];
      if (json === undefined || json === '-') continue;
      const [jsonName, ...opts] = json.split(',');
      const inline = opts.includes('inline');
      if (inline && f.goType.endsWith('TypeMeta')) isKind = true;
      const { ref, enum: enumValues } = resolve(f.goType, t);
      const m = markers(f.doc);
      const protoNumber = f.tags['protobuf'] ? Number(f.tags['protobuf'].split(',')[1]) : undefined;
      const field: FieldDef = { name: inline ? '' : jsonName!, type: ref };
      if (protoNumber !== undefined) field.proto = protoNumber;
      // kube-openapi appends the enum's values, each with its constant's comment, to the description.
      const enumLines = enumValues?.map((v) => ` - \`${JSON.stringify(v.value)}\`${v.comment ? ` ${v.comment}` : ''}`);
      const desc = [description(f.doc), enumLines ? `Possible enum values:\n${enumLines.join('\n')}` : undefined].filter(Boolean).join('\n\n');
      if (desc) field.description = desc;
      if (opts.includes('omitempty')) field.omitempty = true;
      if (f.goType.startsWith('*')) field.pointer = true;
      if (!inline && !opts.includes('omitempty') && !m.has('optional')) field.required = true;
      if (enumValues) field.enum = enumValues.map((v) => v.value);
      if (f.tags['patchStrategy']) field.patchStrategy = f.tags['patchStrategy'];
      if (f.tags['patchMergeKey']) field.patchMergeKey = f.tags['patchMergeKey'];
      if (m.get('listType')) field.listType = m.get('listType');
      const mapKeys = f.doc.flatMap((line) => /^\s*\+listMapKey=(.+)$/.exec(line)?.[1] ?? []);
      if (mapKeys.length) field.listMapKeys = mapKeys;
      if (m.get('mapType')) field.mapType = m.get('mapType');
      fields.push(field);
    }
    const def: TypeDef = { fields };
    const desc = description(t.doc);
    if (desc) def.description = desc;
    const gv = groups.get(t.pkg);
    if (isKind && gv) def.gvk = [{ group: gv.group, version: gv.version, kind: t.name }];
    const structType = markers(t.doc).get('structType');
    if (structType) def.structType = structType;
    defs[name] = def;
  }
  return defs;
}

const [apiRoot, machineryRoot] = process.argv.slice(2);
if (!apiRoot || !machineryRoot) {
  console.error('usage: tsx scripts/gen-k8s-types.ts <kubernetes/api checkout> <kubernetes/apimachinery checkout>');
  process.exit(2);
}
const types = generate(apiRoot, machineryRoot);
const out = path.join(path.dirname(fileURLToPath(import.meta.url)), '../src/api/openapi/types.gen.ts');
const json = JSON.stringify({ types });
writeFileSync(
  out,
  `// Generated by scripts/gen-k8s-types.ts from kubernetes/api and kubernetes/apimachinery; do not edit.\n` +
    `// Kept as one JSON string so the TypeScript compiler does not type-check a megabyte of literals.\n` +
    `export const TYPES: unknown = JSON.parse(${JSON.stringify(json)});\n`,
);
console.log(`${Object.keys(types).length} types, ${json.length} bytes -> ${out}`);
