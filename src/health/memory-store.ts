/**
 * The HealthStore of a single process (Node, Deno): a Map. Workers use a
 * Durable Object instead, since each isolate would otherwise check alone.
 */
import type { HealthState, HealthStore } from './types.ts';

export class MemoryHealthStore implements HealthStore {
  readonly #states = new Map<string, HealthState>();
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

  /** Every server's state, keyed "backend/server". */
  entries(): IterableIterator<[string, HealthState]> {
    return this.#states.entries();
  }
}
