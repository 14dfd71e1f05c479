/**
 * Validates a plain object (JSON or TypeScript) of the shape of `Config` and
 * returns the same frozen `Config` the HAProxy-syntax parser produces.
 * Optional fields get HAProxy's defaults; durations are milliseconds or
 * HAProxy time strings ("2s"); binds may be objects or strings (":8080").
 * Errors carry `line: 0` and the JSON path in `directive`.
 */
import { parseBindAddresses } from './address.ts';
import { ACL_NAME } from '../rules/acl.ts';
import { deepFreeze } from './deep-freeze.ts';
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
import { closestMatch } from './suggest.ts';
import type { Backend, BalanceAlgorithm, Bind, Config, ConnectionMode, Frontend, GlobalSettings, UseBackendRule } from './types.ts';

const BALANCE: readonly BalanceAlgorithm[] = ['roundrobin', 'static-rr', 'leastconn', 'first', 'random'];
const CONNECTION_MODES: readonly ConnectionMode[] = ['keep-alive', 'server-close', 'close'];

/** Throws `ConfigErrors` listing every problem found. */
export function configFromObject(input: unknown, source = '<object>'): Config {
  const diagnostics = new Diagnostics();
  const r = new ObjectReader(source, diagnostics);
  const root = r.fields(input, '', ['frontends', 'backends', 'global']);
  const frontends = root ? r.array(root, 'frontends', '', (value, path) => readFrontend(r, value, path)) : [];
  const backends = root ? r.array(root, 'backends', '', (value, path) => readBackend(r, value, path)) : [];
  const global = root?.['global'] === undefined ? undefined : readGlobal(r, root['global']);
  if (root) checkNames(r, frontends, backends);
  if (diagnostics.errors.length > 0) throw new ConfigErrors(diagnostics.errors);
  return deepFreeze({ frontends, backends, ...optional('global', global) });
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

function readFrontend(r: ObjectReader, value: unknown, path: string): Frontend | undefined {
  const fields = r.fields(value, path, ['name', 'isListen', 'binds', 'defaultBackend', 'useBackend', 'forwardFor', 'connectionMode', 'timeouts', 'stats', 'maxconn', 'source']);
  if (!fields) return undefined;
  const name = readName(r, fields['name'], join(path, 'name'));
  const binds = r.array(fields, 'binds', path, (bind, bindPath) => readBind(r, bind, bindPath)).flat();
  const useBackend = r.array(fields, 'useBackend', path, (rule, rulePath): UseBackendRule | undefined => {
    const ruleFields = r.fields(rule, rulePath, ['backend', 'condition', 'source']);
    if (!ruleFields) return undefined;
    const backend = r.requiredString(ruleFields, 'backend', rulePath);
    const condition = readCondition(r, ruleFields['condition'], join(rulePath, 'condition'));
    const source = readSource(r, ruleFields['source'], join(rulePath, 'source'));
    return backend !== undefined && condition ? { backend, condition, source } : undefined;
  });
  const forwardFor = readForwardFor(r, fields['forwardFor'], join(path, 'forwardFor'));
  const stats = readStats(r, fields['stats'], join(path, 'stats'));
  const maxconn = r.integer(fields, 'maxconn', path, 0, 2_147_483_647);
  if (name === undefined) return undefined;
  return {
    name,
    isListen: r.boolean(fields, 'isListen', path, false),
    binds,
    ...optional('defaultBackend', r.string(fields, 'defaultBackend', path)),
    useBackend,
    ...optional('forwardFor', forwardFor),
    connectionMode: r.oneOf(fields, 'connectionMode', path, CONNECTION_MODES, 'keep-alive'),
    timeouts: readTimeouts(r, fields['timeouts'], join(path, 'timeouts')),
    ...optional('stats', stats),
    ...optional('maxconn', maxconn || undefined),
    source: readSource(r, fields['source'], join(path, 'source')),
  };
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

function readBackend(r: ObjectReader, value: unknown, path: string): Backend | undefined {
  const fields = r.fields(value, path, [
    'name', 'balance', 'servers', 'cookie', 'allBackups', 'redispatch', 'retries', 'httpCheck', 'forwardFor',
    'connectionMode', 'timeouts', 'errorFiles', 'stats', 'source',
  ]);
  if (!fields) return undefined;
  const name = readName(r, fields['name'], join(path, 'name'));
  const serverNames = new Set<string>();
  const servers = r.array(fields, 'servers', path, (value, serverPath) => {
    const server = readServer(r, value, serverPath);
    if (server && serverNames.has(server.name)) return r.error(join(serverPath, 'name'), `another server is named '${server.name}'`, 'please use distinct names');
    if (server) serverNames.add(server.name);
    return server;
  });
  const cookie = readCookie(r, fields['cookie'], join(path, 'cookie'));
  const httpCheck = readHttpCheck(r, fields['httpCheck'], join(path, 'httpCheck'));
  const forwardFor = readForwardFor(r, fields['forwardFor'], join(path, 'forwardFor'));
  const errorFiles = r.array(fields, 'errorFiles', path, (errorFile, errorPath) => readErrorFile(r, errorFile, errorPath));
  const stats = readStats(r, fields['stats'], join(path, 'stats'));
  const maxconn = r.integer(fields, 'maxconn', path, 0, 2_147_483_647);
  if (name === undefined) return undefined;
  return {
    name,
    balance: r.oneOf(fields, 'balance', path, BALANCE, 'roundrobin'),
    servers,
    ...optional('cookie', cookie),
    allBackups: r.boolean(fields, 'allBackups', path, false),
    redispatch: r.boolean(fields, 'redispatch', path, false),
    retries: r.integer(fields, 'retries', path, 0, 2_147_483_647, 3),
    ...optional('httpCheck', httpCheck),
    ...optional('forwardFor', forwardFor),
    connectionMode: r.oneOf(fields, 'connectionMode', path, CONNECTION_MODES, 'keep-alive'),
    timeouts: readTimeouts(r, fields['timeouts'], join(path, 'timeouts')),
    errorFiles,
    ...optional('stats', stats),
    source: readSource(r, fields['source'], join(path, 'source')),
  };
}

function readName(r: ObjectReader, value: unknown, path: string): string | undefined {
  if (typeof value !== 'string' || value === '') return r.error(path, value === undefined ? 'is required' : 'expected a non-empty string');
  if (!ACL_NAME.test(value)) return r.error(path, `invalid name '${value}'`, 'use letters, digits and - _ . : (as HAProxy section names)');
  return value;
}

/** The same whole-config checks as for HAProxy syntax: unique names, known backends, listen pairs. */
function checkNames(r: ObjectReader, frontends: readonly Frontend[], backends: readonly Backend[]): void {
  frontends.forEach((frontend, index) => {
    if (frontends.findIndex((f) => f.name === frontend.name) !== index) r.error(`frontends[${index}].name`, `another frontend is named '${frontend.name}'`);
  });
  backends.forEach((backend, index) => {
    if (backends.findIndex((b) => b.name === backend.name) !== index) r.error(`backends[${index}].name`, `another backend is named '${backend.name}'`);
  });
  const names = backends.map((b) => b.name);
  const hint = (name: string) => {
    const suggestion = closestMatch(name, names);
    return suggestion ? `did you mean '${suggestion}'?` : `known backends: ${names.join(', ') || '(none)'}`;
  };
  frontends.forEach((frontend, index) => {
    const path = `frontends[${index}]`;
    if (frontend.isListen && !names.includes(frontend.name)) {
      r.error(`${path}.isListen`, `listen '${frontend.name}' needs a backend of the same name`, 'add it to backends (a listen section is both)');
    }
    const references = [
      ...(frontend.defaultBackend !== undefined ? [{ at: `${path}.defaultBackend`, name: frontend.defaultBackend }] : []),
      ...frontend.useBackend.map((rule, ruleIndex) => ({ at: `${path}.useBackend[${ruleIndex}].backend`, name: rule.backend })),
    ];
    for (const { at, name } of references) {
      if (!names.includes(name)) r.error(at, `unknown backend '${name}'`, hint(name));
      else if (frontend.isListen && name === frontend.name) r.error(at, `listen '${name}' routes to itself (HAProxy: loop detected)`, 'a listen already uses its own servers');
    }
  });
}
