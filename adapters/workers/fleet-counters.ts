/**
 * Fleet-wide stats from per-isolate counters. Each isolate counts its own
 * traffic in the BalancerState's counters (as on Node); at every sync with
 * the HealthObject it sends what it counted since the last sync, the object
 * adds it to the fleet's totals, and the isolate takes those totals (plus what
 * it counted while the sync was under way) as its own figures. Its stats page
 * then shows the whole fleet's traffic, at most one sync interval old.
 *
 * `scur` (requests in progress) stays the isolate's own: a sum of other
 * isolates' gauges, each up to an interval old, would mean nothing.
 */
import type { BalancerState } from '../../src/index.ts';

/** The counted fields of src/balancer/counters.ts's TrafficCounters that add up across isolates. */
const SUMMED = ['total', 'bytesIn', 'bytesOut', 'connectionErrors', 'responseErrors', 'retries', 'redispatches'] as const;

/** One scope's figures as they travel to and from the object: sums, the responses by class, and two maxima. */
export interface CounterFigures {
  readonly total: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly connectionErrors: number;
  readonly responseErrors: number;
  readonly retries: number;
  readonly redispatches: number;
  readonly responses: readonly number[];
  /** `smax`: the highest any isolate saw. */
  readonly max: number;
  /** `lastsess`: the latest request anywhere, ms since epoch. */
  readonly lastRequestAt: number;
}

/** Figures by scope: `frontend/NAME`, `backend/NAME`, `server/BACKEND/SERVER`. */
export type CounterReport = Record<string, CounterFigures>;

type Counters = { -readonly [K in keyof CounterFigures]: K extends 'responses' ? number[] : number };

const ZERO: CounterFigures = {
  total: 0,
  bytesIn: 0,
  bytesOut: 0,
  connectionErrors: 0,
  responseErrors: 0,
  retries: 0,
  redispatches: 0,
  responses: [0, 0, 0, 0, 0, 0],
  max: 0,
  lastRequestAt: 0,
};

/** Every counter object of a balancer, by scope name. */
function countersByScope(state: BalancerState): Map<string, Counters> {
  const scopes = new Map<string, Counters>();
  for (const [name, frontend] of state.frontends) scopes.set(`frontend/${name}`, frontend.counters);
  for (const [name, runtime] of state.backends) {
    scopes.set(`backend/${name}`, runtime.counters);
    runtime.keys.forEach((key, i) => scopes.set(`server/${key}`, runtime.serverCounters[i]!));
  }
  return scopes;
}

function copy(c: CounterFigures): CounterFigures {
  return { ...c, responses: [...c.responses] };
}

function difference(a: CounterFigures, b: CounterFigures): CounterFigures {
  const d: Counters = { ...copy(a), responses: a.responses.map((n, i) => n - (b.responses[i] ?? 0)) };
  for (const field of SUMMED) d[field] = a[field] - b[field];
  return d;
}

/** Adds a delta to fleet totals (the object's side). */
export function addFigures(totals: CounterFigures | undefined, delta: CounterFigures): CounterFigures {
  const base = totals ?? ZERO;
  const sum: Counters = {
    ...copy(base),
    responses: base.responses.map((n, i) => n + (delta.responses[i] ?? 0)),
    max: Math.max(base.max, delta.max),
    lastRequestAt: Math.max(base.lastRequestAt, delta.lastRequestAt),
  };
  for (const field of SUMMED) sum[field] = base[field] + delta[field];
  return sum;
}

/** The isolate's side: what to send at a sync, and how to take the fleet's totals in. */
export class FleetCounters {
  readonly #scopes: Map<string, Counters>;
  /** Per scope, the figures the fleet's totals already include (the last totals taken in). */
  readonly #reported = new Map<string, CounterFigures>();

  constructor(state: BalancerState) {
    this.#scopes = countersByScope(state);
  }

  /** What was counted here since the last sync, and the counters as they stood (for `takeTotals`). */
  delta(): { readonly report: CounterReport; readonly sent: Map<string, CounterFigures> } {
    const report: CounterReport = {};
    const sent = new Map<string, CounterFigures>();
    for (const [scope, counters] of this.#scopes) {
      const now = copy(counters);
      sent.set(scope, now);
      const d = difference(now, this.#reported.get(scope) ?? ZERO);
      if (SUMMED.some((field) => d[field] !== 0) || d.responses.some((n) => n !== 0)) report[scope] = d;
    }
    return { report, sent };
  }

  /**
   * Takes the fleet's totals (which include `sent`) as this isolate's figures,
   * keeping what was counted here after `sent` on top of them.
   */
  takeTotals(totals: CounterReport, sent: Map<string, CounterFigures>): void {
    for (const [scope, counters] of this.#scopes) {
      const fleet = totals[scope];
      const before = sent.get(scope);
      if (!fleet || !before) continue;
      const since = difference(copy(counters), before);
      for (const field of SUMMED) counters[field] = fleet[field] + since[field];
      fleet.responses.forEach((n, i) => (counters.responses[i] = n + (since.responses[i] ?? 0)));
      counters.max = Math.max(counters.max, fleet.max);
      counters.lastRequestAt = Math.max(counters.lastRequestAt, fleet.lastRequestAt);
      this.#reported.set(scope, copy(fleet));
    }
  }
}
