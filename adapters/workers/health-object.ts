/**
 * The Durable Object that owns the fleet's health: one instance runs the
 * active checks on its alarm (DueChecks: each server at `inter`,
 * `fastinter` or `downinter`, through the same checkServer and transition
 * as on Node), keeps every state and the fleet's traffic totals in its
 * storage so they survive eviction and restarts, and answers the isolates'
 * periodic `sync` with both. Isolates call it by RPC.
 */
import { DurableObject } from 'cloudflare:workers';
import { BalancerState, MemoryHealthStore, type HealthState } from '../../src/index.ts';
import { DueChecks } from './due-checks.ts';
import { addFigures, type CounterReport } from './fleet-counters.ts';
import { loadConfig, type Env } from './env.ts';
import { createWorkersDeps } from './workers-deps.ts';

/** What an isolate gets at each sync. */
export interface FleetView {
  /** Health of every checked server that has been checked, by `backend/server`. */
  readonly states: Record<string, HealthState>;
  /** The fleet's traffic totals, by scope (see fleet-counters.ts). */
  readonly counters: CounterReport;
}

/** Storage keys: `health/<backend>/<server>` for each state, `counters` for the totals. */
const HEALTH_PREFIX = 'health/';
const COUNTERS = 'counters';

export class HealthObject extends DurableObject<Env> {
  readonly #store = new MemoryHealthStore();
  readonly #checks: DueChecks;
  #counters: CounterReport = {};

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const deps = createWorkersDeps(this.#store);
    this.#checks = new DueChecks(new BalancerState(loadConfig(env), this.#store, Date.now()), deps);
    // Nothing is answered before the stored states are back (eviction, restart, deploy).
    void ctx.blockConcurrencyWhile(async () => {
      for (const [key, state] of await ctx.storage.list<HealthState>({ prefix: HEALTH_PREFIX })) {
        this.#store.set(key.slice(HEALTH_PREFIX.length), state);
      }
      this.#counters = (await ctx.storage.get<CounterReport>(COUNTERS)) ?? {};
    });
  }

  /** An isolate's periodic call: adds what it counted since its last sync, answers the fleet's health and totals. */
  async sync(counted: CounterReport): Promise<FleetView> {
    // The first isolate to sync (after a deploy or a restart) starts the checks.
    if ((await this.ctx.storage.getAlarm()) === null) await this.#scheduleNext();
    const scopes = Object.entries(counted);
    if (scopes.length > 0) {
      for (const [scope, delta] of scopes) this.#counters[scope] = addFigures(this.#counters[scope], delta);
      await this.ctx.storage.put(COUNTERS, this.#counters);
    }
    return { states: this.states(), counters: this.#counters };
  }

  /** Checks one server (or all) now, and answers once done: for an operator, or a test driving the checks. */
  async checkNow(key?: string): Promise<Record<string, HealthState>> {
    this.#checks.markDue(key);
    await this.#runDueChecks();
    return this.states();
  }

  /** An isolate had a connection to `key` refused or timed out: its next check comes sooner (DueChecks.reportFailure). */
  async reportFailure(key: string): Promise<void> {
    this.#checks.reportFailure(key);
    await this.#runDueChecks();
  }

  /** The health of every checked server, without checking. */
  states(): Record<string, HealthState> {
    const states: Record<string, HealthState> = {};
    for (const key of this.#checks.keys) {
      const state = this.#store.get(key);
      if (state) states[key] = state;
    }
    return states;
  }

  override async alarm(): Promise<void> {
    await this.#runDueChecks();
  }

  async #runDueChecks(): Promise<void> {
    const changed = await this.#checks.runDue();
    const entries = [...changed].map(([key, state]) => [HEALTH_PREFIX + key, state] as const);
    // One put takes at most 128 keys.
    for (let i = 0; i < entries.length; i += 128) await this.ctx.storage.put(Object.fromEntries(entries.slice(i, i + 128)));
    await this.#scheduleNext();
  }

  async #scheduleNext(): Promise<void> {
    const next = this.#checks.nextDue();
    if (next !== undefined) await this.ctx.storage.setAlarm(next);
  }
}
