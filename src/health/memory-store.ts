/**
 * The HealthStore of a single process (Node, Deno): a Map. On Workers the
 * Durable Object holds the states and each isolate keeps a copy of them in
 * one of these, replaced at each sync.
 */
import type { HealthState, HealthStore } from './types.ts';

export class MemoryHealthStore implements HealthStore {
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

  /** Takes `states` as the whole content (a Workers isolate's copy of the Durable Object's states). */
  replace(states: Record<string, HealthState>): void {
    this.#states = new Map(Object.entries(states));
    this.#version++;
  }

  /** Every server's state, keyed "backend/server". */
  entries(): IterableIterator<[string, HealthState]> {
    return this.#states.entries();
  }
}
