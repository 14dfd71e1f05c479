/**
 * The primary's view of its workers: who serves, what to tell them all, and
 * what is gathered from them — counters for a stats page (asked of every
 * worker when a page is served, added up by src/balancer/fleet-figures.ts) and
 * admin actions (passed to every other worker, and to workers started later).
 */
import type { Worker } from 'node:cluster';
import type { HealthState } from '../../src/health/types.ts';
import type { CounterReport } from '../../src/balancer/fleet-figures.ts';
import { FleetCounters } from './fleet-counters.ts';
import { send, type AdminStates, type FromWorker, type ToWorker, type WorkerSetup } from './cluster-messages.ts';

export class WorkerFleet {
  readonly #workers = new Map<number, Worker>();
  /** Workers reloading: what resolves each one's answer (an error, or nothing). */
  readonly #reloads = new Map<number, (error?: string) => void>();
  readonly #counters = new FleetCounters();
  #admin: AdminStates = {};
  #announced = false;

  /** `onAdmin`: the primary's own state takes admin actions too (its check logs count usable servers). */
  constructor(readonly onAdmin: (admin: AdminStates) => void) {}

  /** Takes `worker` in: its `setup` (with the admin states so far) once ready, answers to its messages. */
  add(worker: Worker, setup: () => Omit<WorkerSetup, 'admin' | 'announce'>, onMessage: (message: FromWorker) => void): void {
    this.#workers.set(worker.id, worker);
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'ready') send(worker, { type: 'setup', setup: { ...setup(), admin: this.#admin, announce: this.#announce() } });
      else if (message.type === 'counters') void this.gather().then((report) => send(worker, { type: 'totals', id: message.id, report }));
      else if (message.type === 'figures') this.#counters.received(worker.id, message.id, message.report);
      else if (message.type === 'admin') {
        this.#admin = { ...this.#admin, ...message.admin };
        this.onAdmin(message.admin);
        this.broadcast({ type: 'admin', admin: message.admin }, worker.id);
      } else if (message.type === 'reloaded') this.#reloads.get(worker.id)?.(message.error);
      else onMessage(message);
    });
  }

  /** True once: the first worker says what starting found, the others (and replacements) would repeat it. */
  #announce(): boolean {
    return !this.#announced && (this.#announced = true);
  }

  /** `worker` exited: its last figures stay in the totals, without its requests in progress. */
  remove(worker: Worker): void {
    this.#workers.delete(worker.id);
    this.#reloads.get(worker.id)?.();
    this.#counters.departed(worker.id);
  }

  /** A reload: counters and admin states start again, as in one process (new BalancerState). */
  reset(): void {
    this.#counters.reset();
    this.#admin = {};
  }

  /**
   * Every worker re-reads the files; resolves with the errors of those that
   * refused. One that does not answer is killed: its replacement reads them.
   */
  async reload(graceMs: number, secrets: { adminTokenKey: string; tlsTicketSecret: string }): Promise<string[]> {
    const answers = [...this.#workers].map(
      ([id, worker], i) =>
        new Promise<string | undefined>((resolve) => {
          const kill = killLate(worker, graceMs);
          this.#reloads.set(id, (error) => (clearTimeout(kill), this.#reloads.delete(id), resolve(error)));
          send(worker, { type: 'reload', graceMs, ...secrets, announce: i === 0 });
        }),
    );
    return (await Promise.all(answers)).filter((error) => error !== undefined);
  }

  /** Every worker finishes its requests and exits (or is killed). */
  async stop(graceMs: number): Promise<void> {
    const workers = [...this.#workers.values()];
    const exits = workers.map((w) => new Promise((resolve) => (w.isDead() ? resolve(null) : w.once('exit', resolve))));
    this.broadcast({ type: 'stop', graceMs });
    const kills = workers.map((w) => killLate(w, graceMs));
    await Promise.all(exits);
    kills.forEach(clearTimeout);
  }

  pushHealth(key: string, state: HealthState): void {
    this.broadcast({ type: 'health', key, state });
  }

  broadcast(message: ToWorker, except?: number): void {
    for (const [id, worker] of this.#workers) if (id !== except) send(worker, message);
  }

  /** Every worker's counters, added up (also each second: a dying worker loses at most that). */
  gather(): Promise<CounterReport> {
    return this.#counters.gather(this.#workers.keys(), (id) => this.broadcast({ type: 'collect', id }));
  }
}

/**
 * A worker that has not done as told 2 s after `graceMs` is stuck (or stopped):
 * killed, not worker.kill(), which waits for a disconnect first.
 */
const killLate = (worker: Worker, graceMs: number) => setTimeout(() => worker.process.kill('SIGKILL'), graceMs + 2000);
