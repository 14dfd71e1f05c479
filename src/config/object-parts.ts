/**
 * Readers for the parts of an object config shared by frontends and backends
 * (timeouts, forwardfor, stats, conditions) and of backends (servers,
 * cookie). They translate into the drafts the HAProxy-syntax reader fills
 * (proxy-draft.ts), whose defaults are HAProxy 2.6's; validate-config.ts
 * then checks both alike.
 */
import { parseAclTest } from '../rules/acl.ts';
import { ALWAYS, parseCondition } from '../rules/condition.ts';
import type { SampleLoad } from '../rules/sample-expression.ts';
import { cookieAttrProblem, cookieConflicts } from './cookie-directive.ts';
import { join, type ObjectReader } from './object-reader.ts';
import { defaultServerSettings, defaultStats, serverFromSettings, setTimeoutValue, type ServerSettings, type StatsDraft, type TimeoutsDraft } from './proxy-draft.ts';
import { tokenizeLine } from './tokenize.ts';
import { TIMEOUT_FIELDS } from './types.ts';
import type {
  AclTerm,
  AclTest,
  Condition,
  CookiePolicy,
  ErrorFile,
  ForwardFor,
  HttpCheck,
  Server,
  SourceLocation,
  StatsJwtConfig,
  LoginThrottleConfig,
} from './types.ts';
import { ERRORFILE_STATUSES, errorFileContentProblem } from './errorfile.ts';
import { DEFAULT_LOGIN_THROTTLE } from '../stats/login-throttle.ts';
import { MIN_ADMIN_TOKEN_KEY_LENGTH } from '../stats/admin.ts';

export function readSource(r: ObjectReader, value: unknown, path: string): SourceLocation {
  if (value === undefined) return { file: r.source, line: 0 };
  const fields = r.fields(value, path, ['file', 'line']);
  if (!fields) return { file: r.source, line: 0 };
  return { file: r.string(fields, 'file', path, r.source), line: r.integer(fields, 'line', path, 0, Number.MAX_SAFE_INTEGER, 0) };
}

export function readTimeouts(r: ObjectReader, value: unknown, path: string): TimeoutsDraft {
  const timeouts: TimeoutsDraft = {};
  if (value === undefined) return timeouts;
  const fields = r.fields(value, path, TIMEOUT_FIELDS);
  if (!fields) return timeouts;
  for (const key of TIMEOUT_FIELDS) {
    const ms = r.duration(fields, key, path);
    if (ms !== undefined) setTimeoutValue(timeouts, key, ms);
  }
  return timeouts;
}

/** `true` is `option forwardfor` with its defaults. */
export function readForwardFor(r: ObjectReader, value: unknown, path: string): ForwardFor | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return { header: 'X-Forwarded-For', ifNone: false };
  const fields = r.fields(value, path, ['header', 'except', 'ifNone']);
  if (!fields) return undefined;
  const except = r.string(fields, 'except', path);
  return { header: r.string(fields, 'header', path, 'X-Forwarded-For'), ...(except !== undefined ? { except } : {}), ifNone: r.boolean(fields, 'ifNone', path, false) };
}

export function readStats(r: ObjectReader, value: unknown, path: string): StatsDraft | undefined {
  if (value === undefined) return undefined;
  const fields = r.fields(value, path, ['enabled', 'uri', 'realm', 'users', 'refresh', 'hideVersion', 'showLegends', 'admin', 'scope', 'adminTokenKey', 'jwt', 'prometheusPath', 'loginThrottle']);
  if (!fields) return undefined;
  const defaults = defaultStats();
  const users = r.array(fields, 'users', path, (user, userPath) => {
    const userFields = r.fields(user, userPath, ['user', 'password']);
    if (!userFields) return undefined;
    const name = r.requiredString(userFields, 'user', userPath);
    const password = r.string(userFields, 'password', userPath);
    if (password === undefined) return r.error(join(userPath, 'password'), 'is required');
    return name === undefined ? undefined : { user: name, password };
  });
  const refresh = r.duration(fields, 'refresh', path);
  const jwt = readJwt(r, fields['jwt'], join(path, 'jwt'));
  const loginThrottle = readLoginThrottle(r, fields['loginThrottle'], join(path, 'loginThrottle'));
  const scope = fields['scope'] === undefined ? undefined : r.array(fields, 'scope', path, (name, namePath) => {
    if (typeof name === 'string' && name !== '') return { value: name, source: { file: r.source, line: 0 }, path: namePath };
    return r.error(namePath, `expected a proxy name (or '.'), got ${JSON.stringify(name)}`);
  });
  const adminTokenKey = r.string(fields, 'adminTokenKey', path);
  if (adminTokenKey !== undefined && adminTokenKey.length < MIN_ADMIN_TOKEN_KEY_LENGTH) {
    // Never echo a secret into an error message.
    r.error(join(path, 'adminTokenKey'), `must be a secret of at least ${MIN_ADMIN_TOKEN_KEY_LENGTH} characters, got ${adminTokenKey.length}`);
  }
  const prometheusPath = r.string(fields, 'prometheusPath', path);
  if (prometheusPath !== undefined && !prometheusPath.startsWith('/')) r.error(join(path, 'prometheusPath'), `must start with '/', got ${JSON.stringify(prometheusPath)}`);
  return {
    enabled: r.boolean(fields, 'enabled', path, true),
    uri: r.string(fields, 'uri', path, defaults.uri),
    realm: r.string(fields, 'realm', path, defaults.realm),
    users,
    ...(refresh !== undefined ? { refresh } : {}),
    hideVersion: r.boolean(fields, 'hideVersion', path, false),
    showLegends: r.boolean(fields, 'showLegends', path, false),
    admin: r.boolean(fields, 'admin', path, false),
    ...(scope !== undefined ? { scope } : {}),
    ...(adminTokenKey !== undefined ? { adminTokenKey } : {}),
    ...(jwt ? { jwt } : {}),
    ...(prometheusPath !== undefined ? { prometheusPath } : {}),
    ...(loginThrottle !== undefined ? { loginThrottle } : {}),
  };
}

/** `false`, or the delays with the defaults for the fields left out. */
function readLoginThrottle(r: ObjectReader, value: unknown, path: string): LoginThrottleConfig | false | undefined {
  if (value === undefined || value === false) return value;
  const fields = r.fields(value, path, ['freeFailures', 'delay', 'maxDelay']);
  if (!fields) return undefined;
  const freeFailures = r.integer(fields, 'freeFailures', path, 0, 1_000_000, DEFAULT_LOGIN_THROTTLE.freeFailures);
  const delay = r.duration(fields, 'delay', path) ?? DEFAULT_LOGIN_THROTTLE.delay;
  const maxDelay = r.duration(fields, 'maxDelay', path) ?? Math.max(delay, DEFAULT_LOGIN_THROTTLE.maxDelay);
  if (maxDelay < delay) r.error(join(path, 'maxDelay'), `must be at least delay (${delay} ms), got ${maxDelay} ms`);
  return { freeFailures, delay, maxDelay };
}

function readJwt(r: ObjectReader, value: unknown, path: string): StatsJwtConfig | undefined {
  if (value === undefined) return undefined;
  const fields = r.fields(value, path, ['jwksUrl', 'issuer', 'audience']);
  if (!fields) return undefined;
  const jwksUrl = r.requiredString(fields, 'jwksUrl', path);
  if (jwksUrl !== undefined && !/^https?:\/\//.test(jwksUrl)) r.error(join(path, 'jwksUrl'), `expected an http(s) URL, got ${JSON.stringify(jwksUrl)}`);
  const issuer = r.requiredString(fields, 'issuer', path);
  const audienceValue = fields['audience'];
  let audience: string | string[] | undefined;
  if (typeof audienceValue === 'string' && audienceValue !== '') audience = audienceValue;
  else if (Array.isArray(audienceValue) && audienceValue.length > 0 && audienceValue.every((a) => typeof a === 'string' && a !== '')) audience = audienceValue as string[];
  else r.error(join(path, 'audience'), 'expected a non-empty string or array of strings');
  return jwksUrl !== undefined && issuer !== undefined && audience !== undefined ? { jwksUrl, issuer, audience } : undefined;
}

/**
 * A `Condition` object, or HAProxy condition text such as
 * `"{ path_beg /api } || { hdr(host) -i api.example.com }"` (optionally
 * starting with `if`/`unless`; `acls` are the section's named ACLs).
 */
export function readCondition(r: ObjectReader, value: unknown, path: string, acls: ReadonlyMap<string, readonly AclTest[]>, load: SampleLoad): Condition | undefined {
  if (value === undefined) return ALWAYS;
  if (typeof value === 'string') {
    const tokens = tokenizeLine(value, {});
    if (!tokens.ok) return r.error(path, `${tokens.problem} at position ${tokens.position}`);
    const [first, ...rest] = tokens.words;
    const explicit = first === 'if' || first === 'unless';
    const parsed = parseCondition(explicit ? first : 'if', explicit ? rest : tokens.words, acls, load);
    if (!parsed.ok) return r.error(path, parsed.problem, parsed.hint);
    parsed.notices.forEach((text) => r.notice(path, text));
    return parsed.condition;
  }
  const fields = r.fields(value, path, ['unless', 'anyOf']);
  if (!fields) return undefined;
  const anyOf = r.array(fields, 'anyOf', path, (group, groupPath) => {
    if (!Array.isArray(group)) return r.error(groupPath, 'expected an array of terms (ANDed)');
    return group.flatMap((term, index) => {
      const result = readTerm(r, term, `${groupPath}[${index}]`, load);
      return result ? [result] : [];
    });
  });
  if (fields['anyOf'] === undefined) r.error(join(path, 'anyOf'), 'is required', 'an array of groups of terms; [[]] always holds');
  return { unless: r.boolean(fields, 'unless', path, false), anyOf };
}

function readTerm(r: ObjectReader, value: unknown, path: string, load: SampleLoad): AclTerm | undefined {
  const fields = r.fields(value, path, ['negate', 'test']);
  if (!fields) return undefined;
  const test = readAclTest(r, fields['test'], join(path, 'test'), load);
  return test ? { negate: r.boolean(fields, 'negate', path, false), tests: [test] } : undefined;
}

/**
 * An ACL test as HAProxy text (`"hdr(host) -i example.com"`), or the object
 * shorthands `{ kind: 'path_beg', values }` and `{ kind: 'hdr', header, values, ignoreCase }`.
 */
function readAclTest(r: ObjectReader, value: unknown, path: string, load: SampleLoad): AclTest | undefined {
  let words: string[];
  if (typeof value === 'string') {
    const tokens = tokenizeLine(value, {});
    if (!tokens.ok) return r.error(path, `${tokens.problem} at position ${tokens.position}`);
    words = [...tokens.words];
  } else {
    const fields = r.fields(value, path, ['kind', 'values', 'header', 'ignoreCase']);
    if (!fields) return undefined;
    const kind = r.oneOf(fields, 'kind', path, ['path_beg', 'hdr'] as const, 'path_beg');
    if (fields['kind'] === undefined) r.error(join(path, 'kind'), 'is required', 'path_beg or hdr');
    const values = r.array(fields, 'values', path, (v, p) => (typeof v === 'string' ? v : r.error(p, 'expected a string')));
    if (kind === 'path_beg') {
      if (fields['header'] !== undefined || fields['ignoreCase'] !== undefined) r.error(path, "'header' and 'ignoreCase' only apply to kind 'hdr'");
      words = ['path_beg', '--', ...values];
    } else {
      const header = r.requiredString(fields, 'header', path);
      if (header === undefined) return undefined;
      words = [`hdr(${header})`, ...(r.boolean(fields, 'ignoreCase', path, false) ? ['-i'] : []), '--', ...values];
    }
  }
  const parsed = parseAclTest(words, load);
  if (!parsed.ok) return r.error(path, parsed.problem, parsed.hint);
  if (parsed.notice) r.notice(path, parsed.notice);
  return parsed.test;
}

export function readCookie(r: ObjectReader, value: unknown, path: string): CookiePolicy | undefined {
  if (value === undefined) return undefined;
  const fields = r.fields(value, path, ['name', 'mode', 'indirect', 'nocache', 'postonly', 'preserve', 'httponly', 'secure', 'domains', 'maxidle', 'maxlife', 'attrs']);
  if (!fields) return undefined;
  const name = r.requiredString(fields, 'name', path);
  if (fields['mode'] === undefined) r.error(join(path, 'mode'), 'is required', 'insert, prefix or rewrite');
  const mode = r.oneOf(fields, 'mode', path, ['insert', 'prefix', 'rewrite'] as const, 'insert');
  const flag = (key: string) => r.boolean(fields, key, path, false);
  const strings = (key: string) => r.array(fields, key, path, (v, p) => (typeof v === 'string' && v !== '' ? v : r.error(p, 'expected a non-empty string')));
  const policy: CookiePolicy = {
    name: name ?? '',
    mode,
    indirect: flag('indirect'),
    nocache: flag('nocache'),
    postonly: flag('postonly'),
    preserve: flag('preserve'),
    httponly: flag('httponly'),
    secure: flag('secure'),
    domains: strings('domains'),
    ...optional('maxidle', r.duration(fields, 'maxidle', path)),
    ...optional('maxlife', r.duration(fields, 'maxlife', path)),
    attrs: strings('attrs'),
  };
  // What `haproxy -c` rejects, checked by the `cookie` directive's own functions.
  for (const { option, problem } of cookieConflicts(policy)) r.error(join(path, option), problem);
  policy.attrs.forEach((attr, i) => {
    const problem = cookieAttrProblem(attr);
    if (problem) r.error(`${join(path, 'attrs')}[${i}]`, problem);
  });
  return name === undefined ? undefined : policy;
}

/** `httpCheck: { method, uri, expectStatus }`; `expectStatus: N` is `http-check expect status N`. */
export function readHttpCheck(r: ObjectReader, value: unknown, path: string): (Pick<HttpCheck, 'method' | 'uri'> & { expectStatus?: number }) | undefined {
  if (value === undefined) return undefined;
  const fields = r.fields(value, path, ['method', 'uri', 'expectStatus']);
  if (!fields) return undefined;
  const expectStatus = r.integer(fields, 'expectStatus', path, 100, 599);
  return { method: r.string(fields, 'method', path, 'OPTIONS'), uri: r.string(fields, 'uri', path, '/'), ...optional('expectStatus', expectStatus) };
}

export function readErrorFile(r: ObjectReader, value: unknown, path: string): ErrorFile | undefined {
  const fields = r.fields(value, path, ['status', 'path', 'content']);
  if (!fields) return undefined;
  const status = r.integer(fields, 'status', path, 100, 599);
  if (fields['status'] === undefined) r.error(join(path, 'status'), 'is required');
  else if (status !== undefined && !ERRORFILE_STATUSES.includes(status)) r.error(join(path, 'status'), `status code ${status} not handled`, `expected one of ${ERRORFILE_STATUSES.join(', ')}`);
  const content = r.requiredString(fields, 'content', path);
  const problem = content === undefined ? undefined : errorFileContentProblem(content);
  if (problem) r.error(join(path, 'content'), problem.problem, problem.hint);
  return status !== undefined && content !== undefined ? { status, path: r.string(fields, 'path', path, ''), content } : undefined;
}

export function readServer(r: ObjectReader, value: unknown, path: string): Server | undefined {
  const fields = r.fields(value, path, ['name', 'host', 'port', 'weight', 'cookie', 'backup', 'disabled', 'maxconn', 'check', 'source']);
  if (!fields) return undefined;
  const defaults = defaultServerSettings();
  const name = r.requiredString(fields, 'name', path);
  const host = r.requiredString(fields, 'host', path);
  const port = r.integer(fields, 'port', path, 1, 65535);
  if (fields['port'] === undefined) r.error(join(path, 'port'), 'is required');
  const check = readServerCheck(r, fields['check'], join(path, 'check'));
  const maxconn = r.integer(fields, 'maxconn', path, 0, 2_147_483_647);
  // Read every field before giving up, so that all of its errors are reported.
  const settings: ServerSettings = {
    ...defaults,
    weight: r.integer(fields, 'weight', path, 0, 256, defaults.weight),
    ...optional('cookie', r.string(fields, 'cookie', path)),
    backup: r.boolean(fields, 'backup', path, false),
    disabled: r.boolean(fields, 'disabled', path, false),
    // HAProxy: maxconn 0 means no limit.
    ...optional('maxconn', maxconn === 0 ? undefined : maxconn),
    ...check,
  };
  const source = readSource(r, fields['source'], join(path, 'source'));
  if (name === undefined || host === undefined || port === undefined) return undefined;
  return serverFromSettings(name, { host: host.replace(/^\[(.*)\]$/, '$1'), port }, settings, source);
}

/** `true` is `check` with HAProxy's default timings (filled in by serverFromSettings). */
function readServerCheck(r: ObjectReader, value: unknown, path: string): Partial<ServerSettings> {
  if (value === undefined || value === false) return {};
  if (value === true) return { check: true };
  const fields = r.fields(value, path, ['inter', 'fastinter', 'downinter', 'rise', 'fall', 'port', 'addr']);
  if (!fields) return {};
  const defaults = defaultServerSettings();
  const positive = (key: 'inter' | 'fastinter' | 'downinter') => {
    const ms = r.duration(fields, key, path);
    return ms === 0 ? r.error(join(path, key), 'must be greater than 0') : ms;
  };
  return {
    check: true,
    ...optional('inter', positive('inter')),
    ...optional('fastinter', positive('fastinter')),
    ...optional('downinter', positive('downinter')),
    rise: r.integer(fields, 'rise', path, 1, 2_147_483_647, defaults.rise),
    fall: r.integer(fields, 'fall', path, 1, 2_147_483_647, defaults.fall),
    ...optional('port', r.integer(fields, 'port', path, 1, 65535)),
    ...optional('addr', r.string(fields, 'addr', path)),
  };
}

/** `{ key: value }` when value is defined, else `{}`: keeps "not set" fields absent. */
export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
