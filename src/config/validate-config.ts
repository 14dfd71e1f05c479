/**
 * The one validation and defaults pass of both readers: the HAProxy-text
 * reader (parse-haproxy.ts) and the object reader (from-object.ts) translate
 * their syntax into `ProxyDraft`s, and this pass runs the checks that need
 * the whole configuration, as HAProxy does after reading all files: unique
 * section names, backends named by `default_backend`/`use_backend` and by
 * rules (`nbsrv(B)`, `http_auth(L)`) must exist ("unable to find required
 * default_backend"), a few HAProxy warnings become notices; then it builds the
 * `Config`, leaving out what is not set.
 *
 * Messages name the directive and line for HAProxy text, the object path
 * (`frontends[0].defaultBackend`) for an object config.
 */
import type { Diagnostics } from './diagnostics.ts';
import { resolveBindTls } from './bind-options.ts';
import { hasBackendCapability, hasFrontendCapability, type BindDraft, type Located, type ProxyDraft, type StatsDraft, type TimeoutsDraft } from './proxy-draft.ts';
import { closestMatch } from './suggest.ts';
import { TIMEOUT_FIELDS, type Backend, type Bind, type Compression, type Config, type Frontend, type GlobalSettings, type ProxyRules, type SourceLocation, type StatsConfig, type Timeouts, type Userlist } from './types.ts';

/** Everything a reader hands to the pass. */
export interface ConfigDraft {
  /** `frontend`, `backend` and `listen` sections in the order read (never `defaults`). */
  readonly proxies: readonly ProxyDraft[];
  readonly global: GlobalSettings;
  readonly userlists: readonly Userlist[];
}

/** Validates `draft` into a `Config`; problems go to `diagnostics` (the caller throws when there are errors). */
export function validateConfig({ proxies, global, userlists }: ConfigDraft, diagnostics: Diagnostics): Config {
  checkUniqueNames(proxies, diagnostics);
  const frontends = proxies.filter((p) => hasFrontendCapability(p.kind)).map((proxy) => toFrontend(proxy, global, diagnostics));
  const backends = proxies.filter((p) => hasBackendCapability(p.kind)).map((p) => toBackend(backendSide(p)));
  checkBackendReferences(proxies, backends, diagnostics);
  checkRuleReferences(proxies, backends, userlists, diagnostics);
  for (const proxy of proxies) warnLikeHaproxy(proxy, diagnostics);
  checkStatsScopes(proxies, diagnostics);
  if (frontends.length === 0 && proxies.length > 0) {
    diagnostics.notice(proxies[0]!.source, 'no frontend or listen section: nothing will listen (HAProxy: "will not start (no listener)")');
  }
  return { frontends, backends, ...(Object.keys(global).length > 0 ? { global: { ...global } } : {}), ...(userlists.length ? { userlists } : {}) };
}

/** The draft holding a section's backend settings (an object config's listen may have a separate one). */
function backendSide(proxy: ProxyDraft): ProxyDraft {
  return proxy.separateBackend ?? proxy;
}

/** Records an error at `at`: its object path when it has one, else the directive on its line. */
function report(diagnostics: Diagnostics, at: { readonly source: SourceLocation; readonly path?: string | undefined }, directive: string, problem: string, hint?: string): void {
  diagnostics.error(at.source, at.path ?? directive, problem, hint);
}

/** A notice about `at`, naming its object path when it has one. */
function noticeAt(diagnostics: Diagnostics, at: { readonly source: SourceLocation; readonly path?: string | undefined }, text: string): void {
  diagnostics.notice(at.source, at.path !== undefined ? `'${at.path}': ${text}` : text);
}

const describeLocation = (proxy: ProxyDraft) => proxy.path ?? `${proxy.source.file}:${proxy.source.line}`;

/** HAProxy: a frontend and a backend may share a name; a listen shares it with nothing. */
function checkUniqueNames(proxies: readonly ProxyDraft[], diagnostics: Diagnostics): void {
  proxies.forEach((proxy, index) => {
    const clash = proxies.slice(0, index).find((p) => p.name === proxy.name && (proxy.kind === 'listen' || p.kind === 'listen' || p.kind === proxy.kind));
    if (!clash) return;
    report(diagnostics, { source: proxy.source, path: proxy.path && `${proxy.path}.name` }, proxy.kind, `${proxy.kind} '${proxy.name}' has the same name as ${clash.kind} '${proxy.name}' declared at ${describeLocation(clash)}`, 'section names must be unique');
  });
}

/** `http_auth(L)` needs a `userlist L`, `nbsrv(B)` a backend (HAProxy: "unable to find userlist"). */
function checkRuleReferences(proxies: readonly ProxyDraft[], backends: readonly Backend[], userlists: readonly Userlist[], diagnostics: Diagnostics): void {
  for (const proxy of proxies) {
    for (const reference of [...proxy.references, ...(proxy.separateBackend?.references ?? [])]) {
      const { kind, name } = reference;
      const names = kind === 'userlist' ? userlists.map((u) => u.name) : backends.map((b) => b.name);
      if (names.includes(name)) continue;
      const near = closestMatch(name, names);
      report(diagnostics, reference, kind === 'userlist' ? 'http_auth' : 'nbsrv', `unable to find ${kind} '${name}'`, near ? `did you mean '${near}'?` : kind === 'userlist' ? `declare it with 'userlist ${name}'` : undefined);
    }
  }
}

function toFrontend(proxy: ProxyDraft, global: GlobalSettings, diagnostics: Diagnostics): Frontend {
  return {
    name: proxy.name,
    isListen: proxy.kind === 'listen',
    binds: proxy.binds.map((bind) => toBind(bind, global, diagnostics)),
    ...(proxy.defaultBackend ? { defaultBackend: proxy.defaultBackend.value } : {}),
    useBackend: proxy.useBackend.map((rule) => rule.value),
    ...(proxy.forwardFor ? { forwardFor: proxy.forwardFor } : {}),
    connectionMode: proxy.connectionMode,
    timeouts: toTimeouts(proxy.timeouts),
    ...(proxy.stats ? { stats: toStats(proxy.stats) } : {}),
    ...(proxy.maxconn > 0 ? { maxconn: proxy.maxconn } : {}),
    ...compressionOf(proxy),
    ...rulesOf(proxy),
    ...(proxy.monitorUri !== undefined ? { monitorUri: proxy.monitorUri } : {}),
    ...(proxy.monitorFail ? { monitorFail: proxy.monitorFail } : {}),
    ...(proxy.uniqueIdFormat ? { uniqueIdFormat: proxy.uniqueIdFormat } : {}),
    ...(proxy.uniqueIdHeader !== undefined ? { uniqueIdHeader: proxy.uniqueIdHeader } : {}),
    source: proxy.source,
  };
}

function compressionOf(proxy: ProxyDraft): { compression?: Compression } {
  return proxy.compression ? { compression: proxy.compression } : {};
}

/** A bind with its options resolved: TLS settings with the `global` defaults applied. */
function toBind({ host, port, options }: BindDraft, global: GlobalSettings, diagnostics: Diagnostics): Bind {
  if (!options) return { host, port };
  const tls = resolveBindTls(options, global, diagnostics);
  return { host, port, ...(tls ? { tls } : {}), ...(options.name !== undefined ? { name: options.name } : {}) };
}

/** Rule lists, left out when empty so configurations without rules stay as they were. */
function rulesOf(proxy: ProxyDraft): ProxyRules {
  return {
    ...(proxy.httpRequestRules.length ? { httpRequestRules: proxy.httpRequestRules } : {}),
    ...(proxy.redirectRules.length ? { redirectRules: proxy.redirectRules } : {}),
    ...(proxy.httpResponseRules.length ? { httpResponseRules: proxy.httpResponseRules } : {}),
  };
}

function toBackend(proxy: ProxyDraft): Backend {
  return {
    name: proxy.name,
    balance: proxy.balance,
    servers: proxy.servers,
    ...(proxy.cookie ? { cookie: proxy.cookie.value } : {}),
    allBackups: proxy.allBackups,
    redispatch: proxy.redispatch,
    retries: proxy.retries,
    ...(proxy.httpCheck
      ? {
          httpCheck: {
            ...proxy.httpCheck,
            ...proxy.httpCheckSend?.value,
            ...(proxy.httpCheckExpect ? { expect: proxy.httpCheckExpect.value } : {}),
            ...(proxy.disableOn404 ? { disableOn404: true } : {}),
          },
        }
      : {}),
    ...(proxy.forwardFor ? { forwardFor: proxy.forwardFor } : {}),
    connectionMode: proxy.connectionMode,
    timeouts: toTimeouts(proxy.timeouts),
    errorFiles: proxy.errorFiles,
    ...(proxy.stats ? { stats: toStats(proxy.stats) } : {}),
    // A listen runs its rules once, as a frontend.
    ...(proxy.kind === 'backend' ? rulesOf(proxy) : {}),
    ...(proxy.preferLastServer ? { preferLastServer: true } : {}),
    ...(proxy.abortOnClose ? { abortOnClose: true } : {}),
    ...compressionOf(proxy),
    source: proxy.source,
  };
}

function toTimeouts(draft: TimeoutsDraft): Timeouts {
  const timeouts: { -readonly [K in keyof Timeouts]: Timeouts[K] } = {};
  for (const key of TIMEOUT_FIELDS) {
    if (draft[key] !== undefined) timeouts[key] = draft[key];
  }
  return timeouts;
}

function toStats(draft: StatsDraft): StatsConfig {
  return {
    enabled: draft.enabled,
    uri: draft.uri,
    realm: draft.realm,
    users: draft.users,
    ...(draft.refresh !== undefined ? { refresh: draft.refresh } : {}),
    hideVersion: draft.hideVersion,
    showLegends: draft.showLegends,
    admin: draft.admin,
    ...(draft.scope ? { scope: draft.scope.map((entry) => entry.value) } : {}),
    ...(draft.adminTokenKey !== undefined ? { adminTokenKey: draft.adminTokenKey } : {}),
    ...(draft.jwt ? { jwt: draft.jwt } : {}),
    ...(draft.prometheusPath !== undefined ? { prometheusPath: draft.prometheusPath } : {}),
    ...(draft.loginThrottle !== undefined ? { loginThrottle: draft.loginThrottle } : {}),
  };
}

function checkBackendReferences(proxies: readonly ProxyDraft[], backends: readonly Backend[], diagnostics: Diagnostics): void {
  const names = backends.map((b) => b.name);
  const hint = (name: string) => {
    const suggestion = closestMatch(name, names);
    return suggestion ? `did you mean '${suggestion}'?` : names.length > 0 ? `known backends: ${names.join(', ')}` : 'there is no backend or listen section';
  };
  for (const proxy of proxies) {
    if (!hasFrontendCapability(proxy.kind)) continue;
    const references: { directive: string; name: string; at: Located<unknown> }[] = [
      ...(proxy.defaultBackend ? [{ directive: 'default_backend', name: proxy.defaultBackend.value, at: proxy.defaultBackend }] : []),
      ...proxy.useBackend.map((rule) => ({ directive: 'use_backend', name: rule.value.backend, at: rule })),
    ];
    for (const { directive, name, at } of references) {
      if (!names.includes(name)) {
        report(diagnostics, at, directive, `${proxy.kind} '${proxy.name}': unable to find required ${directive} '${name}'`, hint(name));
      } else if (proxy.kind === 'listen' && name === proxy.name) {
        // HAProxy: "Proxy 'app': loop detected for use_backend: 'app'" (a listen
        // already uses its own servers when no rule matches).
        report(diagnostics, at, directive, `listen '${proxy.name}': loop detected for ${directive} '${name}'`, 'a listen section already uses its own servers; remove the rule');
      }
    }
  }
}

/**
 * `stats scope NAME` where no proxy is called NAME: HAProxy accepts it
 * silently and lists nothing for it, which looks like a broken page.
 */
function checkStatsScopes(proxies: readonly ProxyDraft[], diagnostics: Diagnostics): void {
  const names = proxies.map((p) => p.name);
  const reported = new Set<string>(); // lines of a `defaults` section reach every proxy after it
  for (const proxy of proxies.flatMap((p) => (p.separateBackend ? [p, p.separateBackend] : [p]))) {
    for (const entry of proxy.stats?.scope ?? []) {
      const { value, source } = entry;
      const line = entry.path ?? `${source.file}:${source.line}`;
      if (value === '.' || names.includes(value) || reported.has(line)) continue;
      reported.add(line);
      const suggestion = closestMatch(value, names);
      noticeAt(diagnostics, entry, `'stats scope ${value}': no proxy is called '${value}', so it shows nothing${suggestion ? ` (did you mean '${suggestion}'?)` : ''}`);
    }
  }
}

/** HAProxy's warnings that concern us, as notices. */
function warnLikeHaproxy(proxy: ProxyDraft, diagnostics: Diagnostics): void {
  const label = `${proxy.kind} '${proxy.name}'`;
  const backend = backendSide(proxy);
  if (hasFrontendCapability(proxy.kind) && proxy.binds.length === 0) {
    noticeAt(diagnostics, proxy, `${label} has no 'bind' directive, so it receives no traffic${proxy.kind === 'frontend' ? ' (declare it as a backend if this was intended)' : ''}`);
  }
  if (hasBackendCapability(proxy.kind)) {
    const withCookie = backend.servers.filter((s) => s.cookie !== undefined);
    if (backend.cookie && backend.servers.length > 0 && withCookie.length === 0) {
      noticeAt(diagnostics, backend.cookie, `${label} has 'cookie ${backend.cookie.value.name}' but no server has a 'cookie VALUE', so persistence never applies`);
    }
    if (!backend.cookie && withCookie.length > 0) {
      noticeAt(diagnostics, { source: withCookie[0]!.source, path: backend.path }, `${label}: server cookie values are unused without a 'cookie NAME insert|prefix|rewrite' line`);
    }
  }
  const missing = [
    ...(hasFrontendCapability(proxy.kind) ? (['client'] as const).filter((key) => proxy.timeouts[key] === undefined) : []),
    ...(hasBackendCapability(proxy.kind) ? (['connect', 'server'] as const).filter((key) => backend.timeouts[key] === undefined) : []),
  ];
  if (missing.length > 0) {
    noticeAt(diagnostics, proxy, `missing timeouts for ${label}: ${missing.map((m) => `timeout ${m}`).join(', ')} (no limit; HAProxy warns about this too)`);
  }
}
