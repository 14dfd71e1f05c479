/**
 * Converters (HAProxy 2.6 manual, 7.3.1) edge-balancer implements. Their
 * arguments are checked and compiled at load (`prepare`): regexes compile
 * and map files are read then, never while a request waits.
 */
import { compileRegex, matchString } from './patterns.ts';
import { int, sampleInteger, sampleText, str, type MapTable, type Sample, type SampleArg, type SampleType } from './sample.ts';

export interface ConverterLoad {
  /** Reads a file named in the configuration (map files), relative as the config loader resolves it. */
  readonly readFile: ((path: string) => string) | undefined;
}

export type Prepared = { readonly ok: true; readonly args: readonly SampleArg[] } | { readonly ok: false; readonly problem: string; readonly hint?: string };

export interface ConverterDef {
  readonly input: SampleType;
  readonly type: SampleType;
  /** Minimum and maximum number of arguments. */
  readonly arity: readonly [number, number];
  readonly prepare?: (args: readonly string[], load: ConverterLoad) => Prepared;
  /** undefined: the conversion fails (the sample is lost, as in HAProxy). */
  readonly run: (sample: Sample, args: readonly SampleArg[]) => Sample | undefined;
}

const text = (run: (value: string, args: readonly SampleArg[]) => string | undefined, arity: readonly [number, number] = [0, 0], prepare?: ConverterDef['prepare']): ConverterDef => ({
  input: 'str',
  type: 'str',
  arity,
  ...(prepare ? { prepare } : {}),
  run: (sample, args) => {
    const out = run(sampleText(sample), args);
    return out === undefined ? undefined : str(out);
  },
});

function integers(names: readonly string[]): ConverterDef['prepare'] {
  return (args) => {
    const out: SampleArg[] = [];
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!;
      if (names[i] === 'int') {
        if (!/^-?\d+$/.test(arg)) return { ok: false, problem: `argument ${i + 1} must be an integer, got '${arg}'` };
        out.push(Number(arg));
      } else out.push(arg);
    }
    return { ok: true, args: out };
  };
}

/**
 * `field(index,delimiters[,count])` and `word(…)` as HAProxy's
 * `sample_conv_field()`: fields counted from 1 (negative from the end),
 * `count` fields kept with the delimiters between them (0: up to the end);
 * `word` skips empty fields. A field that does not exist fails the sample.
 */
function pieces(value: string, args: readonly SampleArg[], skipEmpty: boolean): string | undefined {
  const [index, delimiters, count = 1] = args as [number, string, number?];
  if (index === 0) return undefined;
  const spans: [number, number][] = [];
  let start = 0;
  for (let i = 0; i <= value.length; i++) {
    if (i === value.length || delimiters.includes(value[i]!)) {
      if (!skipEmpty || i > start) spans.push([start, i]);
      start = i + 1;
    }
  }
  const at = index > 0 ? index - 1 : spans.length + index;
  if (at < 0 || at >= spans.length) return undefined;
  const [first, last] = index > 0
    ? [at, count === 0 ? spans.length - 1 : Math.min(spans.length - 1, at + count - 1)]
    : [count === 0 ? 0 : Math.max(0, at - count + 1), at];
  return value.slice(spans[first]![0], spans[last]![1]);
}

function loadMap(file: string, load: ConverterLoad): MapTable | string {
  if (!load.readFile) return `cannot read map file '${file}' (no file access in this runtime)`;
  let content: string;
  try {
    content = load.readFile(file);
  } catch (error) {
    return `failed to open map file '${file}': ${(error as Error).message}`;
  }
  const entries: [string, string][] = [];
  for (const rawLine of content.split('\n')) {
    const line = rawLine.replace(/\r$/, '').replace(/^[ \t]+/, '');
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(\S+)(?:[ \t]+(.*?))?[ \t]*$/.exec(line);
    if (match) entries.push([match[1]!, match[2] ?? '']);
  }
  const exact = new Map<string, string>();
  for (const [key, value] of entries) if (!exact.has(key)) exact.set(key, value);
  return { kind: 'map', file, entries, exact };
}

type MapMethod = 'str' | 'beg' | 'end' | 'sub' | 'dir' | 'dom' | 'reg';

function mapConverter(method: MapMethod, output: 'str' | 'int'): ConverterDef {
  return {
    input: 'str',
    type: output,
    arity: [1, 2],
    prepare: (args, load) => {
      const table = loadMap(args[0]!, load);
      if (typeof table === 'string') return { ok: false, problem: table };
      if (method === 'reg') {
        for (const [key] of table.entries) {
          const regex = compileRegex(key, false);
          if (typeof regex === 'string') return { ok: false, problem: `map file '${table.file}': ${regex}` };
        }
      }
      if (output === 'int') {
        const bad = table.entries.find(([, v]) => !/^-?\d+$/.test(v));
        if (bad) return { ok: false, problem: `map file '${table.file}': value '${bad[1]}' of key '${bad[0]}' is not an integer` };
        if (args[1] !== undefined && !/^-?\d+$/.test(args[1])) return { ok: false, problem: `default value '${args[1]}' is not an integer` };
      }
      return { ok: true, args: args[1] === undefined ? [table] : [table, args[1]] };
    },
    run: (sample, [table, fallback]) => {
      const found = lookupMap(table as MapTable, sampleText(sample), method);
      const value = found ?? (fallback === undefined ? undefined : String(fallback));
      if (value === undefined) return undefined;
      return output === 'int' ? int(Number(value)) : str(value);
    },
  };
}

const regexCache = new WeakMap<MapTable, RegExp[]>();

/** `map_str` exact; `map_beg` the longest prefix (HAProxy indexes it as a prefix tree); the others the first entry in file order. */
export function lookupMap(table: MapTable, key: string, method: MapMethod): string | undefined {
  switch (method) {
    case 'str':
      return table.exact.get(key);
    case 'beg': {
      let best: readonly [string, string] | undefined;
      for (const entry of table.entries) if (key.startsWith(entry[0]) && (!best || entry[0].length > best[0].length)) best = entry;
      return best?.[1];
    }
    case 'reg': {
      let regexes = regexCache.get(table);
      if (!regexes) {
        regexes = table.entries.map(([k]) => new RegExp(k));
        regexCache.set(table, regexes);
      }
      const index = regexes.findIndex((r) => r.test(key));
      return index < 0 ? undefined : table.entries[index]![1];
    }
    default:
      return table.entries.find(([k]) => matchString(method, key, k))?.[1];
  }
}

function urlDecode(value: string, inForm: boolean): string | undefined {
  const bytes: number[] = [];
  let inQuery = inForm;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '?') inQuery = true;
    if (c === '%') {
      const hex = value.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (c === '+' && inQuery) bytes.push(0x20);
    else bytes.push(...new TextEncoder().encode(c));
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

function jsonEscape(value: string): string {
  let out = '';
  for (const c of value) {
    const code = c.codePointAt(0)!;
    if (c === '"') out += '\\"';
    else if (c === '\\') out += '\\\\';
    else if (c === '/') out += '\\/';
    else if (c === '\b') out += '\\b';
    else if (c === '\f') out += '\\f';
    else if (c === '\r') out += '\\r';
    else if (c === '\n') out += '\\n';
    else if (c === '\t') out += '\\t';
    else if (code < 0x20 || code > 0x7e) {
      // HAProxy's default input is ASCII: every byte outside the printable range is \u00XX.
      for (const byte of new TextEncoder().encode(c)) out += `\\u00${byte.toString(16).padStart(2, '0')}`;
    } else out += c;
  }
  return out;
}

function base64(value: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(value)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** `regsub(REGEX,SUBST[,FLAGS])`: `\1`…`\9` in SUBST are the groups; flags `i` and `g`. */
function prepareRegsub(args: readonly string[]): Prepared {
  const [source, substitution, flags = ''] = args as [string, string, string?];
  if (!/^[ig]*$/.test(flags)) return { ok: false, problem: `invalid regex flags '${flags}'`, hint: "only 'i' and 'g'" };
  const regex = compileRegex(source, flags.includes('i'));
  if (typeof regex === 'string') return { ok: false, problem: regex };
  const replacement = substitution.replace(/\$/g, '$$$$').replace(/\\([0-9])/g, '$$$1');
  return { ok: true, args: [regex, replacement, flags.includes('g') ? 1 : 0] };
}

/**
 * The loaded configuration is frozen, and a global regex writes its
 * `lastIndex`: the `g` form is a private copy made on first use.
 */
const globalCopies = new WeakMap<RegExp, RegExp>();
function regsub(value: string, regex: RegExp, replacement: string, global: boolean): string {
  if (!global) return value.replace(regex, replacement);
  let copy = globalCopies.get(regex);
  if (!copy) {
    copy = new RegExp(regex.source, `${regex.flags}g`);
    globalCopies.set(regex, copy);
  }
  return value.replace(copy, replacement);
}

export const CONVERTERS: ReadonlyMap<string, ConverterDef> = new Map<string, ConverterDef>([
  ['lower', text((v) => v.toLowerCase())],
  ['upper', text((v) => v.toUpperCase())],
  ['regsub', text((v, [regex, replacement, global]) => regsub(v, regex as RegExp, replacement as string, global === 1), [2, 3], prepareRegsub)],
  ['field', text((v, args) => pieces(v, args, false), [2, 3], integers(['int', 'str', 'int']))],
  ['word', text((v, args) => pieces(v, args, true), [2, 3], integers(['int', 'str', 'int']))],
  ['base64', text(base64)],
  ['json', text(jsonEscape, [0, 1])],
  // `+` is a space in a form (`url_dec(1)`), otherwise only after a `?`.
  ['url_dec', text((v, [inForm]) => urlDecode(v, inForm !== undefined && inForm !== 0), [0, 1], integers(['int']))],
  ['length', { input: 'str', type: 'int', arity: [0, 0], run: (s) => int(sampleText(s).length) }],
  ['add', { input: 'int', type: 'int', arity: [1, 1], prepare: integers(['int']), run: (s, [n]) => withInt(s, (v) => v + (n as number)) }],
  ['sub', { input: 'int', type: 'int', arity: [1, 1], prepare: integers(['int']), run: (s, [n]) => withInt(s, (v) => v - (n as number)) }],
  ['map', mapConverter('str', 'str')],
  ['map_str', mapConverter('str', 'str')],
  ['map_beg', mapConverter('beg', 'str')],
  ['map_end', mapConverter('end', 'str')],
  ['map_sub', mapConverter('sub', 'str')],
  ['map_dir', mapConverter('dir', 'str')],
  ['map_dom', mapConverter('dom', 'str')],
  ['map_reg', mapConverter('reg', 'str')],
  ['map_str_int', mapConverter('str', 'int')],
  ['map_beg_int', mapConverter('beg', 'int')],
]);

function withInt(sample: Sample, f: (n: number) => number): Sample | undefined {
  const n = sampleInteger(sample);
  return n === undefined ? undefined : int(f(n));
}
