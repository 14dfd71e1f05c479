/**
 * One ACL test, `FETCH[,converters] [flags] [patterns…]` (HAProxy 2.6's
 * `parse_acl_expr()`): the words after `acl NAME`, or inside `{ }`. The match
 * method is `-m` if given, else the ACL keyword's (`path_beg` is `path -m beg`),
 * else the one of the sample's type; a `var()` without `-m` is an error, as
 * in HAProxy. Patterns (and `-f` files) are compiled here, at load.
 */
import { aclKeyword, aclKeywordNames, FETCHES } from './fetches.ts';
import { compilePatterns, MATCH_METHODS, matchSample, type MatchMethod, type PatternSet } from './patterns.ts';
import { evaluateSample, parseSampleExpr, type SampleLoad } from './sample-expression.ts';
import { closestMatch } from '../config/suggest.ts';
import type { SampleContext, SampleExpr } from './sample.ts';

export interface AclTest {
  /** The test as written, for messages. */
  readonly text: string;
  readonly sample: SampleExpr;
  readonly patterns: PatternSet;
}

export type AclTestResult =
  | { readonly ok: true; readonly test: AclTest; readonly notice?: string }
  | { readonly ok: false; readonly problem: string; readonly hint?: string };

/** HAProxy's ACL names: letters, digits and `-_.:` (`acl a! …` is rejected). */
export const ACL_NAME = /^[A-Za-z0-9_.:-]+$/;

export function parseAclTest(words: readonly string[], load: SampleLoad): AclTestResult {
  const [first, ...rest] = words;
  if (first === undefined) return { ok: false, problem: 'missing fetch method in ACL expression', hint: 'e.g. path_beg /api' };

  // An ACL keyword (`path_beg(…)…`) is its fetch with a default match method.
  const keywordEnd = first.search(/[(,]/);
  const keyword = keywordEnd < 0 ? first : first.slice(0, keywordEnd);
  const alias = aclKeyword(keyword);
  if (!alias && !FETCHES.has(keyword)) {
    const near = closestMatch(keyword, [...aclKeywordNames(), ...FETCHES.keys()]);
    return { ok: false, problem: `unknown fetch method '${keyword}' in ACL expression`, ...(near ? { hint: `did you mean '${near}'?` } : {}) };
  }
  const exprText = alias ? alias.fetch + first.slice(keyword.length) : first;
  const parsed = parseSampleExpr(exprText, load);
  if (!parsed.ok) return parsed;
  const sample = { ...parsed.expr, text: first };

  let method: MatchMethod | undefined = alias && sample.converters.length === 0 ? alias.match : methodOfType(sample.type);
  let ignoreCase = false;
  const patterns: string[] = [];
  let index = 0;
  for (; index < rest.length; index++) {
    const flag = rest[index]!;
    if (!flag.startsWith('-')) break;
    if (flag === '--') {
      index++;
      break;
    }
    if (flag === '-i') ignoreCase = true;
    else if (flag === '-n' || flag === '-M') continue;
    else if (flag === '-u') index++;
    else if (flag === '-m') {
      if (patterns.length > 0) return { ok: false, problem: "'-m' must only be specified before patterns and files in parsing ACL expression" };
      const name = rest[index + 1];
      if (!name || !(MATCH_METHODS as readonly string[]).includes(name)) {
        const near = name ? closestMatch(name, MATCH_METHODS) : undefined;
        return { ok: false, problem: `unknown matching method '${name ?? ''}' when parsing ACL expression`, hint: `${near ? `did you mean '${near}'? ` : ''}expected one of ${MATCH_METHODS.join(', ')}` };
      }
      method = name as MatchMethod;
      index++;
    } else if (flag === '-f') {
      if (!method) return { ok: false, problem: `matching method must be specified first (using '-m') when using a sample fetch of this type ('${keyword}')` };
      const file = rest[index + 1];
      if (file === undefined) return { ok: false, problem: "'-f' expects a file name" };
      const read = readPatternFile(file, load);
      if (typeof read === 'string') return { ok: false, problem: read };
      patterns.push(...read);
      index++;
    } else {
      return { ok: false, problem: `'${flag}' is not a valid ACL option`, hint: "use '--' before any pattern beginning with a '-'" };
    }
  }
  patterns.push(...rest.slice(index));
  if (!method) return { ok: false, problem: `matching method must be specified first (using '-m') when using a sample fetch of this type ('${keyword}')`, hint: `e.g. ${first} -m str VALUE` };
  const compiled = compilePatterns(method, patterns, ignoreCase);
  if (!compiled.ok) return compiled;
  const text = words.join(' ');
  // HAProxy only warns about a test without patterns (it never matches).
  const neverMatches = patterns.length === 0 && method !== 'found' && method !== 'bool';
  return {
    ok: true,
    test: { text, sample, patterns: compiled.patterns },
    ...(neverMatches ? { notice: `ACL '${text}' has no pattern to match and never matches (HAProxy warns too; use '-m found' to test for presence)` } : {}),
  };
}

function methodOfType(type: SampleExpr['type']): MatchMethod | undefined {
  switch (type) {
    case 'bool':
      return 'bool';
    case 'int':
      return 'int';
    case 'ip':
      return 'ip';
    case 'str':
      return 'str';
    default:
      return undefined;
  }
}

/** `-f FILE`: one pattern per line, blank lines and `#` comments skipped, spaces around trimmed. */
function readPatternFile(file: string, load: SampleLoad): string[] | string {
  if (!load.readFile) return `cannot read pattern file '${file}' (no file access in this runtime)`;
  try {
    return load.readFile(file).split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  } catch (error) {
    return `failed to open pattern file '${file}': ${(error as Error).message}`;
  }
}

/** True when any value of the test's sample matches one of its patterns. */
export function aclTestMatches(test: AclTest, ctx: SampleContext): boolean {
  const patterns = test.patterns;
  const samples = evaluateSample(test.sample, ctx, true);
  for (const sample of samples) if (matchSample(sample, patterns)) return true;
  return false;
}

/** HAProxy 2.6's predefined ACLs (manual 7.4), as the tests they stand for. */
const PREDEFINED_TEXT: Readonly<Record<string, string>> = {
  FALSE: 'always_false',
  TRUE: 'always_true',
  HTTP: 'always_true',
  'HTTP_1.0': 'req.ver 1.0',
  'HTTP_1.1': 'req.ver 1.1',
  'HTTP_2.0': 'req.ver 2.0',
  'HTTP_3.0': 'req.ver 3.0',
  HTTP_CONTENT: 'hdr_val(content-length) gt 0',
  HTTP_URL_ABS: 'url_reg ^[^/:]*://',
  HTTP_URL_SLASH: 'url_beg /',
  HTTP_URL_STAR: 'url *',
  LOCALHOST: 'src 127.0.0.1/8 ::1',
  METH_CONNECT: 'method CONNECT',
  METH_DELETE: 'method DELETE',
  METH_GET: 'method GET HEAD',
  METH_HEAD: 'method HEAD',
  METH_OPTIONS: 'method OPTIONS',
  METH_POST: 'method POST',
  METH_PUT: 'method PUT',
  METH_TRACE: 'method TRACE',
  // Rules run once the whole request head is in, so "wait until the end" always holds.
  WAIT_END: 'always_true',
  // Bodies and RDP cookies are not inspected at admission: never true here.
  REQ_CONTENT: 'always_false',
  RDP_COOKIE: 'always_false',
};

const predefinedCache = new Map<string, AclTest>();

/** A predefined ACL by name; undefined when `name` is not one. */
export function predefinedAcl(name: string): AclTest | undefined {
  if (!Object.hasOwn(PREDEFINED_TEXT, name)) return undefined;
  const text = PREDEFINED_TEXT[name]!;
  let test = predefinedCache.get(name);
  if (!test) {
    const parsed = parseAclTest(text.split(' '), { phase: 'any', readFile: undefined });
    if (!parsed.ok) throw new Error(`predefined ACL ${name}: ${parsed.problem}`);
    test = { ...parsed.test, text: name };
    predefinedCache.set(name, test);
  }
  return test;
}

export const PREDEFINED_ACLS = Object.keys(PREDEFINED_TEXT);
