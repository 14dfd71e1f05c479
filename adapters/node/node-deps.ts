/** The runtime pieces src/ needs, built from Node's APIs. */
import { globalTimers, systemClock, type BalancerDeps, type Logger } from '../../src/deps.ts';
import { MemoryHealthStore } from '../../src/health/memory-store.ts';
import { createLineLogger, type LogFormat } from '../command/console-logger.ts';
import { compressWebBody } from './compressed-body.ts';
import { nodeTcpProbe } from './tcp-probe.ts';
import { createUndiciUpstream, type UndiciUpstream } from './undici-upstream.ts';

export type { LogFormat };

export interface NodeDeps extends BalancerDeps {
  readonly upstream: UndiciUpstream;
}

/** Access lines go to stdout; health transitions and notices to stderr, as a daemon's log would. */
export function createConsoleLogger(format: LogFormat): Logger {
  return createLineLogger(format, {
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
  });
}

export function createNodeDeps(logger: Logger): NodeDeps {
  return {
    upstream: createUndiciUpstream(),
    compressBody: compressWebBody,
    tcpProbe: nodeTcpProbe,
    healthStore: new MemoryHealthStore(),
    clock: systemClock,
    timers: globalTimers,
    logger,
    environment: (name) => process.env[name],
  };
}
