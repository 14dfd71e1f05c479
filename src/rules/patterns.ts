/**
 * ACL pattern matching, as HAProxy 2.6's `pat_match_*` functions (src/pattern.c):
 * patterns are parsed and compiled at load for one method, then a sample
 * matches when any pattern matches. `-i` folds case for the string methods
 * and regexes.
 */
import { parseAddress } from '../proxy/ip-address.ts';
import { sampleInteger, sampleText, type Sample } from './sample.ts';

export type MatchMethod = 'found' | 'bool' | 'int' | 'ip' | 'len' | 'str' | 'beg' | 'end' | 'sub' | 'dir' | 'dom' | 'reg';

export const MATCH_METHODS: readonly MatchMethod[] = ['found', 'bool', 'int', 'ip', 'len', 'str', 'beg', 'end', 'sub', 'dir', 'dom', 'reg'];

/** An integer range; either end may be open (`:10`, `5:`). */
export interface IntRange {
  readonly min?: number;
  readonly max?: number;
}

export interface Network {
  /** 4 or 16 bytes. */
  readonly bytes: readonly number[];
  readonly bits: number;
}

export type PatternSet =
  | { readonly method: 'found' | 'bool' }
  | { readonly method: 'int' | 'len'; readonly ranges: readonly IntRange[] }
  | { readonly method: 'ip'; readonly networks: readonly Network[] }
  | { readonly method: 'reg'; readonly regexes: readonly RegExp[] }
  | { readonly method: 'str' | 'beg' | 'end' | 'sub' | 'dir' | 'dom'; readonly ignoreCase: boolean; readonly values: readonly string[] };

export type PatternsResult = { readonly ok: true; readonly patterns: PatternSet } | { readonly ok: false; readonly problem: string; readonly hint?: string };

const OPERATORS = ['eq', 'ge', 'gt', 'le', 'lt'];

/** Compiles `words` (already split into patterns) for `method`. */
export function compilePatterns(method: MatchMethod, words: readonly string[], ignoreCase: boolean): PatternsResult {
  switch (method) {
    case 'found':
    case 'bool':
      // HAProxy ignores patterns for these; a value given is almost surely a slip.
      if (words.length > 0) return { ok: false, problem: `'-m ${method}' takes no pattern, got '${words[0]}'` };
      return { ok: true, patterns: { method } };
    case 'int':
    case 'len':
      return compileRanges(method, words);
    case 'ip':
      return compileNetworks(words);
    case 'reg': {
      const regexes: RegExp[] = [];
      for (const word of words) {
        const regex = compileRegex(word, ignoreCase);
        if (typeof regex === 'string') return { ok: false, problem: regex };
        regexes.push(regex);
      }
      return { ok: true, patterns: { method, regexes } };
    }
    default:
      return { ok: true, patterns: { method, ignoreCase, values: ignoreCase ? words.map((w) => w.toLowerCase()) : [...words] } };
  }
}

/** A regex as HAProxy compiles it with PCRE; the message when it does not compile. */
export function compileRegex(source: string, ignoreCase: boolean): RegExp | string {
  try {
    return new RegExp(source, ignoreCase ? 'i' : '');
  } catch (error) {
    return `regex '${source}' does not compile: ${(error as Error).message}`;
  }
}

function compileRanges(method: 'int' | 'len', words: readonly string[]): PatternsResult {
  const ranges: IntRange[] = [];
  let operator = 'eq';
  for (const word of words) {
    if (OPERATORS.includes(word)) {
      operator = word;
      continue;
    }
    const range = /^(-?\d+)?:(-?\d+)?$/.exec(word);
    if (range && (range[1] !== undefined || range[2] !== undefined)) {
      ranges.push({ ...(range[1] !== undefined ? { min: Number(range[1]) } : {}), ...(range[2] !== undefined ? { max: Number(range[2]) } : {}) });
      continue;
    }
    if (!/^-?\d+$/.test(word)) return { ok: false, problem: `'${word}' is neither a number nor a supported operator`, hint: 'e.g. 200, 400:499, ge 500' };
    const n = Number(word);
    ranges.push(
      operator === 'eq' ? { min: n, max: n }
        : operator === 'ge' ? { min: n }
          : operator === 'gt' ? { min: n + 1 }
            : operator === 'le' ? { max: n }
              : { max: n - 1 },
    );
  }
  return { ok: true, patterns: { method, ranges } };
}

function compileNetworks(words: readonly string[]): PatternsResult {
  const networks: Network[] = [];
  for (const word of words) {
    const network = parseNetwork(word);
    if (!network) return { ok: false, problem: `'${word}' is not a valid IPv4 or IPv6 address`, hint: 'e.g. 10.0.0.0/8, 192.168.1.1, ::1 (host names are not resolved by edge-balancer)' };
    networks.push(network);
  }
  return { ok: true, patterns: { method: 'ip', networks } };
}

/** `a.b.c.d`, `a.b.c.d/n`, `a.b.c.d/m.m.m.m`, `x::y[/n]`. */
export function parseNetwork(text: string): Network | undefined {
  const slash = text.indexOf('/');
  const bytes = parseAddress(slash < 0 ? text : text.slice(0, slash));
  if (!bytes) return undefined;
  if (slash < 0) return { bytes, bits: bytes.length * 8 };
  const mask = text.slice(slash + 1);
  if (/^\d{1,3}$/.test(mask) && Number(mask) <= bytes.length * 8) return { bytes, bits: Number(mask) };
  const dotted = bytes.length === 4 ? parseAddress(mask) : undefined;
  if (dotted?.length === 4) {
    const bits = dotted.reduce((n, b) => n * 256 + b, 0).toString(2).padStart(32, '0');
    if (/^1*0*$/.test(bits)) return { bytes, bits: bits.indexOf('0') < 0 ? 32 : bits.indexOf('0') };
  }
  return undefined;
}

export function addressInNetworks(address: string, networks: readonly Network[]): boolean {
  const bytes = parseAddress(address);
  if (!bytes) return false;
  return networks.some((network) => network.bytes.length === bytes.length && samePrefix(bytes, network.bytes, network.bits));
}

function samePrefix(a: readonly number[], b: readonly number[], bits: number): boolean {
  for (let i = 0; i < a.length; i++) {
    const take = Math.max(0, Math.min(8, bits - i * 8));
    if (take === 0) return true;
    const mask = (0xff << (8 - take)) & 0xff;
    if ((a[i]! & mask) !== (b[i]! & mask)) return false;
  }
  return true;
}

/** True when `sample` matches one of the patterns. */
export function matchSample(sample: Sample, patterns: PatternSet): boolean {
  switch (patterns.method) {
    case 'found':
      return true;
    case 'bool':
      return (sampleInteger(sample) ?? 0) !== 0;
    case 'int': {
      const n = sampleInteger(sample);
      return n !== undefined && patterns.ranges.some((r) => inRange(n, r));
    }
    case 'len': {
      const n = sampleText(sample).length;
      return patterns.ranges.some((r) => inRange(n, r));
    }
    case 'ip':
      return addressInNetworks(sampleText(sample), patterns.networks);
    case 'reg': {
      const text = sampleText(sample);
      return patterns.regexes.some((r) => r.test(text));
    }
    default: {
      const raw = sampleText(sample);
      const text = patterns.ignoreCase ? raw.toLowerCase() : raw;
      return patterns.values.some((value) => matchString(patterns.method, text, value));
    }
  }
}

function inRange(n: number, range: IntRange): boolean {
  return (range.min === undefined || n >= range.min) && (range.max === undefined || n <= range.max);
}

/** The string methods; `text` and `pattern` are already case-folded when `-i` applies. */
export function matchString(method: 'str' | 'beg' | 'end' | 'sub' | 'dir' | 'dom', text: string, pattern: string): boolean {
  switch (method) {
    case 'str':
      return text === pattern;
    case 'beg':
      return text.startsWith(pattern);
    case 'end':
      return text.endsWith(pattern);
    case 'sub':
      return text.includes(pattern);
    case 'dir':
      return matchWord(text, pattern, '/?');
    case 'dom':
      return matchWord(text, pattern, '/?.:');
  }
}

/**
 * HAProxy's `match_word()`: the pattern, without delimiters at either end,
 * appears in the text with a delimiter (or the text's start) before it and a
 * delimiter after it; at the last position where it fits no delimiter is
 * needed after it.
 */
function matchWord(text: string, rawPattern: string, delimiters: string): boolean {
  let start = 0;
  let end = rawPattern.length;
  while (start < end && delimiters.includes(rawPattern[start]!)) start++;
  while (end > start && delimiters.includes(rawPattern[end - 1]!)) end--;
  const pattern = rawPattern.slice(start, end);
  const length = pattern.length;
  if (length > text.length) return false;
  const last = text.length - length;
  let mayMatch = true;
  for (let c = 0; c <= last; c++) {
    if (delimiters.includes(text[c]!)) {
      mayMatch = true;
      continue;
    }
    if (!mayMatch) continue;
    if (text.startsWith(pattern, c) && (c === last || delimiters.includes(text[c + length]!))) return true;
    mayMatch = false;
  }
  return false;
}
