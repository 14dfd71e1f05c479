/**
 * Runtimes that cannot pause accepting connections (Deno.serve has no such
 * control, Workers have no sockets at all) accept `maxconn` and `ulimit-n`
 * but do not enforce them; they say so once at start, rather than change
 * behaviour silently. The Node adapter enforces them (adapters/node/connection-gate.ts).
 */
import type { Config } from '../../src/config/types.ts';

export function unenforcedLimitsNotice(config: Config, runtime: string): string | undefined {
  const set = [
    ...(config.global?.maxconn !== undefined ? ['global maxconn'] : []),
    ...(config.global?.ulimitN !== undefined ? ['global ulimit-n'] : []),
    ...config.frontends.filter((f) => f.maxconn !== undefined).map((f) => `maxconn of '${f.name}'`),
  ];
  if (set.length === 0) return undefined;
  return `${set.join(', ')}: not enforced on ${runtime}, which cannot pause accepting connections (the Node adapter enforces them)`;
}

/** `nbthread N` above 1 where one process serves (Deno): said once at start rather than ignored silently. */
export function singleProcessNotice(config: Config, runtime: string): string | undefined {
  const threads = config.global?.nbthread;
  if (threads === undefined || threads <= 1) return undefined;
  return `global nbthread ${threads}: ${runtime} serves from one process (the Node command runs worker processes)`;
}
