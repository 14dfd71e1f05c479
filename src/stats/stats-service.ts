/**
 * The stats endpoint of the sections that have `stats enable`: decides which
 * requests are stats requests (see stats-request.ts), authenticates them, and
 * answers with the dashboard, CSV, JSON, Prometheus text or an admin action.
 * Requests it answers are counted on the frontend, as HAProxy counts them
 * (and as `intercepted`).
 */
import { Hono, type Context } from 'hono';
import type { StatsConfig } from '../config/types.ts';
import type { BalancerDeps } from '../deps.ts';
import type { BalancerState, FrontendRuntime } from '../balancer/balancer-state.ts';
import { countRequestEnd, countRequestStart, countResponseStatus } from '../balancer/counters.ts';
import { collectStats, statsRows, type CollectOptions, type ProxyStats } from './collect.ts';
import { countersLookup } from '../balancer/fleet-figures.ts';
import { renderCsv } from './render-csv.ts';
import { renderJson } from './render-json.ts';
import { renderPrometheus } from './render-prometheus.ts';
import { statsAuth, type StatsAuthEnv } from './auth.ts';
import { builtinErrorResponse } from '../proxy/error-pages.ts';
import { errorResponse } from '../proxy/responses.ts';
import { isStatsRequest, parseStatsRequest } from './stats-request.ts';
import { inStatsScope } from './stats-scope.ts';
import {
  applyAdminRequest,
  CsrfTokens,
  describeChange,
  isSameOrigin,
  parseAdminForm,
  parseAdminJson,
  type AdminRequest,
  type AdminResult,
} from './admin.ts';

export interface StatsServiceOptions {
  /** Shown on the dashboard unless `stats hide-version`. */
  readonly version?: string;
}

export interface StatsService {
  /**
   * The answer to `request` when it is a stats request of a section with
   * `stats` (`section` is that section's StatsConfig), otherwise undefined:
   * the caller balances the request as usual. `clientAddress` keys the
   * failed-login throttle. `target` is the request-target as received (the
   * URL's path and query by default, which the Fetch API normalised).
   */
  serve(
    section: StatsConfig | undefined,
    frontend: FrontendRuntime,
    request: Request,
    clientAddress?: string,
    target?: string,
  ): Promise<Response> | undefined;
}

type StatsEnv = StatsAuthEnv;

/** Largest admin request body read (a form with a few hundred servers fits). */
const MAX_ADMIN_BODY = 64 * 1024;

export function createStatsService(
  state: BalancerState,
  deps: Pick<BalancerDeps, 'clock' | 'logger' | 'timers' | 'fleet'>,
  options: StatsServiceOptions = {},
): StatsService {
  const apps = new WeakMap<StatsConfig, Hono<StatsEnv>>();

  /** The proxies `visible` lets through (`stats scope`), numbered as in the whole configuration. */
  const collect = (
    request: { hideDown: boolean; hideMaint: boolean },
    visible: (name: string) => boolean,
    counters?: CollectOptions['counters'],
  ): ProxyStats[] =>
    collectStats(state, {
      now: deps.clock.now(),
      hideDown: request.hideDown,
      hideMaint: request.hideMaint,
      counters,
    }).filter((proxy) => visible(proxy.name));

  /** With several copies (deps.fleet), the page shows their counters added up rather than this copy's. */
  async function fleetCounters(): Promise<CollectOptions['counters']> {
    return deps.fleet ? countersLookup(await deps.fleet.counters()) : undefined;
  }

  /** The section whose `stats` lines these are (a `listen`'s are on its frontend and its backend). */
  function ownerOf(stats: StatsConfig): string {
    for (const { frontend } of state.frontends.values()) if (frontend.stats === stats) return frontend.name;
    for (const { backend } of state.backends.values()) if (backend.stats === stats) return backend.name;
    return '';
  }

  function buildApp(stats: StatsConfig): Hono<StatsEnv> {
    const owner = ownerOf(stats);
    const visible = (name: string) => inStatsScope(stats, owner, name);
    const tokens = new CsrfTokens(owner, stats.adminTokenKey ?? deps.fleet?.adminTokenKey);
    const app = new Hono<StatsEnv>();
    app.use('*', statsAuth(stats, deps));

    app.get('*', async (c) => {
      const url = new URL(c.req.url);
      const request = parseStatsRequest(stats, url.pathname + url.search);
      const proxies = collect(request, visible, await fleetCounters());
      const headers: Record<string, string> = { 'cache-control': 'no-cache' };
      switch (request.format) {
        case 'csv':
          return c.body(renderCsv(statsRows(proxies)), 200, { ...headers, 'content-type': 'text/plain' });
        case 'json':
          return c.body(renderJson(statsRows(proxies)), 200, { ...headers, 'content-type': 'application/json' });
        case 'prometheus':
          return c.body(renderPrometheus(proxies), 200, { ...headers, 'content-type': 'text/plain; version=0.0.4' });
        case 'html': {
          const user = c.get('statsUser');
          // The page's JSX is loaded on the first view: CSV, JSON and Prometheus scrapers never need it.
          const { renderDashboard } = await import('./dashboard.tsx');
          const html = await renderDashboard({
            stats,
            request,
            proxies,
            uptime: deps.clock.now() - state.startedAt,
            user,
            csrfToken: stats.admin ? await tokens.issue(user, deps.clock.now()) : undefined,
            version: options.version,
          });
          if (stats.refresh !== undefined && !request.noRefresh) headers.refresh = String(Math.max(1, Math.round(stats.refresh / 1000)));
          return c.body(html, 200, { ...headers, 'content-type': 'text/html; charset=utf-8' });
        }
      }
    });

    app.post('*', async (c) => {
      const json = (c.req.header('content-type') ?? '').toLowerCase().startsWith('application/json');
      const user = c.get('statsUser');
      const answer = (result: AdminResult, changes: ReturnType<typeof applyAdminRequest>['changes'] = []) =>
        json ? jsonAnswer(c, result, changes) : redirectAnswer(c, stats, result);
      if (!stats.admin || !isSameOrigin(c.req.raw)) return answer('DENY');
      const body = await readLimited(c.req.raw, MAX_ADMIN_BODY);
      if (body === undefined) return errorResponse(builtinErrorResponse(413));
      let admin: AdminRequest | undefined;
      if (json) {
        try {
          admin = parseAdminJson(JSON.parse(body));
        } catch {
          admin = undefined;
        }
      } else {
        const form = new URLSearchParams(body);
        if (!(await tokens.verify(form.get('token') ?? '', user, deps.clock.now()))) return answer('DENY');
        admin = parseAdminForm(form);
      }
      if (!admin) return answer('ERRP');
      // Out-of-scope backends are unknown here: ERRP, as for a name that does not exist.
      const backends = [...state.backends.values()].filter((b) => visible(b.backend.name));
      const proxyIdOf = (backend: string) => collect({ hideDown: false, hideMaint: false }, visible).find((p) => p.name === backend)?.proxyId;
      const outcome = applyAdminRequest(backends, proxyIdOf, admin);
      for (const change of outcome.changes) deps.logger.info(describeChange(user, change));
      if (outcome.changes.length > 0) deps.fleet?.adminChanged(outcome.changes);
      return answer(outcome.result, outcome.changes);
    });
    return app;
  }

  return {
    serve(section, frontend, request, clientAddress, target) {
      const url = new URL(request.url);
      if (!isStatsRequest(section, request.method, target ?? url.pathname + url.search)) return undefined;
      let app = apps.get(section);
      if (!app) apps.set(section, (app = buildApp(section)));
      return countedResponse(app, frontend, request, clientAddress);
    },
  };

  async function countedResponse(app: Hono<StatsEnv>, frontend: FrontendRuntime, request: Request, clientAddress?: string): Promise<Response> {
    const c = frontend.counters;
    countRequestStart(c, deps.clock.now());
    c.intercepted++;
    let headBytes = request.method.length + request.url.length + 12;
    request.headers.forEach((value, name) => (headBytes += name.length + value.length + 4));
    try {
      const response = await app.fetch(request, { clientAddress });
      const body = await response.arrayBuffer();
      countResponseStatus(c, response.status);
      c.bytesIn += headBytes;
      c.bytesOut += body.byteLength;
      return new Response(request.method === 'HEAD' || body.byteLength === 0 ? null : body, {
        status: response.status,
        headers: response.headers,
      });
    } finally {
      countRequestEnd(c);
    }
  }
}

/** HAProxy answers its admin form with `303 See Other` to `<uri>;st=<RESULT>`. */
function redirectAnswer(c: Context<StatsEnv>, stats: StatsConfig, result: AdminResult): Response {
  return c.body(null, 303, {
    'cache-control': 'no-cache',
    'content-type': 'text/plain',
    location: `${stats.uri};st=${result}`,
  });
}

const JSON_STATUS: Record<AdminResult, 200 | 400 | 403> = { DONE: 200, PART: 200, NONE: 400, ERRP: 400, DENY: 403 };

function jsonAnswer(c: Context<StatsEnv>, result: AdminResult, changes: ReturnType<typeof applyAdminRequest>['changes']): Response {
  return c.json(
    {
      result,
      changes: changes.map((ch) => ({ backend: ch.backend, server: ch.server, state: ch.after.mode, weight: ch.after.weight })),
    },
    JSON_STATUS[result],
    { 'cache-control': 'no-cache' },
  );
}

/**
 * The body as text, or undefined as soon as it is longer than `limit` bytes:
 * the count is kept while reading, so a chunked body (which declares no
 * length) or a lying Content-Length costs at most `limit` bytes of memory.
 * What follows is left unread; the 413 page closes the connection.
 */
async function readLimited(request: Request, limit: number): Promise<string | undefined> {
  if (Number(request.headers.get('content-length') ?? 0) > limit) return undefined;
  if (!request.body) return '';
  const reader = request.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    size += value.byteLength;
    if (size > limit) {
      reader.cancel().catch(() => {});
      return undefined;
    }
    text += decoder.decode(value, { stream: true });
  }
}
