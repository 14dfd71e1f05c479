/**
 * The Durable Object that owns the fleet's health state: it runs the active
 * checks on its own schedule with alarms (each server at `inter`,
 * `fastinter` or `downinter` as on Node, through the same checkServer and
 * transition function) and keeps every state in its storage, so the states
 * survive eviction and restarts. Isolates read snapshots of it.
 */
import { DurableObject } from 'cloudflare:workers';
import { BalancerState, checkServer, MemoryHealthStore, type HealthState } from '../../src/index.ts';
import { nextCheckDelay } from '../../src/health/check-interval.ts';
import { loadConfig, type Env } from './env.ts';
import { createWorkersDeps } from './workers-deps.ts';

export class HealthObject extends DurableObject<Env> {
  readonly #store = new MemoryHealthStore();
  readonly #state: BalancerState;
  readonly #deps;
  /** When each checked server (`backend/server`) is due next, ms since epoch. */
  readonly #due = new Map<string, number>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#deps = createWorkersDeps(this.#store);
    this.#state = new BalancerState(loadConfig(env), this.#store, Date.now());
    ctx.blockConcurrencyWhile(async () => {
      for (const [key, state] of await ctx.storage.list<HealthState>()) this.#store.set(key, state);
    });
  }

  /** Every checked server, as [runtime, index, key]. */
  #checked() {
    return [...this.#state.backends.values()].flatMap((runtime) =>
      runtime.servers.flatMap((server, index) => (server.check ? [[runtime, index, runtime.keys[index]!] as const] : [])),
    );
  }

  /** Runs the checks that are due, stores their outcome, and sets the alarm for the next one. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    await Promise.all(
      this.#checked().map(async ([runtime, index, key]) => {
        if ((this.#due.get(key) ?? now) > now) return;
        const after = await checkServer(runtime, index, this.#deps);
        if (!after) return;
        await this.ctx.storage.put(key, after);
        this.#due.set(key, Date.now() + nextCheckDelay(after, runtime.servers[index]!.check!));
      }),
    );
    await this.#scheduleNext();
  }

  async #scheduleNext(): Promise<void> {
    const next = Math.min(...this.#checked().map(([, , key]) => this.#due.get(key) ?? Date.now()));
    if (Number.isFinite(next)) await this.ctx.storage.setAlarm(next);
  }

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === '/check-now' && request.method === 'POST') {
      // A passive failure, or an operator: check now instead of at the next interval.
      const key = url.searchParams.get('server');
      for (const [, , k] of this.#checked()) if (key === null || key === k) this.#due.set(k, Date.now());
      if (url.searchParams.has('wait')) await this.alarm();
      else await this.ctx.storage.setAlarm(Date.now());
    } else if ((await this.ctx.storage.getAlarm()) === null) {
      await this.#scheduleNext();
    }
    return Response.json(Object.fromEntries(this.#checked().map(([, , key]) => [key, this.#store.get(key)])));
  }
}
