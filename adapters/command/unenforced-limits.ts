/**
 * Runtimes that cannot pause accepting connections (Deno.serve has no such
 * control, Workers have no sockets at all) accept `maxconn` and `ulimit-n`
 * but do not enforce them; they say so once at start, rather than change
 * behaviour silently. The Node adapter enforces them (adapters/node/connection-gate.ts),
 * and so does Deno's raw front for `maxconn` on plain binds
 * (adapters/deno/accept-gate.ts): `pausable` names those binds.
 */
import type { Config, Frontend } from '../../src/config/types.ts';

export function unenforcedLimitsNotice(config: Config, runtime: string, pausable?: 'plain binds'): string | undefined {
  const unenforced = (f: Frontend) => !pausable || f.binds.some((bind) => bind.tls);
  const set = [
    ...(config.global?.maxconn !== undefined && config.frontends.some(unenforced) ? ['global maxconn'] : []),
    ...(config.global?.ulimitN !== undefined ? ['global ulimit-n'] : []),
    ...config.frontends.filter((f) => f.maxconn !== undefined && unenforced(f)).map((f) => `maxconn of '${f.name}'`),
  ];
  if (set.length === 0) return undefined;
  if (!pausable) return `${set.join(', ')}: not enforced on ${runtime}, which cannot pause accepting connections (the Node adapter enforces them)`;
  return `${set.join(', ')}: not enforced on ${runtime}'s TLS binds, whose Deno.serve cannot pause accepting connections, nor ulimit-n, which it cannot apply (its ${pausable} enforce maxconn, as the Node adapter does)`;
}

/** `nbthread N` above 1 where one process serves (Deno): said once at start rather than ignored silently. */
export function singleProcessNotice(config: Config, runtime: string): string | undefined {
  const threads = config.global?.nbthread;
  if (threads === undefined || threads <= 1) return undefined;
  return `global nbthread ${threads}: ${runtime} serves from one process (the Node command runs worker processes)`;
}
