/**
 * Reads one `http-request …` / `http-response …` line (the words after the
 * directive) or an old `redirect …` line into an `HttpRule`'s action and
 * condition, with HAProxy 2.6's argument rules. Everything that can be
 * checked is checked here: formats, regexes, files, statuses.
 */
import { closestMatch } from '../config/suggest.ts';
import { BUILTIN_PAGE_STATUSES, parseErrorFile } from '../proxy/error-pages.ts';
import type { AclTest } from './acl.ts';
import type { HeaderMatch, HttpAction, Redirect, Reply } from './actions.ts';
import { ALWAYS, parseCondition, type Condition } from './condition.ts';
import { REDIRECT_CODES, type Answer } from './http-answer.ts';
import { parseLogFormat, type LogFormat } from './log-format.ts';
import { compileRegex } from './patterns.ts';
import { parseSampleExpr, type SampleLoad } from './sample-expression.ts';

export type Side = 'request' | 'response';

export type ParsedRule =
  | { readonly ok: true; readonly action: HttpAction; readonly condition: Condition; readonly notices: readonly string[] }
  | { readonly ok: false; readonly problem: string; readonly hint?: string };

type Step<T> = { ok: true; value: T } | { ok: false; problem: string; hint?: string };

const REQUEST_ACTIONS = [
  'add-header', 'allow', 'auth', 'capture', 'del-header', 'deny', 'redirect', 'reject', 'replace-header', 'replace-value', 'return',
  'set-header', 'set-method', 'set-path', 'set-pathq', 'set-query', 'set-uri', 'set-var', 'set-var-fmt', 'tarpit', 'unset-var', 'use-service', 'set-log-level',
];
const RESPONSE_ACTIONS = [
  'add-header', 'allow', 'capture', 'del-header', 'deny', 'redirect', 'replace-header', 'replace-value', 'return', 'set-header', 'set-status',
  'set-var', 'set-var-fmt', 'unset-var', 'set-log-level',
];
/** Actions HAProxy has that change nothing a client or server sees here; accepted with a notice. */
const NO_OP_ACTIONS = ['set-log-level', 'set-nice', 'set-tos', 'set-mark', 'set-priority-class', 'set-priority-offset', 'send-spoe-group', 'wait-for-handshake'];
/** Actions HAProxy has that edge-balancer does not implement: an error, never silently ignored. */
const UNSUPPORTED_ACTIONS = ['track-sc0', 'track-sc1', 'track-sc2', 'sc-inc-gpc0', 'sc-inc-gpc1', 'sc-set-gpt0', 'lua', 'cache-use', 'cache-store', 'do-resolve', 'set-dst', 'set-src', 'set-src-port', 'set-dst-port', 'silent-drop', 'early-hint', 'normalize-uri', 'add-acl', 'del-acl', 'set-map', 'del-map', 'set-timeout', 'wait-for-body', 'strict-mode', 'disable-l7-retry', 'set-bandwidth-limit'];

const VAR_NAME = /^(proc|sess|txn|req|res)\.[A-Za-z0-9._-]+$/;

export function parseHttpRule(side: Side, words: readonly string[], acls: ReadonlyMap<string, readonly AclTest[]>, load: SampleLoad, proxyName: string): ParsedRule {
  const split = words.findIndex((w, i) => i > 0 && (w === 'if' || w === 'unless'));
  const actionWords = split < 0 ? words : words.slice(0, split);
  let condition = ALWAYS;
  const notices: string[] = [];
  if (split >= 0) {
    const parsed = parseCondition(words[split]!, words.slice(split + 1), acls, load);
    if (!parsed.ok) return parsed;
    condition = parsed.condition;
    notices.push(...parsed.notices);
  }
  const [keyword = '', ...args] = actionWords;
  const action = parseAction(side, keyword, args, load, proxyName);
  if (!action.ok) return action;
  if (action.value.kind === 'no-op') notices.push(`'${keyword}' is accepted and has no effect in edge-balancer`);
  return { ok: true, action: action.value, condition, notices };
}

function fail<T>(problem: string, hint?: string): Step<T> {
  return { ok: false, problem, ...(hint ? { hint } : {}) };
}

function expectArgs(keyword: string, args: readonly string[], count: number, usage: string): Step<void> {
  if (args.length < count) return fail(`'${keyword}' expects ${usage}`);
  if (args.length > count) return fail(`'${keyword}': unexpected argument '${args[count]}'`, `expected ${keyword} ${usage}, then 'if'/'unless'`);
  return { ok: true, value: undefined };
}

function format(text: string, load: SampleLoad): Step<LogFormat> {
  const parsed = parseLogFormat(text, load);
  return parsed.ok ? { ok: true, value: parsed.format } : parsed;
}

function parseAction(side: Side, keyword: string, args: readonly string[], load: SampleLoad, proxyName: string): Step<HttpAction> {
  const known = side === 'request' ? REQUEST_ACTIONS : RESPONSE_ACTIONS;
  const varMatch = /^(set-var|set-var-fmt|unset-var)\((.*)\)$/.exec(keyword);
  const base = varMatch ? varMatch[1]! : keyword;
  if (!known.includes(base) && !NO_OP_ACTIONS.includes(base)) {
    if (UNSUPPORTED_ACTIONS.includes(base) || /^(sc-|track-sc)/.test(base)) return fail(`action '${base}' is not supported by edge-balancer`);
    const near = closestMatch(base, known);
    return fail(`unknown action '${keyword}' in http-${side} rule`, `${near ? `did you mean '${near}'? ` : ''}expected one of ${known.join(', ')}`);
  }
  switch (base) {
    case 'set-header':
    case 'add-header': {
      const count = expectArgs(keyword, args, 2, '<name> <fmt>');
      if (!count.ok) return count;
      const value = format(args[1]!, load);
      return value.ok ? { ok: true, value: { kind: base, name: args[0]!, value: value.value } } : value;
    }
    case 'del-header': {
      const [name, flag, method] = args;
      if (name === undefined) return fail("'del-header' expects <name> [-m <meth>]");
      if (flag === undefined) return { ok: true, value: { kind: 'del-header', name, match: 'str' } };
      if (flag !== '-m' || method === undefined || !['str', 'beg', 'end', 'sub', 'reg'].includes(method) || args.length > 3) {
        return fail(`'del-header': unexpected argument '${flag}'`, "expected del-header <name> [-m str|beg|end|sub|reg]");
      }
      if (method === 'reg') {
        const regex = compileRegex(name, true);
        if (typeof regex === 'string') return fail(regex);
        return { ok: true, value: { kind: 'del-header', name, match: 'reg', regex } };
      }
      return { ok: true, value: { kind: 'del-header', name, match: method as HeaderMatch } };
    }
    case 'replace-header':
    case 'replace-value': {
      const count = expectArgs(keyword, args, 3, '<name> <match-regex> <replace-fmt>');
      if (!count.ok) return count;
      const regex = compileRegex(args[1]!, false);
      if (typeof regex === 'string') return fail(regex);
      const replacement = format(args[2]!, load);
      return replacement.ok ? { ok: true, value: { kind: base, name: args[0]!, regex, replacement: replacement.value } } : replacement;
    }
    case 'set-path':
    case 'set-pathq':
    case 'set-query':
    case 'set-uri':
    case 'set-method': {
      const count = expectArgs(keyword, args, 1, '<fmt>');
      if (!count.ok) return count;
      const value = format(args[0]!, load);
      return value.ok ? { ok: true, value: { kind: base, value: value.value } } : value;
    }
    case 'set-status': {
      const [code, reasonWord, reason, extra] = args;
      if (code === undefined || !/^\d{3}$/.test(code) || Number(code) < 100) return fail(`'set-status' expects a status code between 100 and 999${code ? `, got '${code}'` : ''}`);
      if (reasonWord !== undefined && (reasonWord !== 'reason' || reason === undefined || extra !== undefined)) return fail(`'set-status': unexpected argument '${reasonWord}'`, "expected set-status <code> [reason <str>]");
      return { ok: true, value: { kind: 'set-status', status: Number(code), ...(reason !== undefined ? { reason } : {}) } };
    }
    case 'redirect': {
      const redirect = parseRedirect(args, load, false);
      if (!redirect.ok) return redirect;
      if (side === 'response' && redirect.value.type !== 'location') return fail("'http-response redirect' only supports the 'location' type");
      return { ok: true, value: { kind: 'redirect', redirect: redirect.value } };
    }
    case 'deny':
    case 'tarpit': {
      // HAProxy 2.6: request deny 403, tarpit 500; a denied response is a 502 (observed).
      const status = side === 'response' ? 502 : base === 'tarpit' ? 500 : 403;
      const reply = parseDenyReply(keyword, args, load, status);
      return reply.ok ? { ok: true, value: { kind: base, reply: reply.value } } : reply;
    }
    case 'return': {
      const reply = parseReply(keyword, args, load, 200);
      return reply.ok ? { ok: true, value: { kind: 'return', reply: reply.value } } : reply;
    }
    case 'auth': {
      if (args.length === 0) return { ok: true, value: { kind: 'auth', realm: proxyName } };
      if (args[0] !== 'realm' || args[1] === undefined || args.length > 2) return fail(`'auth': unexpected argument '${args[0]}'`, 'expected auth [realm <realm>]');
      return { ok: true, value: { kind: 'auth', realm: args[1] } };
    }
    case 'allow':
    case 'reject': {
      const count = expectArgs(keyword, args, 0, 'no argument');
      return count.ok ? { ok: true, value: { kind: base } } : count;
    }
    case 'set-var':
    case 'set-var-fmt':
    case 'unset-var': {
      if (!varMatch) return fail(`'${keyword}' expects a variable name in parentheses`, `e.g. ${keyword}(txn.name)`);
      const name = varMatch[2]!.split(',')[0]!;
      if (!VAR_NAME.test(name)) return fail(`invalid variable name '${name}'`, 'expected SCOPE.NAME with SCOPE one of proc, sess, txn, req, res');
      if (base === 'unset-var') {
        const count = expectArgs(keyword, args, 0, 'no argument');
        return count.ok ? { ok: true, value: { kind: 'unset-var', name } } : count;
      }
      const count = expectArgs(keyword, args, 1, base === 'set-var' ? '<expr>' : '<fmt>');
      if (!count.ok) return count;
      if (base === 'set-var-fmt') {
        const value = format(args[0]!, load);
        return value.ok ? { ok: true, value: { kind: 'set-var-fmt', name, format: value.value } } : value;
      }
      const expr = parseSampleExpr(args[0]!, load);
      return expr.ok ? { ok: true, value: { kind: 'set-var', name, expr: expr.expr } } : expr;
    }
    case 'capture': {
      const [sample, lenWord, len] = args;
      if (sample === undefined || (lenWord !== 'len' && lenWord !== 'id') || len === undefined || !/^\d+$/.test(len) || args.length > 3) {
        return fail("'capture' expects <sample> len <length> (or id <id>)");
      }
      const expr = parseSampleExpr(sample, load);
      return expr.ok ? { ok: true, value: { kind: 'capture', expr: expr.expr, length: lenWord === 'len' ? Number(len) : 64 } } : expr;
    }
    case 'use-service': {
      if (args[0] !== 'prometheus-exporter' || args.length > 1) {
        return fail(`'use-service': unknown service '${args[0] ?? ''}'`, 'edge-balancer provides prometheus-exporter');
      }
      return { ok: true, value: { kind: 'use-service', service: 'prometheus-exporter' } };
    }
    default:
      return { ok: true, value: { kind: 'no-op', name: base } };
  }
}

/**
 * `location|prefix|scheme <fmt> [code N] [drop-query] [append-slash]
 * [set-cookie NAME[=v]] [clear-cookie NAME[=]]`, for `http-request redirect`,
 * `http-response redirect` and the `redirect` directive (`legacy`).
 */
export function parseRedirect(args: readonly string[], load: SampleLoad, legacy: boolean): Step<Redirect> {
  const [type, value, ...options] = args;
  if (type !== 'location' && type !== 'prefix' && type !== 'scheme') {
    const near = type ? closestMatch(type, ['location', 'prefix', 'scheme']) : undefined;
    return fail(`'redirect' expects 'location', 'prefix' or 'scheme'${type ? `, got '${type}'` : ''}`, near ? `did you mean '${near}'?` : undefined);
  }
  if (value === undefined) return fail(`'redirect ${type}' expects a value`, type === 'scheme' ? 'e.g. redirect scheme https' : `e.g. redirect ${type} /new`);
  const parsed = format(value, load);
  if (!parsed.ok) return parsed;
  let code = 302;
  let dropQuery = false;
  let appendSlash = false;
  let cookie: string | undefined;
  for (let i = 0; i < options.length; i++) {
    const option = options[i]!;
    const next = options[i + 1];
    if (option === 'code') {
      if (next === undefined || !REDIRECT_CODES.includes(Number(next)) || !/^\d+$/.test(next)) return fail(`'redirect': unsupported HTTP code '${next ?? ''}'`, `expected one of ${REDIRECT_CODES.join(', ')}`);
      code = Number(next);
      i++;
    } else if (option === 'drop-query') dropQuery = true;
    else if (option === 'append-slash') appendSlash = true;
    else if (option === 'set-cookie' || option === 'clear-cookie') {
      if (next === undefined) return fail(`'redirect': '${option}' expects a cookie name`);
      cookie = option === 'set-cookie' ? `${next}; path=/` : `${next}; Expires=Thu, 01-Jan-1970 00:00:01 GMT; path=/`;
      i++;
    } else {
      const near = closestMatch(option, ['code', 'drop-query', 'append-slash', 'set-cookie', 'clear-cookie']);
      return fail(`'redirect': unexpected argument '${option}'`, `${near ? `did you mean '${near}'? ` : ''}expected code, drop-query, append-slash, set-cookie or clear-cookie`);
    }
  }
  return { ok: true, value: { type, value: parsed.value, code, dropQuery, appendSlash, ...(cookie !== undefined ? { cookie } : {}), legacy } };
}

/**
 * `deny`/`tarpit` as HAProxy 2.6's `parse_http_deny()` reads them: alone, or
 * with only `deny_status N`, they answer with the error page of their status
 * (which must be one HAProxy has a page for); with anything more they are an
 * HTTP reply like `return`'s, `deny_status` standing for `status` — so
 * `deny status 404` answers an empty 404, not the page.
 */
function parseDenyReply(keyword: string, args: readonly string[], load: SampleLoad, defaultStatus: number): Step<Reply> {
  if (args.length === 0) return parseReply(keyword, ['default-errorfiles'], load, defaultStatus);
  if (args[0] === 'deny_status') {
    const rest = args.length === 2 ? ['default-errorfiles'] : args.slice(2);
    return parseReply(keyword, ['status', args[1] ?? '', ...rest], load, defaultStatus);
  }
  return parseReply(keyword, args, load, defaultStatus);
}

/**
 * HAProxy 2.6's `http_parse_http_reply()`: `[status N] [content-type T]
 * [default-errorfiles | errorfile F | file F | lf-file F | string S | lf-string FMT] [hdr NAME FMT]…`.
 * Without a payload the answer is empty (`content-length: 0`).
 */
function parseReply(keyword: string, args: readonly string[], load: SampleLoad, defaultStatus: number): Step<Reply> {
  let status = defaultStatus;
  let contentType: string | undefined;
  let body: Reply['body'] = { kind: 'none' };
  const headers: [string, LogFormat][] = [];
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    const next = args[i + 1];
    const needs = (what: string): Step<never> => fail(`'${keyword}': '${word}' expects ${what}`);
    switch (word) {
      case 'status':
        if (next === undefined || next === '') return fail(`'${keyword}': 'status' expects <status_code> as argument`);
        // HAProxy reads the code with atol (`2xx` is 2); edge-balancer wants the digits only.
        if (!/^\d+$/.test(next)) return fail(`'${keyword}': invalid status code '${next}'`, 'expected a code between 200 and 599');
        if (Number(next) < 200 || Number(next) > 599) return fail(`'${keyword}': Unexpected status code '${Number(next)}'`, 'expected a code between 200 and 599');
        status = Number(next);
        i++;
        break;
      case 'content-type':
        if (next === undefined) return needs('a type');
        contentType = next;
        i++;
        break;
      case 'default-errorfiles':
        body = { kind: 'error-page' };
        break;
      case 'string':
      case 'lf-string':
      case 'file':
      case 'lf-file':
      case 'errorfile': {
        if (next === undefined) return needs(word.endsWith('string') ? 'a text' : 'a file name');
        i++;
        if (word === 'string') body = { kind: 'text', text: next };
        else if (word === 'lf-string') {
          const parsed = format(next, load);
          if (!parsed.ok) return parsed;
          body = { kind: 'format', format: parsed.value };
        } else {
          const content = readFile(next, load);
          if (!content.ok) return content;
          if (word === 'file') body = { kind: 'text', text: content.value };
          else if (word === 'lf-file') {
            const parsed = format(content.value, load);
            if (!parsed.ok) return parsed;
            body = { kind: 'format', format: parsed.value };
          } else {
            const page = parseErrorFile(content.value);
            if (!page) return fail(`'${keyword}': errorfile '${next}' is not a valid HTTP response`);
            const answer: Answer = { status: page.status, reason: '', headers: page.headers, body: page.body };
            body = { kind: 'raw', answer };
          }
        }
        break;
      }
      case 'errorfiles':
        return fail(`'${keyword}': 'errorfiles' needs http-errors sections, which edge-balancer does not support`, "use 'errorfile <file>'");
      case 'hdr': {
        const value = args[i + 2];
        if (next === undefined || value === undefined) return needs('<name> <fmt>');
        const parsed = format(value, load);
        if (!parsed.ok) return parsed;
        headers.push([next, parsed.value]);
        i += 2;
        break;
      }
      default: {
        const near = closestMatch(word, ['status', 'content-type', 'string', 'lf-string', 'file', 'lf-file', 'errorfile', 'default-errorfiles', 'hdr']);
        return fail(`'${keyword}': unexpected argument '${word}'`, near ? `did you mean '${near}'?` : undefined);
      }
    }
  }
  if (body.kind === 'error-page' && !BUILTIN_PAGE_STATUSES.includes(status)) {
    // HAProxy: "status code '299' not handled by default with 'default-errorfiles' argument."
    return fail(`'${keyword}': status code '${status}' not handled by default with 'default-errorfiles' argument`, `HAProxy has pages for ${BUILTIN_PAGE_STATUSES.join(', ')}; give a payload (string, file) for other codes`);
  }
  const hasPayload = body.kind === 'text' || body.kind === 'format';
  if (hasPayload && contentType === undefined && !(body.kind === 'text' && body.text === '')) {
    return fail(`'${keyword}': a content-type must be defined when a payload is configured`, 'e.g. content-type text/plain');
  }
  if (!hasPayload && contentType !== undefined && body.kind !== 'none') return fail(`'${keyword}': content-type is only allowed with a string or file payload`);
  return { ok: true, value: { status, ...(contentType !== undefined ? { contentType } : {}), body, headers } };
}

function readFile(path: string, load: SampleLoad): Step<string> {
  if (!load.readFile) return fail(`cannot read '${path}' (no file access in this runtime)`);
  try {
    return { ok: true, value: load.readFile(path) };
  } catch (error) {
    return fail(`failed to read '${path}': ${(error as Error).message}`);
  }
}
