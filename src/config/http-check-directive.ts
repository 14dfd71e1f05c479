/**
 * `http-check send | expect | disable-on-404`, as HAProxy 2.6 parses them
 * (tcpcheck.c: `proxy_parse_httpcheck()`, `parse_tcpcheck_send_http()`,
 * `parse_tcpcheck_expect()`). They refine `option httpchk`; without it
 * HAProxy ignores them, which parse-haproxy.ts reports once per proxy.
 */
import { fail, noExtraWords, type DirectiveContext } from './directive-context.ts';
import type { ProxyDraft } from './proxy-draft.ts';
import { expectedOneOf } from './suggest.ts';
import type { HeaderMatch, HttpCheckExpect } from './types.ts';
import { compileRegex } from '../rules/patterns.ts';

const RULES = ['send', 'expect', 'disable-on-404'];
const EXPECT_KINDS = ['status', 'rstatus', 'string', 'rstring', 'hdr', 'fhdr'];
/** Accepted by HAProxy and not by edge-balancer: a precise error instead of "unknown". */
const UNSUPPORTED_EXPECT_WORDS = ['string-lf', 'on-success', 'on-error', 'ok-status', 'error-status', 'tout-status', 'status-code', 'custom'];

/** Applies one `http-check …` line; `appliesToBackend` reports the line in a frontend. */
export function applyHttpCheck(draft: ProxyDraft, ctx: DirectiveContext, appliesToBackend: () => boolean): void {
  const action = ctx.words[1];
  switch (action) {
    case 'send':
      return applyHttpCheckSend(draft, ctx, appliesToBackend);
    case 'expect': {
      const expect = parseHttpCheckExpect(ctx);
      if (!expect || !appliesToBackend()) return;
      // The first local line replaces what `defaults` gave; later ones add to it (all must pass).
      if (!draft.httpCheckExpect || draft.httpCheckExpect.inherited) draft.httpCheckExpect = { value: [expect], source: ctx.at, inherited: false };
      else draft.httpCheckExpect.value.push(expect);
      return;
    }
    case 'disable-on-404':
      // HAProxy: "'http-check' cannot handle unexpected argument 'x'".
      if (!noExtraWords(ctx, 'http-check', 2)) return;
      if (appliesToBackend()) draft.disableOn404 = { value: true, source: ctx.at };
      return;
    default:
      return void fail(ctx, 'http-check', `unknown http-check rule '${action ?? ''}'`, expectedOneOf(action ?? '', RULES, ['connect', 'comment', 'set-var', 'unset-var']));
  }
}

/**
 * `http-check expect [min-recv N] [comment C] [!] KIND PATTERN`. Problems are
 * worded as HAProxy's (`'status' expects a <pattern> as argument`, `invalid
 * range of status codes '300-200'`, `only on pattern expected`).
 */
export function parseHttpCheckExpect(ctx: DirectiveContext): HttpCheckExpect | undefined {
  const directive = 'http-check expect';
  const args = ctx.words.slice(2);
  if (args.length === 0) return fail(ctx, directive, 'expects at least a matching pattern as arguments', 'e.g. http-check expect status 200');
  let inverse = false;
  let expect: HttpCheckExpect | undefined;
  for (let i = 0; i < args.length; i++) {
    let word = args[i]!;
    if (word.startsWith('!')) {
      // `!status`, `! status` and `!!status` are all HAProxy's: each `!` flips.
      while (word.startsWith('!')) {
        inverse = !inverse;
        word = word.slice(1);
      }
      if (word === '') continue;
    }
    const next = args[i + 1];
    if (word === 'min-recv' || word === 'comment') {
      // `min-recv`: edge-balancer reads up to 16 KB of body before matching anyway; `comment` only shows in logs.
      if (next === undefined) return fail(ctx, directive, `'${word}' expects ${word === 'comment' ? 'a string' : 'an integer'} as argument`);
      if (word === 'min-recv' && !/^-?\d+$/.test(next)) return fail(ctx, directive, "'min-recv' expects -1 or an integer from 0 to INT_MAX");
      i++;
      continue;
    }
    if (UNSUPPORTED_EXPECT_WORDS.includes(word)) {
      return fail(ctx, directive, `'${word}' is not supported by edge-balancer`, `supported: [!]${EXPECT_KINDS.join(', [!]')}, min-recv, comment`);
    }
    if (!EXPECT_KINDS.includes(word)) {
      return fail(
        ctx,
        directive,
        `'only supports min-recv, [!]string', '[!]rstring', '[!]string-lf', '[!]status', '[!]rstatus', [!]hdr, [!]fhdr or comment but got '${word}' as argument.`,
        expectedOneOf(word, EXPECT_KINDS),
      );
    }
    if (expect) return fail(ctx, directive, 'only on pattern expected', 'one status, rstatus, string, rstring or hdr per line; write several lines to require several');
    if (word === 'hdr' || word === 'fhdr') {
      const parsed = parseHeaderExpect(ctx, args, i, word === 'fhdr');
      if (!parsed) return undefined;
      expect = parsed.expect;
      i = parsed.last;
      continue;
    }
    if (next === undefined || next === '') return fail(ctx, directive, `'${word}' expects a <pattern> as argument`, `e.g. http-check expect ${word} ${word.includes('status') ? '200' : 'OK'}`);
    i++;
    if (word === 'status') {
      const ranges = parseStatusCodes(next);
      if (typeof ranges === 'string') return fail(ctx, directive, ranges, 'e.g. 200, 200-399 or 200,302');
      expect = { inverse: false, kind: 'status', ranges };
    } else if (word === 'string') {
      expect = { inverse: false, kind: 'string', text: next };
    } else {
      const regex = compileRegex(next, false);
      if (typeof regex === 'string') return fail(ctx, directive, regex);
      expect = { inverse: false, kind: word === 'rstatus' ? 'rstatus' : 'rstring', regex };
    }
  }
  if (!expect) return fail(ctx, directive, 'expects at least a matching pattern as arguments', 'e.g. http-check expect status 200');
  return { ...expect, inverse };
}

/**
 * HAProxy's list of status codes: `C` or `C1-C2`, comma-separated, each number
 * read as `read_uint()` does (digits up to the first other character, none
 * being 0), so `200,` adds a harmless 0.
 */
function parseStatusCodes(pattern: string): [number, number][] | string {
  const ranges: [number, number][] = [];
  let p = 0;
  const readUint = () => {
    let n = 0;
    while (p < pattern.length && pattern[p]! >= '0' && pattern[p]! <= '9') n = Math.min(n * 10 + Number(pattern[p++]), 2 ** 32 - 1);
    return n;
  };
  for (;;) {
    const low = readUint();
    let high = low;
    if (pattern[p] === '-') {
      p++;
      high = readUint();
    }
    if (low > high) return `invalid range of status codes '${pattern}'`;
    ranges.push([low, high]);
    if (p === pattern.length) return ranges;
    if (pattern[p] !== ',') return `invalid character '${pattern[p]}' in the list of status codes`;
    p++;
  }
}

/** `hdr|fhdr name [-m METH] PATTERN [value [-m METH] PATTERN]`, from `args[at]`; `last` is the index of its last word. */
function parseHeaderExpect(
  ctx: DirectiveContext,
  args: readonly string[],
  at: number,
  fullLine: boolean,
): { expect: HttpCheckExpect & { kind: 'header' }; last: number } | undefined {
  const directive = 'http-check expect';
  const keyword = args[at]!;
  if (args[at + 1] !== 'name' || args[at + 2] === undefined) {
    return fail(ctx, directive, `'${keyword}' expects at the name keyword as first argument followed by a pattern`, `e.g. ${keyword} name x-ready value yes`);
  }
  let i = at + 2;
  const readMatch = (): HeaderMatch | undefined => {
    let method = 'str';
    if (args[i] === '-m') {
      method = args[i + 1] ?? '';
      if (!['str', 'beg', 'end', 'sub', 'reg'].includes(method)) {
        return fail(ctx, directive, `'${keyword}' : '-m' only supports 'str', 'beg', 'end', 'sub' or 'reg' (got '${method}')`);
      }
      i += 2;
    }
    const pattern = args[i];
    if (pattern === undefined) return fail(ctx, directive, `'${keyword}' expect a pattern after -m ${method}`);
    if (method !== 'reg') return { method: method as 'str' | 'beg' | 'end' | 'sub', text: pattern };
    const regex = compileRegex(pattern, false);
    return typeof regex === 'string' ? fail(ctx, directive, regex) : { method: 'reg', regex };
  };
  const name = readMatch();
  if (!name) return undefined;
  if (args[i + 1] !== 'value') return { expect: { inverse: false, kind: 'header', name, fullLine }, last: i };
  i += 2;
  if (args[i] === undefined) return fail(ctx, directive, `'${keyword}' expect a pattern with the value keyword`);
  const value = readMatch();
  if (!value) return undefined;
  return { expect: { inverse: false, kind: 'header', name, value, fullLine }, last: i };
}

/**
 * `http-check send [meth M] [uri U] [ver V] [hdr NAME VALUE]…`: the check's
 * request. As in HAProxy, headers are sent only with `ver HTTP/1.1` (an
 * HTTP/1.0 check has none).
 */
function applyHttpCheckSend(draft: ProxyDraft, ctx: DirectiveContext, appliesToBackend: () => boolean): void {
  const args = ctx.words.slice(2);
  const send: { method?: string; uri?: string; version?: string; headers: [string, string][] } = { headers: [] };
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    const next = args[i + 1];
    if (word === 'meth' || word === 'uri' || word === 'ver') {
      if (next === undefined) return void fail(ctx, 'http-check send', `'${word}' expects a value`);
      if (word === 'meth') send.method = next;
      else if (word === 'uri') send.uri = next;
      else send.version = next;
      i++;
    } else if (word === 'hdr') {
      const headerValue = args[i + 2];
      if (next === undefined || headerValue === undefined) return void fail(ctx, 'http-check send', "'hdr' expects <name> <value>");
      send.headers.push([next, headerValue]);
      i += 2;
    } else if (word === 'body' || word === 'body-lf' || word === 'uri-lf' || word === 'hdr-lf') {
      return void fail(ctx, 'http-check send', `'${word}' is not supported by edge-balancer`, 'use meth, uri, ver and hdr');
    } else {
      return void fail(ctx, 'http-check send', `unexpected argument '${word}'`, expectedOneOf(word, ['meth', 'uri', 'ver', 'hdr']));
    }
  }
  if (!appliesToBackend()) return;
  const http11 = send.version?.toUpperCase() === 'HTTP/1.1';
  draft.httpCheckSend = {
    value: {
      ...(send.method !== undefined ? { method: send.method } : {}),
      ...(send.uri !== undefined ? { uri: send.uri } : {}),
      ...(http11 && send.headers.length ? { headers: send.headers } : {}),
    },
    source: ctx.at,
  };
}
