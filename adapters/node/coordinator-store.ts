/**
 * The primary's HealthStore when workers serve (`nbthread` > 1): the one set
 * of health checks writes here, and each change is pushed to every worker,
 * whose own MemoryHealthStore is a copy (as a Workers isolate's copy of the
 * HealthObject's states). Workers never check: a backend sees the checks of
 * one process, at the interval of one.
 */
import { MemoryHealthStore } from '../../src/health/memory-store.ts';
import type { HealthState } from '../../src/health/types.ts';

export class CoordinatorStore extends MemoryHealthStore {
  readonly #push: (key: string, state: HealthState) => void;

  constructor(push: (key: string, state: HealthState) => void) {
    super();
    this.#push = push;
  }

  override set(key: string, state: HealthState): void {
    super.set(key, state);
    this.#push(key, state);
  }

  /** Every state, for a worker that starts (or replaces one that died). */
  snapshot(): Record<string, HealthState> {
    return Object.fromEntries(this.entries());
  }
}
