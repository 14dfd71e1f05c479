/**
 * The `edge-balancer` command: HAProxy-like flags over the Node adapter.
 */
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { commandVersion, parseCommandLine, usage, type CommandFeatures } from '../command/command-line.ts';
import { loadConfigFiles } from '../command/load-config.ts';
import { ConfigErrors } from '../../src/config/errors.ts';
import { WORKER_ENV } from './cluster-messages.ts';
import type { RunningBalancer } from './serve.ts';

const FEATURES: CommandFeatures = { invocation: 'edge-balancer', demo: true, reload: true, threads: true };

export async function main(argv: readonly string[]): Promise<number> {
  // A worker of `--threads`/`nbthread` (forked by cluster-primary.ts with the same argv): the primary has read the flags.
  if (cluster.isWorker && process.env[WORKER_ENV]) {
    (await import('./v8-memory.ts')).limitServingMemory();
    return void (await (await import('./cluster-worker.ts')).runWorker()), 0;
  }
  const command = parseCommandLine(argv, FEATURES);
  if (command.action === 'usage-error') {
    process.stderr.write(`edge-balancer: ${command.message}\n\n${usage(FEATURES)}`);
    return 2;
  }
  if (command.action === 'help') return void process.stdout.write(usage(FEATURES)), 0;
  if (command.action === 'version') return void process.stdout.write(`edge-balancer ${commandVersion()}\n`), 0;
  const { logFormat, graceMs } = command;

  if (command.action === 'demo') {
    const port = Number(process.env.PORT ?? 8080);
    // Loaded on demand, as the listeners below: `-c` only needs the config reader.
    const { runDemo } = await import('./demo.ts');
    (await import('./v8-memory.ts')).limitServingMemory();
    const stop = await runDemo(port, Number(process.env.STATS_PORT ?? port + 1));
    await waitForStopSignal();
    await stop();
    return 0;
  }

  let loaded;
  try {
    loaded = loadConfigFiles(command.files, process.env);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 1;
  }
  for (const notice of loaded.notices) process.stderr.write(`[NOTICE] ${notice}\n`);
  const { loadTlsBindings } = await import('./tls-bindings.ts');
  if (command.action === 'check') {
    // As `haproxy -c`: the certificates a `bind … ssl` names must load too.
    try {
      loadTlsBindings(loaded.config);
    } catch (error) {
      process.stderr.write(`${(error as Error).message}\n`);
      return 1;
    }
    process.stdout.write('Configuration file is valid\n');
    return 0;
  }

  (await import('./v8-memory.ts')).limitServingMemory();
  // As haproxy: `nbthread`, else one per CPU available. `--threads` wins over both.
  const workers = command.threads ?? loaded.config.global?.nbthread ?? availableParallelism();
  let balancer;
  try {
    if (workers > 1) {
      // The certificates are loaded here first, so a broken one stops the start as in one process.
      loadTlsBindings(loaded.config);
      const { runPrimary } = await import('./cluster-primary.ts');
      return await runPrimary({ files: command.files, config: loaded.config, workers, logFormat, graceMs, stopSignal: waitForStopSignal() });
    }
    const { startBalancer } = await import('./serve.ts');
    balancer = await startBalancer(loaded.config, { logFormat });
  } catch (error) {
    // A configuration or certificate error, or an address that cannot be bound: a message and exit 1, as haproxy.
    if (error instanceof ConfigErrors) process.stderr.write(`${error.message}\n`);
    else if ((error as NodeJS.ErrnoException).syscall === 'listen') process.stderr.write(`[ALERT] ${(error as Error).message}\n`);
    else throw error;
    return 1;
  }
  for (const l of balancer.listeners) process.stderr.write(`[NOTICE] ${l.frontend} listening on ${l.host}:${l.port}\n`);
  const stopReloading = reloadOnHangup(command.files, balancer, graceMs);
  await waitForStopSignal();
  stopReloading();
  process.stderr.write('[NOTICE] stopping: finishing in-flight requests\n');
  await balancer.close(graceMs);
  return 0;
}

/**
 * SIGHUP re-reads the configuration files. A configuration with errors is
 * reported and the running one stays; a valid one replaces it without
 * dropping connections (see RunningBalancer.reload).
 */
function reloadOnHangup(files: readonly string[], balancer: RunningBalancer, graceMs: number): () => void {
  let reloading = Promise.resolve();
  const reload = () => {
    reloading = reloading.then(async () => {
      let next;
      try {
        next = loadConfigFiles(files, process.env);
      } catch (error) {
        process.stderr.write(`[ALERT] reload refused, the running configuration stays:\n${(error as Error).message}\n`);
        return;
      }
      for (const notice of next.notices) process.stderr.write(`[NOTICE] ${notice}\n`);
      try {
        await balancer.reload(next.config, graceMs);
        process.stderr.write('[NOTICE] configuration reloaded\n');
      } catch (error) {
        process.stderr.write(`[ALERT] reload refused, the running configuration stays: ${(error as Error).message}\n`);
      }
    });
  };
  process.on('SIGHUP', reload);
  return () => process.off('SIGHUP', reload);
}

function waitForStopSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
