/**
 * Reads a plain object (JSON or TypeScript) of the shape of `Config` into the
 * drafts the HAProxy-syntax reader fills, then runs the same validation pass
 * (validate-config.ts), so both give the same frozen `Config` and the same
 * checks. Optional fields get HAProxy's defaults; durations are milliseconds
 * or HAProxy time strings ("2s"); binds may be objects or strings (":8080").
 * Errors carry `line: 0` and the object path in `directive`.
 *
 * Rules are HAProxy text, one line per string, read by the HAProxy reader's
 * own directive parsers (proxy-directives.ts, rule-directives.ts,
 * userlist-section.ts): `acls: ['is_api path_beg /api']`,
 * `httpRequest: ['set-header X-Forwarded-Proto https if { ssl_fc }']`,
 * `useBackend: [{ backend: 'api', if: 'is_api' }]`, `userlists`, …
 */
import { parseBindAddresses } from './address.ts';
import { ACL_NAME } from '../rules/acl.ts';
import { deepFreeze } from './deep-freeze.ts';
import type { DirectiveContext } from './directive-context.ts';
import { Diagnostics } from './diagnostics.ts';
import { ConfigErrors } from './errors.ts';
import { join, ObjectReader } from './object-reader.ts';
import {
  optional,
  readCondition,
  readCookie,
  readErrorFile,
  readForwardFor,
  readHttpCheck,
  readServer,
  readSource,
  readStats,
  readTimeouts,
} from './object-parts.ts';
import type { ParsedConfig } from './parse-haproxy.ts';
import { BALANCE_ALGORITHMS, emptyDraft, type ProxyDraft } from './proxy-draft.ts';
import { applyProxyDirective } from './proxy-directives.ts';
import { ruleLoad } from './rule-load.ts';
import { tokenizeLine } from './tokenize.ts';
import { applyUserlistDirective, finishUserlist, type UserlistDraft } from './userlist-section.ts';
import { validateConfig } from './validate-config.ts';
import type { Bind, Condition, Config, ConnectionMode, GlobalSettings, Userlist } from './types.ts';

export interface ObjectConfigOptions {
  /** Reads `-f FILE` pattern files and `map()` files named in rules; without it they are errors. */
  readonly readFile?: (path: string) => string;
}

/** Rule lists of frontends and backends: the field and the HAProxy directive each string is a line of. */
const RULE_LISTS = { acls: 'acl', httpRequest: 'http-request', httpResponse: 'http-response', redirects: 'redirect' } as const;
/** Frontend settings given as one HAProxy value. */
const FRONTEND_RULE_VALUES = { monitorUri: 'monitor-uri', uniqueIdFormat: 'unique-id-format', uniqueIdHeader: 'unique-id-header' } as const;

const CONNECTION_MODES: readonly ConnectionMode[] = ['keep-alive', 'server-close', 'close'];

/** Throws `ConfigErrors` listing every problem found. */
export function configFromObject(input: unknown, source = '<object>', options: ObjectConfigOptions = {}): Config {
  return readObjectConfig(input, source, options).config;
}

/** `configFromObject` with the notices (HAProxy's warnings, ignored settings), as `parseHaproxyConfig` returns them. */
export function readObjectConfig(input: unknown, source = '<object>', options: ObjectConfigOptions = {}): ParsedConfig {
  const diagnostics = new Diagnostics();
  const r = new ObjectReader(source, diagnostics);
  const readFile = options.readFile;
  const root = r.fields(input, '', ['frontends', 'backends', 'global', 'userlists']);
  const userlists = root ? readUserlists(r, root) : [];
  const frontends = root ? r.array(root, 'frontends', '', (value, path) => readFrontend(r, value, path, readFile)) : [];
  const backends = root ? r.array(root, 'backends', '', (value, path) => readBackend(r, value, path, readFile)) : [];
  const global = root?.['global'] === undefined ? {} : (readGlobal(r, root['global']) ?? {});
  const config = validateConfig({ proxies: pairListens(r, frontends, backends), global, userlists }, diagnostics);
  if (diagnostics.errors.length > 0) throw new ConfigErrors(diagnostics.errors);
  return { config: deepFreeze(config), notices: diagnostics.notices };
}

/** `{ maxconn, ulimitN, nbthread }`, the `global` limits (0 or absent: derived from the descriptor limit) and worker count. */
function readGlobal(r: ObjectReader, value: unknown): GlobalSettings | undefined {
  const fields = r.fields(value, 'global', ['maxconn', 'ulimitN', 'nbthread']);
  if (!fields) return undefined;
  const maxconn = r.integer(fields, 'maxconn', 'global', 0, 2_147_483_647);
  const ulimitN = r.integer(fields, 'ulimitN', 'global', 0, 2_147_483_647);
  const nbthread = r.integer(fields, 'nbthread', 'global', 1, 64);
  return {
    ...optional('maxconn', maxconn || undefined),
    ...optional('ulimitN', ulimitN || undefined),
    ...optional('nbthread', nbthread),
  };
}

/** A line of HAProxy text inside an object config: messages name `path`. */
function objectContext(r: ObjectReader, path: string, words: readonly string[], readFile?: (path: string) => string): DirectiveContext {
  return { at: { file: r.source, line: 0 }, words, env: {}, readFile, diagnostics: r.diagnostics, path };
}

/** HAProxy words of a string, with the tokenizer's quoting and escapes; undefined after recording an error. */
function wordsOf(r: ObjectReader, value: unknown, path: string): readonly string[] | undefined {
  if (typeof value !== 'string' || value.trim() === '') return r.error(path, `expected a non-empty string of HAProxy text, got ${JSON.stringify(value)}`);
  const tokens = tokenizeLine(value, {});
  return tokens.ok ? tokens.words : r.error(path, `${tokens.problem} at position ${tokens.position}`);
}

/**
 * `acls`, `httpRequest`, `httpResponse`, `redirects`: each string is the rest
 * of an HAProxy line after its directive, read by that directive's parser.
 * ACLs come first, so that rules can name them.
 */
function readRuleLists(r: ObjectReader, fields: Readonly<Record<string, unknown>>, path: string, draft: ProxyDraft, readFile: ((path: string) => string) | undefined): void {
  for (const [key, directive] of Object.entries(RULE_LISTS)) {
    r.array(fields, key, path, (text, itemPath) => {
      const words = wordsOf(r, text, itemPath);
      if (words) applyProxyDirective(draft, objectContext(r, itemPath, [directive, ...words], readFile));
      return undefined;
    });
  }
}

function readFrontend(r: ObjectReader, value: unknown, path: string, readFile: ((path: string) => string) | undefined): ProxyDraft | undefined {
  const fields = r.fields(value, path, [
    'name', 'isListen', 'binds', 'defaultBackend', 'useBackend', 'forwardFor', 'connectionMode', 'timeouts', 'stats', 'maxconn', 'source',
    ...Object.keys(RULE_LISTS), ...Object.keys(FRONTEND_RULE_VALUES), 'monitorFail',
  ]);
  if (!fields) return undefined;
  const name = readName(r, fields['name'], join(path, 'name'));
  const isListen = r.boolean(fields, 'isListen', path, false);
  const draft: ProxyDraft = { ...emptyDraft(isListen ? 'listen' : 'frontend', name ?? '', readSource(r, fields['source'], join(path, 'source'))), path };
  draft.binds = r.array(fields, 'binds', path, (bind, bindPath) => readBind(r, bind, bindPath)).flat();
  readRuleLists(r, fields, path, draft, readFile);
  for (const [key, directive] of Object.entries(FRONTEND_RULE_VALUES)) {
    const text = r.string(fields, key, path);
    // One word as given: a URI, a header name or a log-format string (no quoting needed).
    if (text !== undefined) applyProxyDirective(draft, objectContext(r, join(path, key), [directive, text], readFile));
  }
  if (fields['monitorFail'] !== undefined) {
    const monitorPath = join(path, 'monitorFail');
    const words = wordsOf(r, fields['monitorFail'], monitorPath);
    if (words) applyProxyDirective(draft, objectContext(r, monitorPath, ['monitor', 'fail', ...(words[0] === 'if' || words[0] === 'unless' ? words : ['if', ...words])], readFile));
  }
  draft.useBackend = r.array(fields, 'useBackend', path, (rule, rulePath) => {
    const ruleFields = r.fields(rule, rulePath, ['backend', 'condition', 'if', 'unless', 'source']);
    if (!ruleFields) return undefined;
    const backend = r.requiredString(ruleFields, 'backend', rulePath);
    const given = (['condition', 'if', 'unless'] as const).filter((key) => ruleFields[key] !== undefined);
    if (given.length > 1) r.error(join(rulePath, given[1]!), `only one of 'condition', 'if' and 'unless' may be given`);
    const key = given[0] ?? 'condition';
    const conditionPath = join(rulePath, key);
    const load = ruleLoad(draft, objectContext(r, conditionPath, [], readFile), 'request');
    const text = ruleFields[key];
    let parsed: Condition | undefined;
    if (key === 'condition') parsed = readCondition(r, text, conditionPath, draft.acls, load);
    else if (typeof text === 'string') parsed = readCondition(r, `${key} ${text}`, conditionPath, draft.acls, load);
    else r.error(conditionPath, `expected HAProxy condition text, got ${JSON.stringify(text)}`);
    const source = readSource(r, ruleFields['source'], join(rulePath, 'source'));
    return backend !== undefined && parsed ? { value: { backend, condition: parsed, source }, source, path: join(rulePath, 'backend') } : undefined;
  });
  const forwardFor = readForwardFor(r, fields['forwardFor'], join(path, 'forwardFor'));
  if (forwardFor) draft.forwardFor = forwardFor;
  const stats = readStats(r, fields['stats'], join(path, 'stats'));
  if (stats) draft.stats = stats;
  draft.maxconn = r.integer(fields, 'maxconn', path, 0, 2_147_483_647, 0);
  const defaultBackend = r.string(fields, 'defaultBackend', path);
  if (defaultBackend !== undefined) draft.defaultBackend = { value: defaultBackend, source: draft.source, path: join(path, 'defaultBackend') };
  draft.connectionMode = r.oneOf(fields, 'connectionMode', path, CONNECTION_MODES, 'keep-alive');
  draft.timeouts = readTimeouts(r, fields['timeouts'], join(path, 'timeouts'));
  return name === undefined ? undefined : draft;
}

/** `{ host, port }` or the `bind` syntax as a string (`":8080"`, `"127.0.0.1:8080,[::1]:8080"`). */
function readBind(r: ObjectReader, value: unknown, path: string): Bind[] | undefined {
  if (typeof value === 'string') {
    const parsed = parseBindAddresses(value, {});
    return parsed.ok ? parsed.value : r.error(path, parsed.problem, parsed.hint);
  }
  const fields = r.fields(value, path, ['host', 'port']);
  if (!fields) return undefined;
  const port = r.integer(fields, 'port', path, 1, 65535);
  if (fields['port'] === undefined) r.error(join(path, 'port'), 'is required');
  const host = r.string(fields, 'host', path, '');
  return port === undefined ? undefined : [{ host: host === '*' ? '' : host.replace(/^\[(.*)\]$/, '$1'), port }];
}

function readBackend(r: ObjectReader, value: unknown, path: string, readFile: ((path: string) => string) | undefined): ProxyDraft | undefined {
  const fields = r.fields(value, path, [
    'name', 'balance', 'servers', 'cookie', 'allBackups', 'redispatch', 'retries', 'httpCheck', 'forwardFor',
    'connectionMode', 'timeouts', 'errorFiles', 'stats', 'source', ...Object.keys(RULE_LISTS),
  ]);
  if (!fields) return undefined;
  const name = readName(r, fields['name'], join(path, 'name'));
  const draft: ProxyDraft = { ...emptyDraft('backend', name ?? '', readSource(r, fields['source'], join(path, 'source'))), path };
  readRuleLists(r, fields, path, draft, readFile);
  const serverNames = new Set<string>();
  draft.servers = r.array(fields, 'servers', path, (value, serverPath) => {
    const server = readServer(r, value, serverPath);
    if (server && serverNames.has(server.name)) return r.error(join(serverPath, 'name'), `another server is named '${server.name}'`, 'please use distinct names');
    if (server) serverNames.add(server.name);
    return server;
  });
  const cookie = readCookie(r, fields['cookie'], join(path, 'cookie'));
  if (cookie) draft.cookie = { value: cookie, source: draft.source, path: join(path, 'cookie') };
  const httpCheck = readHttpCheck(r, fields['httpCheck'], join(path, 'httpCheck'));
  if (httpCheck) {
    const { expectStatus, ...request } = httpCheck;
    draft.httpCheck = request;
    // `expectStatus: N` is the object form of `http-check expect status N`.
    if (expectStatus !== undefined) {
      draft.httpCheckExpect = { value: [{ kind: 'status', ranges: [[expectStatus, expectStatus]], inverse: false }], source: draft.source, path: join(path, 'httpCheck.expectStatus'), inherited: false };
    }
  }
  const forwardFor = readForwardFor(r, fields['forwardFor'], join(path, 'forwardFor'));
  if (forwardFor) draft.forwardFor = forwardFor;
  draft.errorFiles = r.array(fields, 'errorFiles', path, (errorFile, errorPath) => readErrorFile(r, errorFile, errorPath));
  const stats = readStats(r, fields['stats'], join(path, 'stats'));
  if (stats) draft.stats = stats;
  draft.balance = r.oneOf(fields, 'balance', path, BALANCE_ALGORITHMS, 'roundrobin');
  draft.allBackups = r.boolean(fields, 'allBackups', path, false);
  draft.redispatch = r.boolean(fields, 'redispatch', path, false);
  draft.retries = r.integer(fields, 'retries', path, 0, 2_147_483_647, draft.retries);
  draft.connectionMode = r.oneOf(fields, 'connectionMode', path, CONNECTION_MODES, 'keep-alive');
  draft.timeouts = readTimeouts(r, fields['timeouts'], join(path, 'timeouts'));
  return name === undefined ? undefined : draft;
}

function readName(r: ObjectReader, value: unknown, path: string): string | undefined {
  if (typeof value !== 'string' || value === '') return r.error(path, value === undefined ? 'is required' : 'expected a non-empty string');
  if (!ACL_NAME.test(value)) return r.error(path, `invalid name '${value}'`, 'use letters, digits and - _ . : (as HAProxy section names)');
  return value;
}

/**
 * The sections in one list, as the HAProxy reader has them: a listen
 * (`isListen` frontend) takes the backend entry of its name as its backend
 * side. Both lists keep their order: backends listed before a listen's own
 * come before it.
 */
function pairListens(r: ObjectReader, frontends: readonly ProxyDraft[], backends: readonly ProxyDraft[]): ProxyDraft[] {
  const backendOf = (frontend: ProxyDraft) => (frontend.kind === 'listen' ? backends.find((b) => b.name === frontend.name) : undefined);
  const listenSides = new Set(frontends.map(backendOf));
  const pending = [...backends];
  const proxies: ProxyDraft[] = [];
  for (const frontend of frontends) {
    const backend = backendOf(frontend);
    if (frontend.kind === 'listen' && !backend) {
      r.error(`${frontend.path}.isListen`, `listen '${frontend.name}' needs a backend of the same name`, 'add it to backends (a listen section is both)');
    }
    if (backend) {
      const rules = (['httpRequestRules', 'httpResponseRules', 'redirectRules'] as const).some((key) => backend[key].length > 0);
      // A listen runs its rules once, as a frontend (HAProxy text has one section for both).
      if (rules) r.error(backend.path!, `listen '${backend.name}': its rules belong to its frontends[] entry`, 'move httpRequest, httpResponse and redirects there');
      const index = pending.indexOf(backend);
      if (index >= 0) proxies.push(...pending.splice(0, index + 1).filter((b) => !listenSides.has(b)));
      frontend.separateBackend = backend;
    }
    proxies.push(frontend);
  }
  return [...proxies, ...pending.filter((b) => !listenSides.has(b))];
}

/**
 * `userlists: [{ name, groups: ['ops users alice'], users: ['alice password $6$… groups ops'] }]`:
 * each string is a `group` or `user` line of a `userlist` section without its keyword.
 */
function readUserlists(r: ObjectReader, root: Readonly<Record<string, unknown>>): Userlist[] {
  const names = new Set<string>();
  return r.array(root, 'userlists', '', (value, path) => {
    const fields = r.fields(value, path, ['name', 'groups', 'users']);
    if (!fields) return undefined;
    const name = readName(r, fields['name'], join(path, 'name'));
    if (name === undefined) return undefined;
    if (names.has(name)) return r.error(join(path, 'name'), `duplicate userlist '${name}'`);
    names.add(name);
    const draft: UserlistDraft = { name, groups: new Map(), users: [] };
    for (const [key, keyword] of [['groups', 'group'], ['users', 'user']] as const) {
      r.array(fields, key, path, (line, linePath) => {
        const words = wordsOf(r, line, linePath);
        if (words) applyUserlistDirective(draft, objectContext(r, linePath, [keyword, ...words]));
        return undefined;
      });
    }
    return finishUserlist(draft, objectContext(r, path, []));
  });
}
