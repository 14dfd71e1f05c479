/**
 * One worker process of `nbthread`/`--threads` (see cluster-primary.ts): the
 * whole balancer on the shared listeners, without health checks of its own.
 * Its HealthStore is a copy the primary keeps current, its stats pages show
 * every worker's counters (asked of the primary when a page is served), its
 * admin actions go to the primary for the others, and it reloads and stops
 * when the primary says so.
 */
import { MemoryHealthStore } from '../../src/health/memory-store.ts';
import type { FleetLink } from '../../src/deps.ts';
import { applyAdminStates } from '../../src/balancer/admin-state.ts';
import { snapshotFigures, type CounterReport } from '../../src/balancer/fleet-figures.ts';
import { createLineLogger } from '../command/console-logger.ts';
import { loadConfigFiles } from '../command/load-config.ts';
import type { FromWorker, ToWorker, WorkerSetup } from './cluster-messages.ts';
import { createNodeDeps } from './node-deps.ts';
import { startBalancer, type RunningBalancer } from './serve.ts';

/** A stats page served while the primary does not answer shows this worker alone rather than hang. */
const TOTALS_TIMEOUT_MS = 2000;

export async function runWorker(): Promise<void> {
  const tell = (message: FromWorker) => process.send?.(message);
  // The terminal's Ctrl-C and a SIGHUP reach the whole process group: the primary acts on them for everyone.
  for (const signal of ['SIGINT', 'SIGHUP'] as const) process.on(signal, () => {});
  // Health pushed before the setup is in the setup's snapshot: only the setup counts until then.
  const setup = await new Promise<WorkerSetup>((resolve) => {
    const first = (message: ToWorker) => {
      if (message.type !== 'setup') return;
      process.off('message', first);
      resolve(message.setup);
    };
    process.on('message', first);
    tell({ type: 'ready' });
  });
  const store = new MemoryHealthStore();
  store.replace(setup.states);
  const waiting = new Map<number, (report: CounterReport) => void>();
  let nextId = 0;
  let adminTokenKey = setup.adminTokenKey;
  let tlsTicketSecret = setup.tlsTicketSecret;
  const fleet: FleetLink = {
    counters: () =>
      new Promise((resolve) => {
        const id = ++nextId;
        const timer = setTimeout(() => (waiting.delete(id), resolve(snapshotFigures(balancer.state))), TOTALS_TIMEOUT_MS);
        waiting.set(id, (report) => (clearTimeout(timer), resolve(report)));
        tell({ type: 'counters', id });
      }),
    adminChanged: (changes) => tell({ type: 'admin', admin: Object.fromEntries(changes.map((c) => [`${c.backend}/${c.server}`, c.after])) }),
    get adminTokenKey() {
      return adminTokenKey;
    },
    get tlsTicketSecret() {
      return tlsTicketSecret;
    },
  };
  // Access lines carry the worker's pid, as HAProxy's syslog lines carry its own (`haproxy[PID]:`).
  const lines = createLineLogger(setup.logFormat, {
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
  }, { pid: process.pid });
  // While starting or reloading, only the worker the primary picked says what it found (every worker reads the same files).
  let quiet = !setup.announce;
  const logger = { ...lines, info: (message: string) => quiet || lines.info(message), warn: (message: string) => quiet || lines.warn(message) };
  const deps = { ...createNodeDeps(logger), healthStore: store, fleet };

  let balancer: RunningBalancer;
  try {
    balancer = await startBalancer(loadConfigFiles(setup.files, process.env).config, { deps, checks: false });
  } catch (error) {
    tell({ type: 'failed', error: (error as Error).message });
    process.disconnect();
    return;
  }
  applyAdminStates(balancer.state.backends.values(), setup.admin);
  quiet = false;

  const stop = async (graceMs: number) => {
    await balancer.close(graceMs);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop(10_000));
  // The primary is gone (killed): nobody coordinates any more.
  process.on('disconnect', () => void stop(0));
  process.on('message', (message: ToWorker) => {
    switch (message.type) {
      case 'health':
        return store.set(message.key, message.state);
      case 'admin':
        return applyAdminStates(balancer.state.backends.values(), message.admin);
      case 'collect':
        return tell({ type: 'figures', id: message.id, report: snapshotFigures(balancer.state) });
      case 'totals':
        return waiting.get(message.id)?.(message.report), void waiting.delete(message.id);
      case 'reload':
        adminTokenKey = message.adminTokenKey;
        tlsTicketSecret = message.tlsTicketSecret;
        quiet = !message.announce;
        return void Promise.resolve()
          .then(() => balancer.reload(loadConfigFiles(setup.files, process.env).config, message.graceMs))
          .finally(() => (quiet = false))
          .then(
          () => tell({ type: 'reloaded' }),
          (error: Error) => tell({ type: 'reloaded', error: error.message }),
        );
      case 'stop':
        return void stop(message.graceMs);
    }
  });
  tell({ type: 'listening', listeners: balancer.listeners });
}
