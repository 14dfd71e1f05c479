/**
 * An isolate's view of the fleet's health: a local copy of the Durable
 * Object's states, refreshed at most every `maxAgeMs`, so a proxied request
 * costs no round trip except once per interval. Reads are synchronous, as
 * HealthStore requires; `set` is local (the object is the one that checks).
 */
import type { HealthState, HealthStore } from '../../src/index.ts';

export class SnapshotHealthStore implements HealthStore {
  readonly #states = new Map<string, HealthState>();
  readonly #maxAgeMs: number;
  #fetchedAt = -Infinity;
  #version = 0;

  constructor(maxAgeMs: number) {
    this.#maxAgeMs = maxAgeMs;
  }

  get version(): number {
    return this.#version;
  }

  get(key: string): HealthState | undefined {
    return this.#states.get(key);
  }

  set(key: string, state: HealthState): void {
    this.#states.set(key, state);
    this.#version++;
  }

  /**
   * Brings the copy up to date when it is older than allowed. The stub is the
   * current request's: Workers do not let one request use another's I/O objects.
   */
  async refreshIfStale(now: number, object: DurableObjectStub): Promise<void> {
    if (now - this.#fetchedAt < this.#maxAgeMs) return;
    this.#fetchedAt = now;
    const response = await object.fetch('https://health/snapshot');
    const states = (await response.json()) as Record<string, HealthState>;
    for (const [key, state] of Object.entries(states)) this.#states.set(key, state);
    this.#version++;
  }

  /** A connection to `key` failed while proxying: have the object check it now. */
  reportFailure(key: string, object: DurableObjectStub): Promise<unknown> {
    return object.fetch(`https://health/check-now?server=${encodeURIComponent(key)}`, { method: 'POST' });
  }
}
