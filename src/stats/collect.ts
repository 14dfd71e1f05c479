/**
 * Stats as data: one row per frontend, server and backend, keyed by HAProxy's
 * stats field names (`scur`, `stot`, `hrsp_2xx`, `check_status`, …), in
 * HAProxy's order: proxies as declared, each as FRONTEND, its servers, BACKEND.
 * Every renderer (HTML, CSV, JSON, Prometheus) reads these rows and nothing else.
 */
import type { Backend, Frontend, Server } from '../config/types.ts';
import type { BalancerState } from '../balancer/balancer-state.ts';
import type { BackendRuntime } from '../balancer/backend-runtime.ts';
import type { TrafficCounters } from '../balancer/counters.ts';
import { checkStatusDescription, checkStatusHasCode } from '../health/check-status-text.ts';
import type { ObjType, StatsFieldName } from './fields.ts';
import { backendStatusText, backendWeights, serverStatusText } from './server-status.ts';

export type StatsValue = string | number;
export type StatsFields = Partial<Record<StatsFieldName, StatsValue>>;

export interface StatsRow {
  readonly objType: ObjType;
  /** `iid`: the proxy's number, 1-based in declaration order. */
  readonly proxyId: number;
  /** `sid`: the server's number within its backend (1-based), 0 for FRONTEND/BACKEND. */
  readonly id: number;
  readonly fields: StatsFields;
}

/** One HAProxy proxy: a `listen` has both parts, a `frontend` or `backend` one. */
export interface ProxyStats {
  readonly name: string;
  readonly proxyId: number;
  readonly frontend?: StatsRow;
  readonly servers: readonly StatsRow[];
  readonly backend?: StatsRow;
}

export interface CollectOptions {
  /** ms since epoch. */
  readonly now: number;
  /** `;up`: leave out servers that are DOWN. */
  readonly hideDown?: boolean;
  /** `;no-maint`: leave out servers in maintenance. */
  readonly hideMaint?: boolean;
  /**
   * The counters to show for a scope (`frontend/NAME`, `backend/NAME`,
   * `server/BACKEND/SERVER`, as in fleet-figures.ts) instead of this
   * balancer's own: every worker's, added up.
   */
  readonly counters?: (scope: string) => TrafficCounters | undefined;
}


export function collectStats(state: BalancerState, options: CollectOptions): ProxyStats[] {
  return proxiesInOrder(state.config.frontends, state.config.backends).map(({ name, frontend, backend }, index) => {
    const proxyId = index + 1;
    const runtime = backend ? state.backends.get(backend.name) : undefined;
    const own = frontend ? state.frontends.get(frontend.name)?.counters : undefined;
    const frontendCounters = own && frontend ? (options.counters?.(`frontend/${frontend.name}`) ?? own) : undefined;
    return {
      name,
      proxyId,
      frontend:
        frontend && frontendCounters
          ? frontendRow(frontend, frontendCounters, proxyId)
          : undefined,
      servers: runtime ? serverRows(runtime, proxyId, state.startedAt, options) : [],
      backend: runtime ? backendRow(runtime, proxyId, state.startedAt, options) : undefined,
    };
  });
}

/** All rows in HAProxy's order, as `;csv` and `;json` list them. */
export function statsRows(proxies: readonly ProxyStats[]): StatsRow[] {
  return proxies.flatMap((p) => [...(p.frontend ? [p.frontend] : []), ...p.servers, ...(p.backend ? [p.backend] : [])]);
}

/**
 * Sections in declaration order; a `listen` section is one proxy with both a
 * frontend and a backend (the parser gives both the same name and location).
 */
function proxiesInOrder(
  frontends: readonly Frontend[],
  backends: readonly Backend[],
): { name: string; frontend?: Frontend; backend?: Backend }[] {
  const proxies: { name: string; frontend?: Frontend; backend?: Backend; file: string; line: number; seq: number }[] = [];
  for (const frontend of frontends) proxies.push({ name: frontend.name, frontend, ...frontend.source, seq: proxies.length });
  for (const backend of backends) {
    const listen = proxies.find((p) => p.frontend?.isListen && p.name === backend.name && !p.backend);
    if (listen) listen.backend = backend;
    else proxies.push({ name: backend.name, backend, ...backend.source, seq: proxies.length });
  }
  // Files in the order they first appear, then lines; equal places keep their order.
  const files = [...new Set(proxies.map((p) => p.file))];
  return proxies.sort((a, b) => files.indexOf(a.file) - files.indexOf(b.file) || a.line - b.line || a.seq - b.seq);
}

function trafficFields(c: TrafficCounters): StatsFields {
  return {
    scur: c.current,
    smax: c.max,
    stot: c.total,
    bin: c.bytesIn,
    bout: c.bytesOut,
    hrsp_1xx: c.responses[0],
    hrsp_2xx: c.responses[1],
    hrsp_3xx: c.responses[2],
    hrsp_4xx: c.responses[3],
    hrsp_5xx: c.responses[4],
    hrsp_other: c.responses[5],
    req_tot: c.total,
  };
}

/** comp_* of a frontend or backend (servers leave them empty, as haproxy). */
function compressionFields(c: TrafficCounters): StatsFields {
  return { comp_in: c.compressedIn, comp_out: c.compressedOut, comp_byp: c.compressionBypassed, comp_rsp: c.compressedResponses };
}

function seconds(ms: number): number {
  return Math.max(0, Math.floor(ms / 1000));
}

function frontendRow(frontend: Frontend, c: TrafficCounters, proxyId: number): StatsRow {
  return {
    objType: 'Frontend',
    proxyId,
    id: 0,
    fields: {
      pxname: frontend.name,
      svname: 'FRONTEND',
      ...trafficFields(c),
      ...compressionFields(c),
      dreq: c.deniedRequests,
      dresp: c.deniedResponses,
      ereq: 0,
      status: 'OPEN',
      pid: 1,
      iid: proxyId,
      sid: 0,
      type: 0,
      mode: 'http',
      intercepted: c.intercepted,
    },
  };
}

function serverRows(runtime: BackendRuntime, proxyId: number, startedAt: number, options: CollectOptions): StatsRow[] {
  const rows: StatsRow[] = [];
  runtime.servers.forEach((server, i) => {
    const row = serverRow(runtime, server, i, proxyId, startedAt, options);
    const status = String(row.fields.status);
    if (options.hideDown && status.startsWith('DOWN')) return;
    if (options.hideMaint && status === 'MAINT') return;
    rows.push(row);
  });
  return rows;
}

function serverRow(runtime: BackendRuntime, server: Server, i: number, proxyId: number, startedAt: number, options: CollectOptions): StatsRow {
  const now = options.now;
  const c = options.counters?.(`server/${runtime.keys[i]}`) ?? runtime.serverCounters[i]!;
  const health = runtime.health(i);
  const admin = runtime.admin(i);
  const fields: StatsFields = {
    pxname: runtime.backend.name,
    svname: server.name,
    qcur: 0,
    qmax: 0,
    ...trafficFields(c),
    ...(server.maxconn !== undefined ? { slim: server.maxconn } : {}),
    dresp: c.deniedResponses,
    econ: c.connectionErrors,
    eresp: c.responseErrors,
    wretr: c.retries,
    wredis: c.redispatches,
    status: serverStatusText(server, health, admin),
    weight: admin.weight,
    act: server.backup ? 0 : 1,
    bck: server.backup ? 1 : 0,
    lastchg: seconds(now - (health?.lastChange ?? startedAt)),
    pid: 1,
    iid: proxyId,
    sid: i + 1,
    type: 2,
    lastsess: c.lastRequestAt > 0 ? seconds(now - c.lastRequestAt) : -1,
    mode: 'http',
    uweight: admin.weight,
  };
  if (server.check) {
    const last = health?.lastCheck;
    const downNow = health && !health.up ? now - health.lastChange : 0;
    Object.assign(fields, {
      chkfail: health?.chkfail ?? 0,
      chkdown: health?.chkdown ?? 0,
      downtime: seconds((health?.downtime ?? 0) + downNow),
      check_status: last?.status ?? 'INI',
      ...(last?.code !== undefined && checkStatusHasCode(last.status) ? { check_code: last.code } : {}),
      ...(last ? { check_duration: Math.round(last.durationMs) } : {}),
      last_chk: last?.info ?? '',
      check_desc: checkStatusDescription(last?.status ?? 'INI'),
      check_rise: server.check.rise,
      check_fall: server.check.fall,
      check_health: health?.health ?? server.check.rise,
    } satisfies StatsFields);
  }
  return { objType: 'Server', proxyId, id: i + 1, fields };
}

function backendRow(runtime: BackendRuntime, proxyId: number, startedAt: number, options: CollectOptions): StatsRow {
  const now = options.now;
  const c = options.counters?.(`backend/${runtime.backend.name}`) ?? runtime.counters;
  const weights = backendWeights(runtime.backend, (i) => runtime.health(i), (i) => runtime.admin(i));
  // HAProxy dates a backend's last change from its own UP/DOWN transitions, which
  // edge-balancer does not record: the latest server change stands in for it.
  let lastChange = startedAt;
  runtime.servers.forEach((_, i) => (lastChange = Math.max(lastChange, runtime.health(i)?.lastChange ?? 0)));
  return {
    objType: 'Backend',
    proxyId,
    id: 0,
    fields: {
      pxname: runtime.backend.name,
      svname: 'BACKEND',
      qcur: 0,
      qmax: 0,
      ...trafficFields(c),
      ...compressionFields(c),
      dreq: c.deniedRequests,
      dresp: c.deniedResponses,
      econ: c.connectionErrors,
      eresp: c.responseErrors,
      wretr: c.retries,
      wredis: c.redispatches,
      status: backendStatusText(runtime.backend, weights),
      weight: weights.weight,
      act: weights.active,
      bck: weights.backup,
      lastchg: seconds(now - lastChange),
      pid: 1,
      iid: proxyId,
      sid: 0,
      type: 1,
      lastsess: c.lastRequestAt > 0 ? seconds(now - c.lastRequestAt) : -1,
      mode: 'http',
      uweight: weights.userWeight,
    },
  };
}
