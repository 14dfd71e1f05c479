/**
 * The live side of one backend: its selector's rotation, each server's
 * connection counters, its error pages. Built once per backend at start-up.
 */
import type { Backend, Server } from '../config/types.ts';
import type { HealthStore } from '../health/types.ts';
import { createErrorResponder, type ErrorResponse } from '../proxy/error-pages.ts';
import { createSelector, type ServerSelector } from '../selection/index.ts';
import { serverIsUsable, serverKey } from './availability.ts';

export interface ServerCounters {
  /** Requests being served now (leastconn, first, stats' scur). */
  active: number;
  /** Requests sent to this server in total (stats' stot). */
  total: number;
}

export class BackendRuntime {
  readonly backend: Backend;
  readonly keys: readonly string[];
  readonly counters: readonly ServerCounters[];
  readonly errorResponse: (status: number) => ErrorResponse;
  readonly #selector: ServerSelector;
  readonly #health: HealthStore;

  constructor(backend: Backend, health: HealthStore, random?: () => number) {
    this.backend = backend;
    this.keys = backend.servers.map((s) => serverKey(backend.name, s.name));
    this.counters = backend.servers.map(() => ({ active: 0, total: 0 }));
    this.errorResponse = createErrorResponder(backend.errorFiles);
    this.#selector = createSelector(backend, random);
    this.#health = health;
  }

  get servers(): readonly Server[] {
    return this.backend.servers;
  }

  isUsable(index: number): boolean {
    const server = this.backend.servers[index];
    return server !== undefined && serverIsUsable(server, this.#health.get(this.keys[index]!));
  }

  usableActiveCount(): number {
    let count = 0;
    this.backend.servers.forEach((s, i) => {
      if (!s.backup && this.isUsable(i)) count++;
    });
    return count;
  }

  /** Next server by the backend's `balance` algorithm, skipping `avoid` when another is usable. */
  selectServer(avoid?: number): number | undefined {
    const servers = this.backend.servers;
    return this.#selector.select(
      {
        usable: servers.map((_, i) => this.isUsable(i)),
        weights: servers.map((s) => s.weight),
        activeConnections: this.counters.map((c) => c.active),
      },
      avoid,
    );
  }
}
