/**
 * Counters of several copies of one balancer, added up for one stats page:
 * the isolates of a Worker (adapters/workers/fleet-counters.ts) and the
 * worker processes of Node's `nbthread` (adapters/node/cluster-*.ts). Each
 * copy counts its own traffic in its BalancerState's counters; these are the
 * figures that travel between them, by scope:
 * `frontend/NAME`, `backend/NAME`, `server/BACKEND/SERVER`.
 */
import type { BalancerState } from './balancer-state.ts';
import type { TrafficCounters } from './counters.ts';

/** The counted fields of TrafficCounters that add up across copies. */
const SUMMED = [
  'total', 'bytesIn', 'bytesOut', 'connectionErrors', 'responseErrors', 'retries', 'redispatches',
  'compressedIn', 'compressedOut', 'compressionBypassed', 'compressedResponses',
  'deniedRequests', 'deniedResponses', 'intercepted',
] as const;

/** One scope's figures: sums, the responses by class, two maxima, and (snapshots only) requests in progress. */
export interface CounterFigures {
  readonly total: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly connectionErrors: number;
  readonly responseErrors: number;
  readonly retries: number;
  readonly redispatches: number;
  /** dreq, dresp, intercepted. */
  readonly deniedRequests: number;
  readonly deniedResponses: number;
  readonly intercepted: number;
  /** comp_in, comp_out, comp_byp, comp_rsp. */
  readonly compressedIn: number;
  readonly compressedOut: number;
  readonly compressionBypassed: number;
  readonly compressedResponses: number;
  readonly responses: readonly number[];
  /** `smax`: the highest any copy saw. */
  readonly max: number;
  /** `lastsess`: the latest request anywhere, ms since epoch. */
  readonly lastRequestAt: number;
  /**
   * `scur`, in a snapshot of copies that run now (Node's workers): the sum
   * is the requests in progress everywhere. Deltas (Workers) leave it out: a
   * sum of gauges each up to a sync old would mean nothing.
   */
  readonly current?: number;
}

/** Figures by scope. */
export type CounterReport = Record<string, CounterFigures>;

type Counters = { -readonly [K in keyof CounterFigures]-?: K extends 'responses' ? number[] : number };

export const ZERO_FIGURES: CounterFigures = {
  total: 0,
  bytesIn: 0,
  bytesOut: 0,
  connectionErrors: 0,
  responseErrors: 0,
  retries: 0,
  redispatches: 0,
  deniedRequests: 0,
  deniedResponses: 0,
  intercepted: 0,
  compressedIn: 0,
  compressedOut: 0,
  compressionBypassed: 0,
  compressedResponses: 0,
  responses: [0, 0, 0, 0, 0, 0],
  max: 0,
  lastRequestAt: 0,
};

/** Every counter object of a balancer, by scope name. */
export function countersByScope(state: BalancerState): Map<string, TrafficCounters> {
  const scopes = new Map<string, TrafficCounters>();
  for (const [name, frontend] of state.frontends) scopes.set(`frontend/${name}`, frontend.counters);
  for (const [name, runtime] of state.backends) {
    scopes.set(`backend/${name}`, runtime.counters);
    runtime.keys.forEach((key, i) => scopes.set(`server/${key}`, runtime.serverCounters[i]!));
  }
  return scopes;
}

/** A copy of counters as figures; with `current` when the copy is a snapshot of a running process. */
export function figuresOf(c: CounterFigures | TrafficCounters, withCurrent = false): CounterFigures {
  const figures: Counters = {
    total: c.total,
    bytesIn: c.bytesIn,
    bytesOut: c.bytesOut,
    connectionErrors: c.connectionErrors,
    responseErrors: c.responseErrors,
    retries: c.retries,
    redispatches: c.redispatches,
    deniedRequests: c.deniedRequests ?? 0,
    deniedResponses: c.deniedResponses ?? 0,
    intercepted: c.intercepted ?? 0,
    compressedIn: c.compressedIn,
    compressedOut: c.compressedOut,
    compressionBypassed: c.compressionBypassed,
    compressedResponses: c.compressedResponses,
    responses: [...c.responses],
    max: c.max,
    lastRequestAt: c.lastRequestAt,
    current: c.current ?? 0,
  };
  if (!withCurrent) delete (figures as Partial<Counters>).current;
  return figures;
}

/** Every scope of `state` as figures (a worker's snapshot: `current` included). */
export function snapshotFigures(state: BalancerState): CounterReport {
  const report: CounterReport = {};
  for (const [scope, counters] of countersByScope(state)) report[scope] = figuresOf(counters, true);
  return report;
}

/** `a − b` of the summed fields; maxima are `a`'s. */
export function subtractFigures(a: CounterFigures, b: CounterFigures): CounterFigures {
  const d = figuresOf(a) as Counters;
  d.responses = a.responses.map((n, i) => n - (b.responses[i] ?? 0));
  // `?? 0`: figures a copy sent before a field existed (a Worker isolate of the previous deploy).
  for (const field of SUMMED) d[field] = (a[field] ?? 0) - (b[field] ?? 0);
  return d;
}

/** `totals + delta`: sums (and `current` when both have it), the higher maxima. */
export function addFigures(totals: CounterFigures | undefined, delta: CounterFigures): CounterFigures {
  const base = totals ?? ZERO_FIGURES;
  const sum = figuresOf(base) as Counters;
  sum.responses = base.responses.map((n, i) => n + (delta.responses[i] ?? 0));
  sum.max = Math.max(base.max, delta.max);
  sum.lastRequestAt = Math.max(base.lastRequestAt, delta.lastRequestAt);
  for (const field of SUMMED) sum[field] = (base[field] ?? 0) + (delta[field] ?? 0);
  if (delta.current !== undefined) sum.current = (base.current ?? 0) + delta.current;
  return sum;
}

/** Adds reports scope by scope. */
export function addReports(reports: readonly CounterReport[]): CounterReport {
  const sum: CounterReport = {};
  for (const report of reports) for (const [scope, figures] of Object.entries(report)) sum[scope] = addFigures(sum[scope], figures);
  return sum;
}

/** A report as collect.ts's `counters` option: the figures of a scope in the shape the stats rows read. */
export function countersLookup(report: CounterReport): (scope: string) => TrafficCounters | undefined {
  return (scope) => {
    const figures = report[scope];
    return figures && countersFromFigures(figures);
  };
}

/** Figures in the shape the stats rows read (collect.ts), for a page showing every copy's traffic. */
export function countersFromFigures(f: CounterFigures): TrafficCounters {
  const responses = [0, 1, 2, 3, 4, 5].map((i) => f.responses[i] ?? 0) as TrafficCounters['responses'];
  return { ...figuresOf(f), current: f.current ?? 0, responses };
}
