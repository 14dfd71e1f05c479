/**
 * `nbthread N` / `--threads N` above 1 on Node: this process becomes the
 * primary of N worker processes that share the listeners (node:cluster),
 * each running the whole balancer. The primary serves no request; it is the
 * coordinator, as the Workers adapter's HealthObject: one set of health
 * checks (CoordinatorStore pushes each change), counters added up for any
 * stats page and admin actions passed to all (WorkerFleet), dead workers
 * replaced, SIGHUP and SIGTERM/SIGINT carried to every worker.
 */
import cluster, { type Worker } from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { BalancerState } from '../../src/balancer/balancer-state.ts';
import type { Config } from '../../src/config/types.ts';
import { startHealthChecks, type HealthChecks } from '../../src/health/scheduler.ts';
import { applyAdminStates } from '../../src/balancer/admin-state.ts';
import type { LogFormat } from '../command/console-logger.ts';
import { loadConfigFiles } from '../command/load-config.ts';
import { WORKER_ENV, type FromWorker, type WorkerSetup } from './cluster-messages.ts';
import { CoordinatorStore } from './coordinator-store.ts';
import { createConsoleLogger, createNodeDeps } from './node-deps.ts';
import { WorkerFleet } from './worker-fleet.ts';

export interface PrimaryOptions {
  readonly files: readonly string[];
  readonly config: Config;
  readonly workers: number;
  readonly logFormat: LogFormat;
  readonly graceMs: number;
  /** Resolves when the command is told to stop (SIGTERM/SIGINT). */
  readonly stopSignal: Promise<void>;
}

/** Runs until `stopSignal`; returns the exit code (1 when the workers could not start). */
export async function runPrimary(options: PrimaryOptions): Promise<number> {
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const fleet: WorkerFleet = new WorkerFleet((admin) => applyAdminStates(state.backends.values(), admin));
  const store = new CoordinatorStore((key, health) => fleet.pushHealth(key, health));
  const deps = { ...createNodeDeps(createConsoleLogger(options.logFormat)), healthStore: store };
  let state = new BalancerState(options.config, store, Date.now());
  let checks: HealthChecks = startHealthChecks(state, deps);
  let adminTokenKey = newKey();
  // New at each reload, as a restarted HAProxy's ticket keys are.
  let tlsTicketSecret = newKey();
  let stopping = false;
  let failed: string | undefined;
  const started = new Set<number>();
  let allListening!: () => void;
  const listening = new Promise<void>((resolve) => (allListening = resolve));

  const setup = (): Omit<WorkerSetup, 'admin' | 'announce'> => ({ files: options.files, logFormat: options.logFormat, adminTokenKey, tlsTicketSecret, states: store.snapshot() });
  const fork = (): Worker => {
    const worker = cluster.fork({ [WORKER_ENV]: '1' });
    fleet.add(worker, setup, (message: FromWorker) => {
      if (message.type === 'listening') {
        started.add(worker.id);
        if (started.size > options.workers) log(`[NOTICE] worker ${worker.process.pid} listening, in place of one that exited`);
        // Said once, when the first N workers listen.
        else if (started.size === options.workers) {
          for (const l of message.listeners) log(`[NOTICE] ${l.frontend} listening on ${l.host}:${l.port} (${options.workers} workers)`);
          allListening();
        }
      } else if (message.type === 'failed') {
        failed ??= message.error;
        allListening();
      }
    });
    worker.on('exit', (code, signal) => {
      fleet.remove(worker);
      if (stopping || failed !== undefined) return;
      if (!started.has(worker.id)) {
        failed = `worker ${worker.process.pid} exited before listening (${signal ?? `code ${code}`})`;
        allListening();
        return;
      }
      // Its in-flight requests are lost; everything else goes on in the others.
      log(`[WARNING] worker ${worker.process.pid} exited (${signal ?? `code ${code}`}); starting a new one`);
      fork();
    });
    return worker;
  };
  // SCHED_NONE: workers accept on the shared socket. With Node's round-robin the
  // primary hands each connection over, and one handed to a dying worker hangs
  // forever (bench/NOTES.md, "Every core").
  if (!process.env.NODE_CLUSTER_SCHED_POLICY) cluster.schedulingPolicy = cluster.SCHED_NONE;
  for (let i = 0; i < options.workers; i++) fork();

  const refresh = setInterval(() => void fleet.gather(), 1000).unref();
  const stopAll = async () => {
    stopping = true;
    clearInterval(refresh);
    checks.stop();
    await fleet.stop(options.graceMs);
    await deps.upstream.close();
  };

  // A SIGHUP during start-up (its default would end the process) waits for the workers to listen.
  let reloading = listening;
  const reload = () => {
    reloading = reloading.then(async () => {
      let next;
      try {
        next = loadConfigFiles(options.files, process.env);
      } catch (error) {
        return log(`[ALERT] reload refused, the running configuration stays:\n${(error as Error).message}\n`.trimEnd());
      }
      for (const notice of next.notices) log(`[NOTICE] ${notice}`);
      adminTokenKey = newKey();
      tlsTicketSecret = newKey();
      const errors = await fleet.reload(options.graceMs, { adminTokenKey, tlsTicketSecret });
      if (errors.length > 0) return log(`[ALERT] reload refused, the running configuration stays: ${errors[0]}`);
      fleet.reset();
      checks.stop();
      state = new BalancerState(next.config, store, Date.now());
      checks = startHealthChecks(state, deps);
      log('[NOTICE] configuration reloaded');
    });
  };
  process.on('SIGHUP', reload);
  await Promise.race([listening, options.stopSignal]);
  if (failed !== undefined) {
    log(`[ALERT] ${failed}`);
    process.off('SIGHUP', reload);
    await stopAll();
    return 1;
  }

  await options.stopSignal;
  process.off('SIGHUP', reload);
  log('[NOTICE] stopping: finishing in-flight requests');
  await stopAll();
  return 0;
}

function newKey(): string {
  return randomBytes(33).toString('base64');
}
