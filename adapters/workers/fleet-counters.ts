/**
 * Fleet-wide stats from per-isolate counters. Each isolate counts its own
 * traffic in the BalancerState's counters (as on Node); at every sync with
 * the HealthObject it sends what it counted since the last sync, the object
 * adds it to the fleet's totals (src/balancer/fleet-figures.ts's addFigures),
 * and the isolate takes those totals (plus what it counted while the sync
 * was under way) as its own figures. Its stats page then shows the whole
 * fleet's traffic, at most one sync interval old.
 *
 * `scur` (requests in progress) stays the isolate's own: a sum of other
 * isolates' gauges, each up to an interval old, would mean nothing.
 */
import type { BalancerState } from '../../src/index.ts';
import type { TrafficCounters } from '../../src/balancer/counters.ts';
import {
  countersByScope,
  figuresOf,
  subtractFigures,
  ZERO_FIGURES,
  type CounterFigures,
  type CounterReport,
} from '../../src/balancer/fleet-figures.ts';

export { addFigures, type CounterFigures, type CounterReport } from '../../src/balancer/fleet-figures.ts';

/** The fields taken from the fleet's totals (every counted one but the `current` gauge). */
const SUMMED = ['total', 'bytesIn', 'bytesOut', 'connectionErrors', 'responseErrors', 'retries', 'redispatches'] as const;

/** The isolate's side: what to send at a sync, and how to take the fleet's totals in. */
export class FleetCounters {
  readonly #scopes: Map<string, TrafficCounters>;
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
      const now = figuresOf(counters);
      sent.set(scope, now);
      const d = subtractFigures(now, this.#reported.get(scope) ?? ZERO_FIGURES);
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
      const since = subtractFigures(figuresOf(counters), before);
      for (const field of SUMMED) counters[field] = fleet[field] + since[field];
      fleet.responses.forEach((n, i) => (counters.responses[i] = n + (since.responses[i] ?? 0)));
      counters.max = Math.max(counters.max, fleet.max);
      counters.lastRequestAt = Math.max(counters.lastRequestAt, fleet.lastRequestAt);
      this.#reported.set(scope, figuresOf(fleet));
    }
  }
}
