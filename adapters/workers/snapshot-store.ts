/**
 * An isolate's copy of the fleet's health, as the HealthObject last sent it.
 * Reads are synchronous, as HealthStore requires (they sit on the request
 * path); FleetSync replaces the copy at most once per interval.
 */
import type { HealthState, HealthStore } from '../../src/index.ts';

export class SnapshotHealthStore implements HealthStore {
  #states = new Map<string, HealthState>();
  #version = 0;

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

  /** Takes the object's states as the new copy. */
  replace(states: Record<string, HealthState>): void {
    this.#states = new Map(Object.entries(states));
    this.#version++;
  }
}
