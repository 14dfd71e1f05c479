/**
 * The edge-balancer command line, shared by the Node and Deno commands so
 * both take the same flags and print the same help (`node:util`'s parseArgs
 * runs on both). Each command then does what the parsed Command says.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { LOG_FORMATS, type LogFormat } from './console-logger.ts';

/** What the running command offers beyond the common flags. */
export interface CommandFeatures {
  /** How the user starts it, for the usage line. */
  readonly invocation: string;
  /** `--demo` (Node only: it starts its own demo backends). */
  readonly demo: boolean;
  /** SIGHUP reloads the configuration (Node only). */
  readonly reload: boolean;
  /** `--threads N`: worker processes (Node only). */
  readonly threads?: boolean;
}

export type Command =
  | { readonly action: 'help' }
  | { readonly action: 'version' }
  /** Wrong flags: print `message` and the usage, exit 2. */
  | { readonly action: 'usage-error'; readonly message: string }
  | { readonly action: 'demo'; readonly logFormat: LogFormat; readonly graceMs: number }
  | {
      readonly action: 'check' | 'serve';
      readonly files: readonly string[];
      readonly logFormat: LogFormat;
      readonly graceMs: number;
      /** `--threads N`, when given: it wins over the configuration's `nbthread`. */
      readonly threads?: number;
    };

export function usage(features: CommandFeatures): string {
  const demo = features.demo
    ? `  --demo                 run the demo: two backends behind the seed configuration
                         (port from $PORT, default 8080)\n`
    : '';
  const threads = features.threads
    ? `  --threads <n>          worker processes sharing the listeners, 1-64 (default: global
                         nbthread, else the CPUs available, as haproxy; 1 runs no workers)\n`
    : '';
  const signals = features.reload
    ? `Signals: SIGHUP reloads the configuration files (a broken configuration is
reported and the running one stays; open connections are kept); SIGTERM and
SIGINT stop gracefully.\n`
    : 'Signals: SIGTERM and SIGINT stop gracefully.\n';
  return `Usage: ${features.invocation} -f <config> [-f <config>…] [options]
${features.demo ? `       ${features.invocation} --demo\n` : ''}
HTTP load balancer with HAProxy's configuration language and behaviour.

Options:
  -f <path>              configuration file or directory of *.cfg files (repeatable,
                         read in order like haproxy -f); a .json file holds a Config object
  -c                     check the configuration and exit (0 valid, 1 invalid)
  --log-format <fmt>     access log: ${LOG_FORMATS.join(', ')} (default httplog)
  --grace <ms>           on SIGTERM/SIGINT, time allowed for in-flight requests (default 10000)
${threads}${demo}  -v, --version          print the version
  -h, --help             print this help

${signals}`;
}

export function parseCommandLine(argv: readonly string[], features: CommandFeatures): Command {
  let args;
  try {
    args = parseArgs({
      args: [...argv],
      options: {
        f: { type: 'string', multiple: true },
        c: { type: 'boolean' },
        'log-format': { type: 'string' },
        grace: { type: 'string' },
        ...(features.threads ? { threads: { type: 'string' as const } } : {}),
        ...(features.demo ? { demo: { type: 'boolean' as const } } : {}),
        version: { type: 'boolean', short: 'v' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values as {
      f?: string[];
      c?: boolean;
      'log-format'?: string;
      grace?: string;
      threads?: string;
      demo?: boolean;
      version?: boolean;
      help?: boolean;
    };
  } catch (error) {
    return { action: 'usage-error', message: (error as Error).message };
  }
  if (args.help) return { action: 'help' };
  if (args.version) return { action: 'version' };
  const logFormat = (args['log-format'] ?? 'httplog') as LogFormat;
  if (!LOG_FORMATS.includes(logFormat)) {
    return { action: 'usage-error', message: `--log-format must be ${LOG_FORMATS.join(', ')}, not '${logFormat}'` };
  }
  const graceMs = Number(args.grace ?? 10_000);
  if (!Number.isFinite(graceMs) || graceMs < 0) {
    return { action: 'usage-error', message: `--grace must be a number of milliseconds, not '${args.grace}'` };
  }
  const threads = args.threads === undefined ? undefined : Number(args.threads);
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1 && threads <= 64)) {
    return { action: 'usage-error', message: `--threads must be an integer from 1 to 64 (as nbthread), not '${args.threads}'` };
  }
  if (args.demo) return { action: 'demo', logFormat, graceMs };
  if (!args.f?.length) return { action: 'usage-error', message: 'no configuration given (-f <file>)' };
  return { action: args.c ? 'check' : 'serve', files: args.f, logFormat, graceMs, ...(threads !== undefined ? { threads } : {}) };
}

/**
 * The package's version, from package.json: two levels up from the sources
 * (adapters/command/), three from the compiled package (dist/adapters/command/).
 */
export function commandVersion(): string {
  for (const path of ['../../package.json', '../../../package.json']) {
    let text: string;
    try {
      text = readFileSync(new URL(path, import.meta.url), 'utf8');
    } catch {
      continue;
    }
    return (JSON.parse(text) as { version: string }).version;
  }
  throw new Error('edge-balancer: package.json not found next to the command');
}
