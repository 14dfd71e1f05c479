/**
 * The live side of one backend: its selector's rotation, each server's
 * counters and administrative state. Built once per backend
 * at start-up; health comes from the shared HealthStore.
 */
import type { Backend, Server } from '../config/types.ts';
import type { HealthState, HealthStore } from '../health/types.ts';
import { createSelector, type SelectionView, type ServerSelector } from '../selection/index.ts';
import type { AdminState } from './admin-state.ts';
import { initialAdminState, serverIsUsable, serverKey, takesNewClients } from './availability.ts';
import { newCounters, type TrafficCounters } from './counters.ts';

export class BackendRuntime {
  readonly backend: Backend;
  /** `backend/server` of each server, the HealthStore key. */
  readonly keys: readonly string[];
  /** Per-server counters, and the backend's own (which include requests that found no server). */
  readonly serverCounters: readonly TrafficCounters[];
  readonly counters: TrafficCounters = newCounters();
  readonly #admin: AdminState[];
  readonly #selector: ServerSelector;
  readonly #health: HealthStore;
  /** Algorithms that read live connection counts need a fresh view per request. */
  readonly #viewIsLive: boolean;
  #adminVersion = 0;
  #view: { readonly unchanged: SelectionView; readonly health: number; readonly admin: number } | undefined;

  constructor(backend: Backend, health: HealthStore, random?: () => number) {
    this.backend = backend;
    this.keys = backend.servers.map((s) => serverKey(backend.name, s.name));
    this.serverCounters = backend.servers.map(() => newCounters());
    this.#admin = backend.servers.map(initialAdminState);
    this.#selector = createSelector(backend, random);
    this.#health = health;
    this.#viewIsLive = !['roundrobin', 'static-rr'].includes(backend.balance) || backend.servers.some((s) => s.maxconn);
  }

  get servers(): readonly Server[] {
    return this.backend.servers;
  }

  health(index: number): HealthState | undefined {
    return this.#health.get(this.keys[index]!);
  }

  admin(index: number): AdminState {
    return this.#admin[index]!;
  }

  setAdmin(index: number, state: AdminState): void {
    this.#admin[index] = state;
    this.#adminVersion++;
  }

  /** May take requests, including sticky ones (see availability.ts). */
  isUsable(index: number): boolean {
    const server = this.backend.servers[index];
    return server !== undefined && serverIsUsable(server, this.health(index), this.#admin[index]);
  }

  /** Offered to the balancing algorithm, counted as an active or backup server (see availability.ts). */
  takesNewClients(index: number): boolean {
    const server = this.backend.servers[index];
    return server !== undefined && takesNewClients(server, this.health(index), this.#admin[index]);
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
    return this.#selector.select(this.#selectionView(), avoid);
  }

  /** The selector's view, rebuilt only when health, admin state or (for live algorithms) anything may have changed. */
  #selectionView(): SelectionView {
    const health = this.#health.version;
    const cached = this.#view;
    if (!this.#viewIsLive && health !== undefined && cached?.health === health && cached.admin === this.#adminVersion) {
      return cached.unchanged;
    }
    const servers = this.backend.servers;
    const view: SelectionView = {
      usable: servers.map((s, i) => takesNewClients(s, this.health(i), this.#admin[i])),
      weights: this.#admin.map((a) => a.weight),
      activeConnections: this.serverCounters.map((c) => c.current),
    };
    this.#view = health === undefined ? undefined : { unchanged: { ...view, unchanged: true }, health, admin: this.#adminVersion };
    return view;
  }
}
