/**
 * `deno task start -f haproxy.cfg`: the edge-balancer command on Deno, with
 * the Node command's flags. Configuration files are read with the Node
 * adapter's loader (Deno runs `node:fs`), so both read `-f` files, `-f`
 * directories and JSON the same way.
 */
import { parseArgs } from 'node:util';
import { loadConfigFiles } from '../node/load-config.ts';
import { createConsoleLogger, createDenoDeps, type LogFormat } from './deno-deps.ts';
import { startBalancer } from './serve.ts';

const USAGE = `Usage: deno run --allow-net --allow-read --allow-env adapters/deno/cli.ts -f <path> [-f <path>…] [options]

Options:
  -f <path>            configuration file or directory of *.cfg files (repeatable)
  -c                   check the configuration and exit (0 valid, 1 invalid)
  --log-format <fmt>   access log: httplog (default), json or none
  --grace <ms>         on SIGTERM/SIGINT, time allowed for in-flight requests (default 10000)
  -v, --version        print the version
  -h, --help           print this help
`;

const encoder = new TextEncoder();
const out = (text: string) => Deno.stdout.writeSync(encoder.encode(text));
const err = (text: string) => Deno.stderr.writeSync(encoder.encode(text));

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
        version: { type: 'boolean', short: 'v' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (error) {
    err(`edge-balancer: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) return out(USAGE), 0;
  if (args.version) {
    const pkg = JSON.parse(Deno.readTextFileSync(new URL('../../package.json', import.meta.url))) as { version: string };
    return out(`edge-balancer ${pkg.version}\n`), 0;
  }
  const logFormat = (args['log-format'] ?? 'httplog') as LogFormat;
  if (!['httplog', 'json', 'none'].includes(logFormat)) {
    err(`edge-balancer: --log-format must be httplog, json or none, not '${logFormat}'\n`);
    return 2;
  }
  if (!args.f?.length) {
    err(`edge-balancer: no configuration given (-f <file>)\n\n${USAGE}`);
    return 2;
  }
  let loaded;
  try {
    loaded = loadConfigFiles(args.f, Deno.env.toObject());
  } catch (error) {
    err(`${(error as Error).message}\n`);
    return 1;
  }
  for (const notice of loaded.notices) err(`[NOTICE] ${notice}\n`);
  if (args.c) return out('Configuration file is valid\n'), 0;

  const balancer = await startBalancer(loaded.config, createDenoDeps(createConsoleLogger(logFormat)));
  for (const l of balancer.listeners) err(`[NOTICE] ${l.frontend} listening on ${l.host}:${l.port}\n`);
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) Deno.addSignalListener(signal, () => resolve());
  });
  err('[NOTICE] stopping: finishing in-flight requests\n');
  await balancer.close(Number(args.grace ?? 10_000));
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
