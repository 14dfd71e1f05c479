/**
 * The primary's view of its workers: who serves, what to tell them all, and
 * what is gathered from them — counters for a stats page (asked of every
 * worker when a page is served, added up by src/balancer/fleet-figures.ts) and
 * admin actions (passed to every other worker, and to workers started later).
 */
import type { Worker } from 'node:cluster';
import type { HealthState } from '../../src/health/types.ts';
import { addReports, figuresOf, type CounterReport } from '../../src/balancer/fleet-figures.ts';
import { send, type AdminStates, type FromWorker, type ToWorker, type WorkerSetup } from './cluster-messages.ts';

/** A worker silent this long is left out of a gathering. */
const GATHER_TIMEOUT_MS = 1000;

interface Gathering {
  readonly waiting: Set<number>;
  readonly reports: CounterReport[];
  readonly done: () => void;
}

export class WorkerFleet {
  readonly #workers = new Map<number, Worker>();
  readonly #gatherings = new Map<number, Gathering>();
  /** Workers reloading: what resolves each one's answer (an error, or nothing). */
  readonly #reloads = new Map<number, (error?: string) => void>();
  /** Each worker's last figures: a worker that dies keeps counting in the totals. */
  readonly #lastFigures = new Map<number, CounterReport>();
  #departed: CounterReport = {};
  #admin: AdminStates = {};
  #nextId = 0;

  /** `onAdmin`: the primary's own state takes admin actions too (its check logs count usable servers). */
  constructor(readonly onAdmin: (admin: AdminStates) => void) {}

  /** Takes `worker` in: its `setup` (with the admin states so far) once ready, answers to its messages. */
  add(worker: Worker, setup: () => Omit<WorkerSetup, 'admin'>, onMessage: (message: FromWorker) => void): void {
    this.#workers.set(worker.id, worker);
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'ready') send(worker, { type: 'setup', setup: { ...setup(), admin: this.#admin } });
      else if (message.type === 'counters') void this.gather().then((report) => send(worker, { type: 'totals', id: message.id, report }));
      else if (message.type === 'figures') this.#received(worker.id, message.id, message.report);
      else if (message.type === 'admin') {
        this.#admin = { ...this.#admin, ...message.admin };
        this.onAdmin(message.admin);
        this.broadcast({ type: 'admin', admin: message.admin }, worker.id);
      } else if (message.type === 'reloaded') this.#reloads.get(worker.id)?.(message.error);
      else onMessage(message);
    });
  }

  /** `worker` exited: its last figures stay in the totals, without its requests in progress. */
  remove(worker: Worker): void {
    this.#workers.delete(worker.id);
    this.#reloads.get(worker.id)?.();
    const last = this.#lastFigures.get(worker.id);
    this.#lastFigures.delete(worker.id);
    if (last) {
      const ended = Object.fromEntries(Object.entries(last).map(([scope, f]) => [scope, figuresOf(f)]));
      this.#departed = addReports([this.#departed, ended]);
    }
    for (const gathering of this.#gatherings.values()) if (gathering.waiting.delete(worker.id) && gathering.waiting.size === 0) gathering.done();
  }

  /** A reload: counters and admin states start again, as in one process (new BalancerState). */
  reset(): void {
    this.#departed = {};
    this.#lastFigures.clear();
    this.#admin = {};
  }

  /**
   * Every worker re-reads the files; resolves with the errors of those that
   * refused. One that does not answer is killed: its replacement reads them.
   */
  async reload(graceMs: number, secrets: { adminTokenKey: string; tlsTicketSecret: string }): Promise<string[]> {
    const answers = [...this.#workers].map(
      ([id, worker]) =>
        new Promise<string | undefined>((resolve) => {
          const kill = killLate(worker, graceMs);
          this.#reloads.set(id, (error) => (clearTimeout(kill), this.#reloads.delete(id), resolve(error)));
          send(worker, { type: 'reload', graceMs, ...secrets });
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
  async gather(): Promise<CounterReport> {
    const id = ++this.#nextId;
    const reports: CounterReport[] = [this.#departed];
    const waiting = new Set(this.#workers.keys());
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, GATHER_TIMEOUT_MS);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#gatherings.set(id, { waiting, reports, done });
      if (waiting.size === 0) done();
      this.broadcast({ type: 'collect', id });
    });
    this.#gatherings.delete(id);
    return addReports(reports);
  }

  #received(workerId: number, id: number, report: CounterReport): void {
    this.#lastFigures.set(workerId, report);
    const gathering = this.#gatherings.get(id);
    if (!gathering?.waiting.delete(workerId)) return;
    gathering.reports.push(report);
    if (gathering.waiting.size === 0) gathering.done();
  }
}

/**
 * A worker that has not done as told 2 s after `graceMs` is stuck (or stopped):
 * killed, not worker.kill(), which waits for a disconnect first.
 */
const killLate = (worker: Worker, graceMs: number) => setTimeout(() => worker.process.kill('SIGKILL'), graceMs + 2000);
