/**
 * `fetch(args),converter(args),…` as HAProxy 2.6 reads it (`sample_parse_expr()`
 * and `make_arg_list()`): arguments are separated by commas up to the closing
 * parenthesis; double and single quotes protect commas and parentheses;
 * backslash escapes `\\`, space, quotes, and gives `\r \n \t`; any other
 * backslash is kept (so regexes keep theirs).
 */
import { CONVERTERS, type ConverterLoad } from './converters.ts';
import { FETCHES, type ArgKind, type Phase } from './fetches.ts';
import { closestMatch } from '../config/suggest.ts';
import { int, sampleInteger, type Sample, type SampleArg, type SampleContext, type SampleExpr, type SampleType } from './sample.ts';

export interface SampleLoad extends ConverterLoad {
  /** Where the expression is used: a response fetch in a request rule is an error at load. */
  readonly phase: Phase;
  /** Called for each userlist or backend an expression names, so the loader can check it exists. */
  readonly reference?: (kind: 'userlist' | 'backend', name: string) => void;
}

export type SampleExprResult = { readonly ok: true; readonly expr: SampleExpr } | { readonly ok: false; readonly problem: string; readonly hint?: string };

const ID_CHAR = /[A-Za-z0-9._+\-$]/;
const VAR_SCOPES = ['proc', 'sess', 'txn', 'req', 'res'];

/** Splits `(a,b)` starting at `text[start] === '('`; returns the arguments and the index after `)`. */
export function readArguments(text: string, start: number): { args: string[]; end: number } | { problem: string } {
  const args: string[] = [];
  let i = start + 1;
  let current = '';
  let single = false;
  let double = false;
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' && !single) double = !double;
    else if (c === "'" && !double) single = !single;
    else if (c === '\\' && !single && i + 1 < text.length) {
      const next = text[i + 1]!;
      if (next === '\\' || next === ' ' || next === '"' || next === "'") current += next;
      else if (next === 'r') current += '\r';
      else if (next === 'n') current += '\n';
      else if (next === 't') current += '\t';
      else {
        current += c;
        continue;
      }
      i++;
    } else if (!single && !double && (c === ',' || c === ')')) {
      args.push(current);
      current = '';
      if (c === ')') return { args: args.length === 1 && args[0] === '' ? [] : args, end: i + 1 };
    } else current += c;
  }
  return { problem: single || double ? 'unmatched quote in arguments' : "missing closing ')' after arguments" };
}

function readName(text: string, start: number): string {
  let end = start;
  while (end < text.length && ID_CHAR.test(text[end]!)) end++;
  return text.slice(start, end);
}

/** Parses and checks `text`; every problem is reported as HAProxy would at load. */
export function parseSampleExpr(text: string, load: SampleLoad): SampleExprResult {
  const name = readName(text, 0);
  if (name === '') return { ok: false, problem: `'${text}' is not a sample expression`, hint: 'e.g. hdr(host),lower' };
  const fetch = FETCHES.get(name);
  if (!fetch) return { ok: false, problem: `unknown fetch method '${name}'`, ...suggest(name, [...FETCHES.keys()]) };
  let position = name.length;
  let rawArgs: string[] = [];
  if (text[position] === '(') {
    const read = readArguments(text, position);
    if ('problem' in read) return { ok: false, problem: `fetch method '${name}': ${read.problem}` };
    rawArgs = read.args;
    position = read.end;
  }
  if (fetch.phase !== 'any' && load.phase !== 'any' && fetch.phase !== load.phase) {
    return {
      ok: false,
      problem: `fetch method '${name}' extracts information from the HTTP ${fetch.phase}, none of which is available in ${load.phase} rules`,
      hint: fetch.phase === 'response' ? 'use it in http-response rules' : 'capture it into a txn variable in http-request rules',
    };
  }
  const fetchArgs = checkFetchArgs(name, rawArgs, fetch.args, fetch.required, load);
  if (typeof fetchArgs === 'string') return { ok: false, problem: fetchArgs };

  const converters: { name: string; args: SampleArg[] }[] = [];
  let type: SampleType = fetch.type;
  while (position < text.length) {
    if (text[position] !== ',') return { ok: false, problem: `missing comma after ${converters.length ? `converter '${converters.at(-1)!.name}'` : `fetch method '${name}'`} in '${text}'` };
    while (text[position] === ',') position++;
    if (position >= text.length) break;
    const convName = readName(text, position);
    const converter = CONVERTERS.get(convName);
    if (!converter) return { ok: false, problem: `unknown converter '${convName || text.slice(position)}'`, ...suggest(convName, [...CONVERTERS.keys()]) };
    position += convName.length;
    let args: string[] = [];
    if (text[position] === '(') {
      const read = readArguments(text, position);
      if ('problem' in read) return { ok: false, problem: `converter '${convName}': ${read.problem}` };
      args = read.args;
      position = read.end;
    }
    const [min, max] = converter.arity;
    if (args.length < min || args.length > max) {
      return { ok: false, problem: `converter '${convName}' expects ${min === max ? min : `${min} to ${max}`} argument(s), got ${args.length}` };
    }
    const prepared = converter.prepare ? converter.prepare(args, load) : { ok: true as const, args };
    if (!prepared.ok) return { ok: false, problem: `converter '${convName}': ${prepared.problem}`, ...(prepared.hint ? { hint: prepared.hint } : {}) };
    converters.push({ name: convName, args: [...prepared.args] });
    type = converter.type;
  }
  return { ok: true, expr: { text, fetch: { name, args: fetchArgs }, converters, type } };
}

function suggest(word: string, candidates: readonly string[]): { hint?: string } {
  const near = closestMatch(word, candidates);
  return near ? { hint: `did you mean '${near}'?` } : {};
}

function checkFetchArgs(name: string, args: readonly string[], kinds: readonly ArgKind[], required: number, load: SampleLoad): SampleArg[] | string {
  if (args.length < required) return `fetch method '${name}' expects at least ${required} argument(s)`;
  if (args.length > kinds.length) return `fetch method '${name}' expects at most ${kinds.length} argument(s), got ${args.length}`;
  const out: SampleArg[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    switch (kinds[i]) {
      case 'int':
        if (!/^[+-]?\d+$/.test(arg)) return `fetch method '${name}': argument ${i + 1} must be an integer, got '${arg}'`;
        out.push(Number(arg));
        break;
      case 'var': {
        const dot = arg.indexOf('.');
        if (dot < 0 || !VAR_SCOPES.includes(arg.slice(0, dot)) || dot === arg.length - 1) {
          return `invalid variable name '${arg}': expected SCOPE.NAME with SCOPE one of ${VAR_SCOPES.join(', ')}`;
        }
        out.push(arg);
        break;
      }
      case 'userlist':
      case 'backend':
        load.reference?.(kinds[i] as 'userlist' | 'backend', arg);
        out.push(arg);
        break;
      default:
        out.push(arg);
    }
  }
  return out;
}

/**
 * The samples of an expression: every value of the fetch when `all` (ACLs),
 * else the one a sample expression takes; each value goes through the
 * converters, and a failing conversion drops it.
 */
export function evaluateSample(expr: SampleExpr, ctx: SampleContext, all: boolean): Sample[] {
  const fetch = FETCHES.get(expr.fetch.name)!;
  let values = fetch.values(ctx, expr.fetch.args);
  if (!all && values.length > 1) values = [fetch.pick === 'first' ? values[0]! : values.at(-1)!];
  if (fetch.convert) values = values.flatMap((value) => fetch.convert!(value) ?? []);
  if (expr.converters.length === 0) return values;
  const out: Sample[] = [];
  for (const value of values) {
    let sample: Sample | undefined = value;
    for (const call of expr.converters) {
      const converter = CONVERTERS.get(call.name)!;
      if (converter.input === 'int' && sample.type !== 'int') {
        const n = sampleInteger(sample);
        sample = n === undefined ? undefined : int(n);
        if (!sample) break;
      }
      sample = converter.run(sample, call.args);
      if (!sample) break;
    }
    if (sample) out.push(sample);
  }
  return out;
}

/** One sample of an expression, or undefined when it fails (`%[…]`, `set-var`). */
export function evaluateOne(expr: SampleExpr, ctx: SampleContext): Sample | undefined {
  return evaluateSample(expr, ctx, false)[0];
}
