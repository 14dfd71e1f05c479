/** The runtime pieces src/ needs, built from Deno's APIs. */
import { globalTimers, systemClock, type AccessLogEntry, type BalancerDeps, type Logger, type TcpProbe } from '../../src/deps.ts';
import { MemoryHealthStore } from '../../src/health/memory-store.ts';
import { formatHttpLog, formatJsonLog } from '../../src/proxy/access-log.ts';
import { createFetchUpstream } from '../../src/proxy/fetch-upstream.ts';

export type LogFormat = 'httplog' | 'json' | 'none';

const encoder = new TextEncoder();
const writeOut = (line: string) => Deno.stdout.writeSync(encoder.encode(`${line}\n`));
const writeErr = (line: string) => Deno.stderr.writeSync(encoder.encode(`${line}\n`));

/** Access lines to stdout, health transitions and notices to stderr, as on Node. */
export function createConsoleLogger(format: LogFormat): Logger {
  const access =
    format === 'none'
      ? () => {}
      : (entry: AccessLogEntry) => writeOut(format === 'json' ? formatJsonLog(entry) : formatHttpLog(entry));
  return {
    info: (message) => writeErr(`[NOTICE] ${message}`),
    warn: (message) => writeErr(`[WARNING] ${message}`),
    access,
  };
}

/** HAProxy's default (layer 4) check: a TCP connect, closed at once. */
const denoTcpProbe: TcpProbe = {
  async connect(host, port, timeoutMs) {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      const connection = await Promise.race([
        Deno.connect({ hostname: host, port }),
        new Promise<never>((_, reject) => timeout.addEventListener('abort', () => reject(timeout.reason), { once: true })),
      ]);
      connection.close();
      return { ok: true, status: 'L4OK', durationMs: elapsed() };
    } catch (error) {
      if (timeout.aborted) return { ok: false, status: 'L4TOUT', info: 'Connection timeout', durationMs: elapsed() };
      const refused = error instanceof Deno.errors.ConnectionRefused;
      return { ok: false, status: 'L4CON', info: refused ? 'Connection refused' : String(error), durationMs: elapsed() };
    }
  },
};

export function createDenoDeps(logger: Logger): BalancerDeps {
  return {
    upstream: createFetchUpstream(),
    tcpProbe: denoTcpProbe,
    healthStore: new MemoryHealthStore(),
    clock: systemClock,
    timers: globalTimers,
    logger,
  };
}
