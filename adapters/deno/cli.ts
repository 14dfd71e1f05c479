/**
 * `deno task start -f haproxy.cfg`: the edge-balancer command on Deno, with
 * the Node command's flags and help (adapters/command), minus what only the
 * Node command has (`--demo`, reload on SIGHUP).
 */
import { commandVersion, parseCommandLine, usage, type CommandFeatures } from '../command/command-line.ts';
import { loadConfigFiles } from '../command/load-config.ts';
import { createConsoleLogger, createDenoDeps } from './deno-deps.ts';
import { lazyEnvironment } from './environment.ts';
import { startBalancer } from './serve.ts';
import { denoCertificateOf } from './tls-certificate.ts';
import { ConfigErrors } from '../../src/config/errors.ts';

const FEATURES: CommandFeatures = {
  invocation: 'deno run --allow-net --allow-read [--allow-env] adapters/deno/cli.ts',
  demo: false,
  reload: false,
};

const encoder = new TextEncoder();
const out = (text: string) => void Deno.stdout.writeSync(encoder.encode(text));
const err = (text: string) => void Deno.stderr.writeSync(encoder.encode(text));

export async function main(argv: readonly string[]): Promise<number> {
  const command = parseCommandLine(argv, FEATURES);
  if (command.action === 'usage-error') return err(`edge-balancer: ${command.message}\n\n${usage(FEATURES)}`), 2;
  if (command.action === 'help') return out(usage(FEATURES)), 0;
  if (command.action === 'version') return out(`edge-balancer ${commandVersion()}\n`), 0;
  if (command.action === 'demo') return err('edge-balancer: --demo is only on the Node command\n'), 2;

  let loaded;
  try {
    loaded = loadConfigFiles(command.files, lazyEnvironment());
  } catch (error) {
    return err(`${(error as Error).message}\n`), 1;
  }
  for (const notice of loaded.notices) err(`[NOTICE] ${notice}\n`);
  const deps = createDenoDeps(createConsoleLogger(command.logFormat));
  if (command.action === 'check') {
    // As `haproxy -c`: the certificates a `bind … ssl` names must load too.
    try {
      for (const bind of loaded.config.frontends.flatMap((f) => f.binds)) denoCertificateOf(bind, deps.logger);
    } catch (error) {
      return err(`${(error as Error).message}\n`), 1;
    }
    return out('Configuration file is valid\n'), 0;
  }

  const stopRequested = stopSignal();
  let balancer;
  try {
    balancer = await startBalancer(loaded.config, deps);
  } catch (error) {
    if (!(error instanceof ConfigErrors)) throw error;
    return err(`${error.message}\n`), 1;
  }
  for (const l of balancer.listeners) err(`[NOTICE] ${l.frontend} listening on ${l.host}:${l.port}\n`);
  await stopRequested;
  err('[NOTICE] stopping: finishing in-flight requests\n');
  await balancer.close(command.graceMs);
  return 0;
}

/** Resolves at the first SIGTERM or SIGINT (installed before listening, so none is missed). */
function stopSignal(): Promise<void> {
  return new Promise((resolve) => {
    const signals = ['SIGINT', 'SIGTERM'] as const;
    const stop = () => {
      for (const signal of signals) Deno.removeSignalListener(signal, stop);
      resolve();
    };
    for (const signal of signals) Deno.addSignalListener(signal, stop);
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
