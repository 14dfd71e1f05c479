/** The runtime pieces src/ needs, built from Node's APIs. */
import { globalTimers, systemClock, type BalancerDeps, type Logger } from '../../src/deps.ts';
import { MemoryHealthStore } from '../../src/health/memory-store.ts';
import { createLineLogger, type LogFormat } from '../command/console-logger.ts';
import { compressWebBody } from './compressed-body.ts';
import { nodeTcpProbe } from './tcp-probe.ts';
import { createRawUpstream } from './raw-upstream.ts';
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

/**
 * The fast path's upstream: raw sockets for plain-HTTP servers, undici for
 * TLS ones; the Hono app's (web streams) stays on undici.
 */
function createNodeUpstream(): UndiciUpstream {
  const undici = createUndiciUpstream();
  const raw = createRawUpstream(undici.native);
  return {
    native: raw,
    request: undici.request,
    async close() {
      raw.closeIdle();
      await undici.close();
    },
  };
}

export function createNodeDeps(logger: Logger): NodeDeps {
  return {
    upstream: createNodeUpstream(),
    compressBody: compressWebBody,
    tcpProbe: nodeTcpProbe,
    healthStore: new MemoryHealthStore(),
    clock: systemClock,
    timers: globalTimers,
    logger,
    environment: (name) => process.env[name],
  };
}
