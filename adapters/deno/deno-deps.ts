/** The runtime pieces src/ needs, built from Deno's APIs. */
import { globalTimers, systemClock, type BalancerDeps, type Logger } from '../../src/deps.ts';
import { MemoryHealthStore } from '../../src/health/memory-store.ts';
import { createLineLogger, type LogFormat } from '../command/console-logger.ts';
import { createDenoUpstream, type DenoUpstream } from './deno-upstream.ts';
import { denoTcpProbe } from './tcp-probe.ts';
import { acceptDenoWebSocket } from './websocket-relay.ts';

export type { LogFormat };

export interface DenoDeps extends BalancerDeps {
  readonly upstream: DenoUpstream;
}

const encoder = new TextEncoder();

/** Access lines to stdout, health transitions and notices to stderr, as on Node. */
export function createConsoleLogger(format: LogFormat): Logger {
  return createLineLogger(format, {
    stdout: (line) => Deno.stdout.writeSync(encoder.encode(`${line}\n`)),
    stderr: (line) => Deno.stderr.writeSync(encoder.encode(`${line}\n`)),
  });
}

export function createDenoDeps(logger: Logger): DenoDeps {
  return {
    upstream: createDenoUpstream(),
    acceptWebSocket: acceptDenoWebSocket,
    tcpProbe: denoTcpProbe,
    healthStore: new MemoryHealthStore(),
    clock: systemClock,
    timers: globalTimers,
    logger,
    environment: grantedVariable,
  };
}

/**
 * `env(NAME)`: a variable Deno lets us read. Asking for one that was not
 * granted would prompt on a terminal (or throw), so such a variable reads as
 * unset, as an unset one does in HAProxy.
 */
function grantedVariable(name: string): string | undefined {
  return Deno.permissions.querySync({ name: 'env', variable: name }).state === 'granted' ? Deno.env.get(name) : undefined;
}
