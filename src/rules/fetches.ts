/**
 * The sample fetches edge-balancer implements (HAProxy 2.6 manual, 7.3.2 to
 * 7.3.6), and the ACL keywords that are a fetch plus a match method
 * (`path_beg` is `path -m beg`, `hdr_dom(host)` is `req.hdr(host) -m dom`).
 */
import { headerValues, pickOccurrence, queryParameters, requestCookies, responseCookies, targetPath, targetQuery } from './http-message.ts';
import type { MatchMethod } from './patterns.ts';
import { parseAddress } from '../proxy/ip-address.ts';
import { bool, int, sampleInteger, str, varSample, type Sample, type SampleArg, type SampleContext, type SampleType } from './sample.ts';

/** Where a fetch can be used: HAProxy refuses a response fetch in `http-request` rules at load. */
export type Phase = 'request' | 'response' | 'any';

/** How the arguments are checked at load: `str`, `int`, or a reference resolved against the config. */
export type ArgKind = 'str' | 'int' | 'var' | 'userlist' | 'backend';

export interface FetchDef {
  readonly type: SampleType;
  readonly phase: Phase;
  /** Argument kinds; `required` of them must be present. */
  readonly args: readonly ArgKind[];
  readonly required: number;
  /**
   * Every value the fetch yields, in message order (ACLs test them all).
   * `args` are as parsed; an occurrence argument is applied here.
   */
  readonly values: (ctx: SampleContext, args: readonly SampleArg[]) => Sample[];
  /** Which value a sample expression takes when there are several and no occurrence is given. */
  readonly pick?: 'first' | 'last';
  /** Turns each value, once picked, into the fetch's type; a value it refuses is dropped (`hdr_ip` on a non-address). */
  readonly convert?: (sample: Sample) => Sample | undefined;
}

type Lines = readonly (readonly [string, string])[];

const requestLines = (ctx: SampleContext): Lines => ctx.txn.request.headers;
const responseLines = (ctx: SampleContext): Lines => ctx.txn.response?.headers ?? [];

function header(lines: (ctx: SampleContext) => Lines, full: boolean, phase: Phase): FetchDef {
  return {
    type: 'str',
    phase,
    args: ['str', 'int'],
    required: 0,
    pick: 'last',
    values: (ctx, [name = '', occurrence]) => pickOccurrence(headerValues(lines(ctx), String(name), full), occurrence as number | undefined).map(str),
  };
}

function headerCount(lines: (ctx: SampleContext) => Lines, full: boolean, phase: Phase): FetchDef {
  return { type: 'int', phase, args: ['str'], required: 0, values: (ctx, [name = '']) => [int(headerValues(lines(ctx), String(name), full).length)] };
}

function headerInteger(lines: (ctx: SampleContext) => Lines, phase: Phase): FetchDef {
  const text = header(lines, false, phase);
  return { ...text, type: 'int', values: (ctx, args) => text.values(ctx, args).flatMap((s) => toInt(s)) };
}

/**
 * `hdr_ip`: a header value as an address, as HAProxy 2.6's `smp_fetch_hdr_ip()`
 * reads it: a dotted IPv4 (optionally `:port`, port 0–65535) or an IPv6
 * literal; anything else is not an address and yields nothing.
 */
function headerAddress(lines: (ctx: SampleContext) => Lines, phase: Phase): FetchDef {
  return { ...header(lines, false, phase), type: 'ip', convert: (sample) => {
    const address = addressIn(String(sample.value));
    return address === undefined ? undefined : { type: 'ip', value: address };
  } };
}

function addressIn(text: string): string | undefined {
  // url2ipv4(): digits and dots, four octets of at most 255 (leading zeros read as decimal).
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)(?::(\d{1,5}))?$/.exec(text);
  if (v4) {
    const octets = v4.slice(1, 5).map(Number);
    if (octets.some((o) => o > 255) || (v4[5] !== undefined && Number(v4[5]) > 65535)) return undefined;
    return octets.join('.');
  }
  return text.includes(':') && parseAddress(text)?.length === 16 ? text : undefined;
}

function cookie(read: (lines: Lines) => [string, string][], lines: (ctx: SampleContext) => Lines, phase: Phase): FetchDef {
  return {
    type: 'str',
    phase,
    args: ['str'],
    required: 0,
    pick: 'last',
    values: (ctx, [name = '']) => read(lines(ctx)).filter(([n]) => name === '' || n === name).map(([, v]) => str(v)),
  };
}

function cookieCount(read: (lines: Lines) => [string, string][], lines: (ctx: SampleContext) => Lines, phase: Phase): FetchDef {
  return { type: 'int', phase, args: ['str'], required: 0, values: (ctx, [name = '']) => [int(read(lines(ctx)).filter(([n]) => name === '' || n === name).length)] };
}

function toInt(sample: Sample): Sample[] {
  const n = sampleInteger(sample);
  return n === undefined ? [] : [int(n)];
}

const constant = (type: SampleType, value: (ctx: SampleContext) => Sample | undefined, phase: Phase = 'any'): FetchDef => ({
  type,
  phase,
  args: [],
  required: 0,
  values: (ctx) => {
    const sample = value(ctx);
    return sample === undefined ? [] : [sample];
  },
});

const REQUEST_HEADER = header(requestLines, false, 'request');
const REQUEST_FULL_HEADER = header(requestLines, true, 'request');
const RESPONSE_HEADER = header(responseLines, false, 'response');
const REQUEST_COOKIE = cookie(requestCookies, requestLines, 'request');
const RESPONSE_COOKIE = cookie(responseCookies, responseLines, 'response');
const URL_PARAM: FetchDef = {
  type: 'str',
  phase: 'request',
  args: ['str', 'str'],
  required: 0,
  pick: 'first',
  values: (ctx, [name = '', delimiter]) => queryParameters(targetQuery(ctx.txn.request.target), String(name), delimiter === undefined ? '&' : String(delimiter)).map(str),
};

export const FETCHES: ReadonlyMap<string, FetchDef> = new Map<string, FetchDef>([
  ['path', constant('str', (ctx) => str(targetPath(ctx.txn.request.target)), 'request')],
  ['pathq', constant('str', (ctx) => {
    const path = targetPath(ctx.txn.request.target);
    const query = targetQuery(ctx.txn.request.target);
    return str(query === undefined ? path : `${path}?${query}`);
  }, 'request')],
  ['url', constant('str', (ctx) => str(ctx.txn.request.target), 'request')],
  ['query', constant('str', (ctx) => {
    const query = targetQuery(ctx.txn.request.target);
    return query === undefined ? undefined : str(query);
  }, 'request')],
  // `base`: the Host header's value followed by the path (just the path without Host).
  ['base', constant('str', (ctx) => {
    const host = headerValues(ctx.txn.request.headers, 'host', true).at(-1) ?? '';
    return str(host + targetPath(ctx.txn.request.target));
  }, 'request')],
  ['url_param', URL_PARAM],
  ['urlp', URL_PARAM],
  ['urlp_val', { ...URL_PARAM, type: 'int', values: (ctx, args) => URL_PARAM.values(ctx, args).flatMap(toInt) }],
  ['hdr', REQUEST_HEADER],
  ['req.hdr', REQUEST_HEADER],
  ['fhdr', REQUEST_FULL_HEADER],
  ['req.fhdr', REQUEST_FULL_HEADER],
  ['hdr_cnt', headerCount(requestLines, false, 'request')],
  ['req.hdr_cnt', headerCount(requestLines, false, 'request')],
  ['fhdr_cnt', headerCount(requestLines, true, 'request')],
  ['req.fhdr_cnt', headerCount(requestLines, true, 'request')],
  ['hdr_val', headerInteger(requestLines, 'request')],
  ['hdr_ip', headerAddress(requestLines, 'request')],
  ['req.hdr_ip', headerAddress(requestLines, 'request')],
  ['res.hdr_ip', headerAddress(responseLines, 'response')],
  ['shdr_ip', headerAddress(responseLines, 'response')],
  ['req.hdr_val', headerInteger(requestLines, 'request')],
  ['cook', REQUEST_COOKIE],
  ['req.cook', REQUEST_COOKIE],
  ['cook_cnt', cookieCount(requestCookies, requestLines, 'request')],
  ['req.cook_cnt', cookieCount(requestCookies, requestLines, 'request')],
  ['cook_val', { ...REQUEST_COOKIE, type: 'int', values: (ctx, args) => REQUEST_COOKIE.values(ctx, args).flatMap(toInt) }],
  ['req.cook_val', { ...REQUEST_COOKIE, type: 'int', values: (ctx, args) => REQUEST_COOKIE.values(ctx, args).flatMap(toInt) }],
  ['method', constant('str', (ctx) => str(ctx.txn.request.method), 'request')],
  ['req.ver', constant('str', (ctx) => str(ctx.txn.conn.httpVersion), 'request')],
  ['req_ver', constant('str', (ctx) => str(ctx.txn.conn.httpVersion), 'request')],
  ['src', constant('ip', (ctx) => ({ type: 'ip', value: ctx.txn.conn.clientAddress }))],
  ['src_port', constant('int', (ctx) => (ctx.txn.conn.clientPort === undefined ? undefined : int(ctx.txn.conn.clientPort)))],
  ['dst', constant('ip', (ctx) => (ctx.txn.conn.localAddress === undefined ? undefined : { type: 'ip', value: ctx.txn.conn.localAddress }))],
  ['dst_port', constant('int', (ctx) => (ctx.txn.conn.localPort === undefined ? undefined : int(ctx.txn.conn.localPort)))],
  ['ssl_fc', constant('bool', (ctx) => bool(ctx.txn.conn.tls !== undefined))],
  ['ssl_fc_sni', constant('str', (ctx) => (ctx.txn.conn.tls?.sni === undefined ? undefined : str(ctx.txn.conn.tls.sni)))],
  ['ssl_fc_alpn', constant('str', (ctx) => (ctx.txn.conn.tls?.alpn === undefined ? undefined : str(ctx.txn.conn.tls.alpn)))],
  ['ssl_fc_protocol', constant('str', (ctx) => (ctx.txn.conn.tls?.protocol === undefined ? undefined : str(ctx.txn.conn.tls.protocol)))],
  ['http_auth', { type: 'bool', phase: 'request', args: ['userlist'], required: 1, values: (ctx, [list]) => [bool(credentials(ctx, String(list))?.ok ?? false)] }],
  // The groups of an authenticated user; ACLs match them against group names.
  ['http_auth_group', {
    type: 'str',
    phase: 'request',
    args: ['userlist'],
    required: 1,
    values: (ctx, [list]) => {
      const result = credentials(ctx, String(list));
      return result?.ok ? result.groups.map(str) : [];
    },
  }],
  ['http_auth_user', constant('str', (ctx) => {
    const basic = basicCredentials(ctx);
    return basic ? str(basic.user) : undefined;
  }, 'request')],
  ['nbsrv', {
    type: 'int',
    phase: 'any',
    args: ['backend'],
    required: 0,
    values: (ctx, [backend]) => {
      const name = backend === undefined ? ctx.txn.backend : String(backend);
      return name === undefined || !ctx.env.usableServers ? [] : [int(ctx.env.usableServers(name))];
    },
  }],
  ['var', {
    type: 'any',
    phase: 'any',
    args: ['var', 'str'],
    required: 1,
    values: (ctx, [name, fallback]) => {
      const value = readVariable(ctx, String(name));
      if (value !== undefined) return [varSample(value)];
      return fallback === undefined ? [] : [str(String(fallback))];
    },
  }],
  ['env', { type: 'str', phase: 'any', args: ['str'], required: 1, values: (ctx, [name]) => {
    const value = ctx.env.environment?.(String(name));
    return value === undefined ? [] : [str(value)];
  } }],
  ['always_true', constant('bool', () => bool(true))],
  ['always_false', constant('bool', () => bool(false))],
  ['int', { type: 'int', phase: 'any', args: ['int'], required: 1, values: (_ctx, [n]) => [int(Number(n))] }],
  ['str', { type: 'str', phase: 'any', args: ['str'], required: 1, values: (_ctx, [s]) => [str(String(s))] }],
  ['bool', { type: 'bool', phase: 'any', args: ['int'], required: 1, values: (_ctx, [n]) => [bool(Number(n) !== 0)] }],
  ['fe_name', constant('str', (ctx) => str(ctx.txn.frontend))],
  ['be_name', constant('str', (ctx) => (ctx.txn.backend === undefined ? undefined : str(ctx.txn.backend)))],
  ['date', constant('int', (ctx) => int(Math.floor((ctx.env.now?.() ?? Date.now()) / 1000)))],
  ['status', constant('int', (ctx) => (ctx.txn.response ? int(ctx.txn.response.status) : undefined), 'response')],
  ['res.hdr', RESPONSE_HEADER],
  ['shdr', RESPONSE_HEADER],
  ['res.fhdr', header(responseLines, true, 'response')],
  ['res.hdr_cnt', headerCount(responseLines, false, 'response')],
  ['shdr_cnt', headerCount(responseLines, false, 'response')],
  ['res.fhdr_cnt', headerCount(responseLines, true, 'response')],
  ['res.hdr_val', headerInteger(responseLines, 'response')],
  ['res.cook', RESPONSE_COOKIE],
  ['scook', RESPONSE_COOKIE],
  ['res.cook_cnt', cookieCount(responseCookies, responseLines, 'response')],
]);

/** A variable by its full name (`txn.x`); `sess.`/`proc.` from the environment. */
export function readVariable(ctx: SampleContext, name: string): import('./transaction.ts').VarValue | undefined {
  if (name.startsWith('sess.')) return ctx.env.sessionVars?.get(name);
  if (name.startsWith('proc.')) return ctx.env.processVars?.get(name);
  return ctx.txn.vars.get(name);
}

/** `Authorization: Basic …`, decoded; undefined when absent or malformed. */
export function basicCredentials(ctx: SampleContext): { user: string; password: string } | undefined {
  const value = headerValues(ctx.txn.request.headers, 'authorization', true).at(-1);
  const match = value === undefined ? null : /^basic[ \t]+([A-Za-z0-9+/=]+)$/i.exec(value);
  if (!match) return undefined;
  let decoded: string;
  try {
    decoded = atob(match[1]!);
  } catch {
    return undefined;
  }
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function credentials(ctx: SampleContext, userlist: string): { ok: boolean; groups: readonly string[] } | undefined {
  const basic = basicCredentials(ctx);
  if (!basic || !ctx.env.checkCredentials) return undefined;
  return ctx.env.checkCredentials(userlist, basic.user, basic.password);
}

const FAMILY_SUFFIXES: Readonly<Record<string, MatchMethod>> = { beg: 'beg', end: 'end', sub: 'sub', reg: 'reg', dir: 'dir', dom: 'dom', len: 'len' };
/** ACL keyword families: `PREFIX` (string match) and `PREFIX_SUFFIX`, and the fetch each reads. */
const FAMILIES: Readonly<Record<string, string>> = {
  base: 'base', cook: 'req.cook', hdr: 'req.hdr', path: 'path', scook: 'res.cook', shdr: 'res.hdr', url: 'url', urlp: 'urlp', ssl_fc_sni: 'ssl_fc_sni',
};
const OTHER_ACL_KEYWORDS: Readonly<Record<string, { fetch: string; match: MatchMethod }>> = {
  req_ver: { fetch: 'req.ver', match: 'str' },
  method: { fetch: 'method', match: 'str' },
  http_auth_group: { fetch: 'http_auth_group', match: 'str' },
};

/** The fetch and default match method an ACL keyword stands for; undefined for plain fetches. */
export function aclKeyword(name: string): { fetch: string; match: MatchMethod } | undefined {
  if (Object.hasOwn(OTHER_ACL_KEYWORDS, name)) return OTHER_ACL_KEYWORDS[name];
  if (Object.hasOwn(FAMILIES, name)) return { fetch: FAMILIES[name]!, match: 'str' };
  const underscore = name.lastIndexOf('_');
  if (underscore < 0) return undefined;
  const prefix = name.slice(0, underscore);
  const suffix = name.slice(underscore + 1);
  const family = Object.hasOwn(FAMILIES, prefix) ? FAMILIES[prefix] : undefined;
  const match = Object.hasOwn(FAMILY_SUFFIXES, suffix) ? FAMILY_SUFFIXES[suffix] : undefined;
  return family && match ? { fetch: family, match } : undefined;
}

/** Every ACL keyword, for "did you mean" hints. */
export function aclKeywordNames(): string[] {
  const names = [...Object.keys(OTHER_ACL_KEYWORDS), ...Object.keys(FAMILIES)];
  for (const family of Object.keys(FAMILIES)) for (const suffix of Object.keys(FAMILY_SUFFIXES)) names.push(`${family}_${suffix}`);
  return names;
}
