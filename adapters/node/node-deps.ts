/** The runtime pieces src/ needs, built from Node's APIs. */
import { globalTimers, systemClock, type AccessLogEntry, type BalancerDeps, type Logger } from '../../src/deps.ts';
import { MemoryHealthStore } from '../../src/health/memory-store.ts';
import { formatHttpLog, formatJsonLog } from '../../src/proxy/access-log.ts';
import { nodeTcpProbe } from './tcp-probe.ts';
import { createUndiciUpstream, type UndiciUpstream } from './undici-upstream.ts';

export type LogFormat = 'httplog' | 'json' | 'none';

export interface NodeDeps extends BalancerDeps {
  readonly upstream: UndiciUpstream;
}

/** Access lines go to stdout; health transitions and notices to stderr, as a daemon's log would. */
export function createConsoleLogger(format: LogFormat): Logger {
  const access =
    format === 'none'
      ? () => {}
      : (entry: AccessLogEntry) =>
          process.stdout.write(`${format === 'json' ? formatJsonLog(entry) : formatHttpLog(entry)}\n`);
  return {
    info: (message) => process.stderr.write(`[NOTICE] ${message}\n`),
    warn: (message) => process.stderr.write(`[WARNING] ${message}\n`),
    access,
  };
}

export function createNodeDeps(logger: Logger): NodeDeps {
  return {
    upstream: createUndiciUpstream(),
    tcpProbe: nodeTcpProbe,
    healthStore: new MemoryHealthStore(),
    clock: systemClock,
    timers: globalTimers,
    logger,
  };
}
