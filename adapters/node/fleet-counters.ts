/**
 * The workers' counters as the primary adds them up for a stats page: each
 * worker is asked for its figures when a page is served (and each second),
 * a worker that does not answer within GATHER_TIMEOUT_MS is left out of that
 * sum, and a worker that exits keeps counting with its last figures (less
 * its requests in progress). Sums by src/balancer/fleet-figures.ts.
 */
import { addReports, figuresOf, type CounterReport } from '../../src/balancer/fleet-figures.ts';

/** A worker silent this long is left out of a gathering. */
const GATHER_TIMEOUT_MS = 1000;

interface Gathering {
  readonly waiting: Set<number>;
  readonly reports: CounterReport[];
  readonly done: () => void;
}

export class FleetCounters {
  readonly #gatherings = new Map<number, Gathering>();
  /** Each worker's last figures: a worker that dies keeps counting in the totals. */
  readonly #lastFigures = new Map<number, CounterReport>();
  #departed: CounterReport = {};
  #nextId = 0;

  /** `ask(id)` sends the gathering's question to `workers`; their answers come to `received`. */
  async gather(workers: Iterable<number>, ask: (id: number) => void): Promise<CounterReport> {
    const id = ++this.#nextId;
    const reports: CounterReport[] = [this.#departed];
    const waiting = new Set(workers);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, GATHER_TIMEOUT_MS);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#gatherings.set(id, { waiting, reports, done });
      if (waiting.size === 0) done();
      ask(id);
    });
    this.#gatherings.delete(id);
    return addReports(reports);
  }

  received(workerId: number, id: number, report: CounterReport): void {
    this.#lastFigures.set(workerId, report);
    const gathering = this.#gatherings.get(id);
    if (!gathering?.waiting.delete(workerId)) return;
    gathering.reports.push(report);
    if (gathering.waiting.size === 0) gathering.done();
  }

  /** `workerId` exited: its last figures stay in the totals, without its requests in progress. */
  departed(workerId: number): void {
    const last = this.#lastFigures.get(workerId);
    this.#lastFigures.delete(workerId);
    if (last) {
      const ended = Object.fromEntries(Object.entries(last).map(([scope, f]) => [scope, figuresOf(f)]));
      this.#departed = addReports([this.#departed, ended]);
    }
    for (const gathering of this.#gatherings.values()) if (gathering.waiting.delete(workerId) && gathering.waiting.size === 0) gathering.done();
  }

  /** A reload: counters start again, as in one process (new BalancerState). */
  reset(): void {
    this.#departed = {};
    this.#lastFigures.clear();
  }
}
