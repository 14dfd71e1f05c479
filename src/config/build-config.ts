/**
 * Turns the parsed sections into the `Config` and runs the checks that need
 * the whole configuration, as HAProxy does after reading all files: backends
 * named by `default_backend`/`use_backend` must exist ("unable to find
 * required default_backend"), and a few HAProxy warnings become notices.
 */
import type { Diagnostics } from './diagnostics.ts';
import { resolveBindTls } from './bind-options.ts';
import { hasBackendCapability, hasFrontendCapability, type BindDraft, type ProxyDraft, type StatsDraft, type TimeoutsDraft } from './proxy-draft.ts';
import { closestMatch } from './suggest.ts';
import { TIMEOUT_FIELDS, type Backend, type Bind, type Config, type Frontend, type GlobalSettings, type ProxyRules, type StatsConfig, type Timeouts, type Userlist } from './types.ts';

export function buildConfig(proxies: readonly ProxyDraft[], global: GlobalSettings, diagnostics: Diagnostics, userlists: readonly Userlist[] = []): Config {
  const frontends = proxies.filter((p) => hasFrontendCapability(p.kind)).map((proxy) => toFrontend(proxy, global, diagnostics));
  const backends = proxies.filter((p) => hasBackendCapability(p.kind)).map(toBackend);
  checkBackendReferences(proxies, backends, diagnostics);
  checkRuleReferences(proxies, backends, userlists, diagnostics);
  for (const proxy of proxies) warnLikeHaproxy(proxy, diagnostics);
  checkStatsScopes(proxies, diagnostics);
  if (frontends.length === 0 && proxies.length > 0) {
    diagnostics.notice(proxies[0]!.source, 'no frontend or listen section: nothing will listen (HAProxy: "will not start (no listener)")');
  }
  return { frontends, backends, ...(Object.keys(global).length > 0 ? { global: { ...global } } : {}), ...(userlists.length ? { userlists } : {}) };
}

/** `http_auth(L)` needs a `userlist L`, `nbsrv(B)` a backend (HAProxy: "unable to find userlist"). */
function checkRuleReferences(proxies: readonly ProxyDraft[], backends: readonly Backend[], userlists: readonly Userlist[], diagnostics: Diagnostics): void {
  for (const proxy of proxies) {
    for (const { kind, name, source } of proxy.references) {
      const names = kind === 'userlist' ? userlists.map((u) => u.name) : backends.map((b) => b.name);
      if (names.includes(name)) continue;
      const near = closestMatch(name, names);
      diagnostics.error(source, kind === 'userlist' ? 'http_auth' : 'nbsrv', `unable to find ${kind} '${name}'`, near ? `did you mean '${near}'?` : kind === 'userlist' ? `declare it with 'userlist ${name}'` : undefined);
    }
  }
}

function toFrontend(proxy: ProxyDraft, global: GlobalSettings, diagnostics: Diagnostics): Frontend {
  return {
    name: proxy.name,
    isListen: proxy.kind === 'listen',
    binds: proxy.binds.map((bind) => toBind(bind, global, diagnostics)),
    ...(proxy.defaultBackend ? { defaultBackend: proxy.defaultBackend.value } : {}),
    useBackend: proxy.useBackend,
    ...(proxy.forwardFor ? { forwardFor: proxy.forwardFor } : {}),
    connectionMode: proxy.connectionMode,
    timeouts: toTimeouts(proxy.timeouts),
    ...(proxy.stats ? { stats: toStats(proxy.stats) } : {}),
    ...(proxy.maxconn > 0 ? { maxconn: proxy.maxconn } : {}),
    ...rulesOf(proxy),
    ...(proxy.monitorUri !== undefined ? { monitorUri: proxy.monitorUri } : {}),
    ...(proxy.monitorFail ? { monitorFail: proxy.monitorFail } : {}),
    ...(proxy.uniqueIdFormat ? { uniqueIdFormat: proxy.uniqueIdFormat } : {}),
    ...(proxy.uniqueIdHeader !== undefined ? { uniqueIdHeader: proxy.uniqueIdHeader } : {}),
    source: proxy.source,
  };
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
      ? { httpCheck: { ...proxy.httpCheck, ...proxy.httpCheckSend?.value, ...(proxy.expectStatus ? { expectStatus: proxy.expectStatus.value } : {}) } }
      : {}),
    ...(proxy.forwardFor ? { forwardFor: proxy.forwardFor } : {}),
    connectionMode: proxy.connectionMode,
    timeouts: toTimeouts(proxy.timeouts),
    errorFiles: proxy.errorFiles,
    ...(proxy.stats ? { stats: toStats(proxy.stats) } : {}),
    ...(proxy.kind === 'backend' ? rulesOf(proxy) : {}),
    ...(proxy.preferLastServer ? { preferLastServer: true } : {}),
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
    enabled: true,
    uri: draft.uri,
    realm: draft.realm,
    users: draft.users,
    ...(draft.refresh !== undefined ? { refresh: draft.refresh } : {}),
    hideVersion: draft.hideVersion,
    showLegends: draft.showLegends,
    admin: draft.admin,
    ...(draft.scope ? { scope: draft.scope.map((entry) => entry.value) } : {}),
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
    const references = [
      ...(proxy.defaultBackend ? [{ directive: 'default_backend', name: proxy.defaultBackend.value, source: proxy.defaultBackend.source }] : []),
      ...proxy.useBackend.map((rule) => ({ directive: 'use_backend', name: rule.backend, source: rule.source })),
    ];
    for (const { directive, name, source } of references) {
      if (!names.includes(name)) {
        diagnostics.error(source, directive, `${proxy.kind} '${proxy.name}': unable to find required ${directive} '${name}'`, hint(name));
      } else if (proxy.kind === 'listen' && name === proxy.name) {
        // HAProxy: "Proxy 'app': loop detected for use_backend: 'app'" (a listen
        // already uses its own servers when no rule matches).
        diagnostics.error(source, directive, `listen '${proxy.name}': loop detected for ${directive} '${name}'`, 'a listen section already uses its own servers; remove the rule');
      }
    }
  }
}

/**
 * `stats scope NAME` where no proxy is called NAME: HAProxy accepts it
 * silently and lists nothing for it, which looks like a broken page.
 */
function checkStatsScopes(proxies: readonly ProxyDraft[], diagnostics: Diagnostics): void {
  const names = proxies.filter((p) => p.kind !== 'defaults').map((p) => p.name);
  const reported = new Set<string>(); // lines of a `defaults` section reach every proxy after it
  for (const proxy of proxies) {
    for (const { value, source } of proxy.stats?.scope ?? []) {
      const line = `${source.file}:${source.line}`;
      if (value === '.' || names.includes(value) || reported.has(line)) continue;
      reported.add(line);
      const suggestion = closestMatch(value, names);
      diagnostics.notice(source, `'stats scope ${value}': no proxy is called '${value}', so it shows nothing${suggestion ? ` (did you mean '${suggestion}'?)` : ''}`);
    }
  }
}

/** HAProxy's warnings that concern us, as notices. */
function warnLikeHaproxy(proxy: ProxyDraft, diagnostics: Diagnostics): void {
  const label = `${proxy.kind} '${proxy.name}'`;
  if (hasFrontendCapability(proxy.kind) && proxy.binds.length === 0) {
    diagnostics.notice(proxy.source, `${label} has no 'bind' directive, so it receives no traffic${proxy.kind === 'frontend' ? ' (declare it as a backend if this was intended)' : ''}`);
  }
  if (hasBackendCapability(proxy.kind)) {
    const withCookie = proxy.servers.filter((s) => s.cookie !== undefined);
    if (proxy.cookie && proxy.servers.length > 0 && withCookie.length === 0) {
      diagnostics.notice(proxy.cookie.source, `${label} has 'cookie ${proxy.cookie.value.name}' but no server has a 'cookie VALUE', so persistence never applies`);
    }
    if (!proxy.cookie && withCookie.length > 0) {
      diagnostics.notice(withCookie[0]!.source, `${label}: server cookie values are unused without a 'cookie NAME insert|prefix|rewrite' line`);
    }
  }
  const wanted: (keyof TimeoutsDraft)[] = [
    ...(hasFrontendCapability(proxy.kind) ? (['client'] as const) : []),
    ...(hasBackendCapability(proxy.kind) ? (['connect', 'server'] as const) : []),
  ];
  const missing = wanted.filter((key) => proxy.timeouts[key] === undefined);
  if (missing.length > 0) {
    diagnostics.notice(proxy.source, `missing timeouts for ${label}: ${missing.map((m) => `timeout ${m}`).join(', ')} (no limit; HAProxy warns about this too)`);
  }
}
