/**
 * An isolate's link to the HealthObject: at most once per `maxAgeMs` it sends
 * the traffic it counted and takes back the fleet's health and totals. Every
 * other request reads the local copies, so proxying costs no round trip to
 * the object. If the object cannot be reached the isolate keeps balancing on
 * its last copy (and says so once per outage), instead of failing requests.
 */
import type { Logger } from '../../src/index.ts';
import type { FleetCounters } from './fleet-counters.ts';
import type { HealthObject } from './health-object.ts';
import type { MemoryHealthStore } from '../../src/index.ts';

export class FleetSync {
  readonly #health: MemoryHealthStore;
  readonly #counters: FleetCounters;
  readonly #maxAgeMs: number;
  readonly #logger: Logger;
  #syncedAt = -Infinity;
  #underWay = false;
  #failing = false;

  constructor(health: MemoryHealthStore, counters: FleetCounters, maxAgeMs: number, logger: Logger) {
    this.#health = health;
    this.#counters = counters;
    this.#maxAgeMs = maxAgeMs;
    this.#logger = logger;
  }

  /**
   * Syncs when the copy is older than allowed. `object` is the current
   * request's stub: Workers do not let one request use another's I/O objects.
   * A request arriving while another's sync is under way goes on with the
   * current copy rather than wait on the other request's promise.
   */
  async syncIfStale(now: number, object: DurableObjectStub<HealthObject>): Promise<void> {
    if (this.#underWay || now - this.#syncedAt < this.#maxAgeMs) return;
    this.#underWay = true;
    this.#syncedAt = now;
    const { report, sent } = this.#counters.delta();
    try {
      const view = await object.sync(report);
      this.#health.replace(view.states);
      this.#counters.takeTotals(view.counters, sent);
      if (this.#failing) this.#logger.info('HealthObject reachable again');
      this.#failing = false;
    } catch (error) {
      if (!this.#failing) this.#logger.warn(`HealthObject unreachable, balancing on the last health states: ${String(error)}`);
      this.#failing = true;
    } finally {
      this.#underWay = false;
    }
  }
}
