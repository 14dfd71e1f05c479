/**
 * The active checks without timers. src/health/scheduler.ts keeps one timer
 * per server, which Workers cannot: an isolate's timers stop with its
 * requests. Here each checked server has a due time instead, and whoever
 * wakes up (the HealthObject's alarm, or a request in an isolate without the
 * object) runs the checks that are due. Each is then due again after
 * `inter`, `fastinter` or `downinter` (src/health's nextCheckDelay), and each
 * goes through checkServer, the same probe and transition as on Node.
 */
import { checkServer, type BalancerDeps, type BalancerState, type HealthState, type ServerCheck } from '../../src/index.ts';
import type { BackendRuntime } from '../../src/balancer/backend-runtime.ts';
import { nextCheckDelay } from '../../src/health/check-interval.ts';

interface CheckedServer {
  readonly runtime: BackendRuntime;
  readonly index: number;
  /** `backend/server`, the HealthStore key. */
  readonly key: string;
  readonly check: ServerCheck;
}

export class DueChecks {
  readonly #servers: readonly CheckedServer[];
  readonly #deps: BalancerDeps;
  /** ms since epoch when each server is due; a server not in it is due now. */
  readonly #due = new Map<string, number>();
  /** ms since epoch when each server's last check ended. */
  readonly #checkedAt = new Map<string, number>();
  #round: Promise<Map<string, HealthState>> | undefined;

  constructor(state: BalancerState, deps: BalancerDeps) {
    this.#deps = deps;
    // Servers in maintenance are still checked, as on Node, so their state is known when they come back.
    this.#servers = [...state.backends.values()].flatMap((runtime) =>
      runtime.servers.flatMap((server, index) => (server.check ? [{ runtime, index, key: runtime.keys[index]!, check: server.check }] : [])),
    );
  }

  get keys(): string[] {
    return this.#servers.map((s) => s.key);
  }

  /** Makes one server (or every one) due now: an operator, or a test driving the checks. */
  markDue(key?: string): void {
    for (const server of this.#servers) if (key === undefined || key === server.key) this.#due.delete(server.key);
  }

  /**
   * A connection to the server failed while proxying: check it sooner, but no
   * sooner than `fastinter` after its last check, as HAProxy's `observe
   * layer4` with `on-error fastinter` does, so a burst of failed requests
   * is not a burst of checks.
   */
  reportFailure(key: string): void {
    const server = this.#servers.find((s) => s.key === key);
    if (!server) return;
    const soonest = (this.#checkedAt.get(key) ?? -Infinity) + (server.check.fastinter || server.check.inter);
    this.#due.set(key, Math.min(this.#due.get(key) ?? soonest, soonest));
  }

  /** A round is under way (an isolate goes on rather than wait on another request's round). */
  get running(): boolean {
    return this.#round !== undefined;
  }

  /** When the next check is due, ms since epoch; undefined when nothing is checked. */
  nextDue(): number | undefined {
    if (this.#servers.length === 0) return undefined;
    const now = this.#deps.clock.now();
    return Math.min(...this.#servers.map((s) => this.#due.get(s.key) ?? now));
  }

  /**
   * Runs every check that is due, all at once, and returns the states they
   * produced. One round at a time: a caller arriving during a round waits for
   * it and then runs its own, so one event never counts as two checks.
   */
  async runDue(): Promise<Map<string, HealthState>> {
    while (this.#round) await this.#round;
    this.#round = this.#run().finally(() => (this.#round = undefined));
    return this.#round;
  }

  async #run(): Promise<Map<string, HealthState>> {
    const now = this.#deps.clock.now();
    const due = this.#servers.filter((s) => (this.#due.get(s.key) ?? now) <= now);
    const states = new Map<string, HealthState>();
    await Promise.all(
      due.map(async ({ runtime, index, key, check }) => {
        const after = await checkServer(runtime, index, this.#deps);
        if (!after) return;
        states.set(key, after);
        this.#checkedAt.set(key, this.#deps.clock.now());
        this.#due.set(key, this.#deps.clock.now() + nextCheckDelay(after, check));
      }),
    );
    return states;
  }
}
