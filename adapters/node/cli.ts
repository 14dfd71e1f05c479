/**
 * The `edge-balancer` command: HAProxy-like flags over the Node adapter.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfigFiles } from './load-config.ts';
import { runDemo } from './demo.ts';
import { startBalancer, type RunningBalancer } from './serve.ts';
import type { LogFormat } from './node-deps.ts';

const USAGE = `Usage: edge-balancer -f <config> [-f <config>…] [options]
       edge-balancer --demo

HTTP load balancer with HAProxy's configuration language and behaviour.

Options:
  -f <path>              configuration file or directory of *.cfg files (repeatable,
                         read in order like haproxy -f); a .json file holds a Config object
  -c                     check the configuration and exit (0 valid, 1 invalid)
  --log-format <fmt>     access log: httplog (default), json or none
  --grace <ms>           on SIGTERM/SIGINT, time allowed for in-flight requests (default 10000)
  --demo                 run the demo: two backends behind the seed configuration
                         (port from $PORT, default 8080)
  -v, --version          print the version
  -h, --help             print this help

Signals: SIGHUP reloads the configuration files (a broken configuration is
reported and the running one stays; open connections are kept); SIGTERM and
SIGINT stop gracefully.
`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export async function main(argv: readonly string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: [...argv],
      options: {
        f: { type: 'string', multiple: true },
        c: { type: 'boolean' },
        'log-format': { type: 'string' },
        grace: { type: 'string' },
        demo: { type: 'boolean' },
        version: { type: 'boolean', short: 'v' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (error) {
    process.stderr.write(`edge-balancer: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) return void process.stdout.write(USAGE), 0;
  if (args.version) return void process.stdout.write(`edge-balancer ${version()}\n`), 0;

  const logFormat = (args['log-format'] ?? 'httplog') as LogFormat;
  if (!['httplog', 'json', 'none'].includes(logFormat)) {
    process.stderr.write(`edge-balancer: --log-format must be httplog, json or none, not '${logFormat}'\n`);
    return 2;
  }
  const graceMs = Number(args.grace ?? 10_000);

  if (args.demo) {
    const port = Number(process.env.PORT ?? 8080);
    const stop = await runDemo(port, Number(process.env.STATS_PORT ?? port + 1));
    await waitForStopSignal();
    await stop();
    return 0;
  }

  if (!args.f?.length) {
    process.stderr.write(`edge-balancer: no configuration given (-f <file>)\n\n${USAGE}`);
    return 2;
  }
  let loaded;
  try {
    loaded = loadConfigFiles(args.f);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 1;
  }
  for (const notice of loaded.notices) process.stderr.write(`[NOTICE] ${notice}\n`);
  if (args.c) {
    process.stdout.write('Configuration file is valid\n');
    return 0;
  }

  const balancer = await startBalancer(loaded.config, { logFormat });
  for (const l of balancer.listeners) process.stderr.write(`[NOTICE] ${l.frontend} listening on ${l.host}:${l.port}\n`);
  const stopReloading = reloadOnHangup(args.f, balancer, graceMs);
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
        next = loadConfigFiles(files);
      } catch (error) {
        process.stderr.write(`[ALERT] reload refused, the running configuration stays:\n${(error as Error).message}\n`);
        return;
      }
      for (const notice of next.notices) process.stderr.write(`[NOTICE] ${notice}\n`);
      try {
        await balancer.reload(next.config, graceMs);
        process.stderr.write('[NOTICE] configuration reloaded\n');
      } catch (error) {
        process.stderr.write(`[ALERT] reload failed: ${(error as Error).message}\n`);
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
