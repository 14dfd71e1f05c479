/**
 * Runs a Config on Deno: a listener per `bind` (./listeners.ts: a raw front
 * on plain binds, `Deno.serve` with the certificate on a `bind … ssl`, see
 * tls-certificate.ts), health checks, and a graceful stop (stop accepting,
 * let in-flight requests finish).
 */
import { createBalancer } from '../../src/app.ts';
import type { Config } from '../../src/config/types.ts';
import type { BalancerDeps } from '../../src/deps.ts';
import { startHealthChecks } from '../../src/health/scheduler.ts';
import type { ListenerAddress, RunningBalancer } from '../command/running-balancer.ts';
import { serverTlsNotices } from '../command/server-tls-limits.ts';
import { singleProcessNotice, unenforcedLimitsNotice } from '../command/unenforced-limits.ts';
import type { DenoDeps } from './deno-deps.ts';
import { AcceptGate } from './accept-gate.ts';
import { listenRaw, listenWithDenoServe, type ListenerContext, type OpenListener } from './listeners.ts';
import { denoCertificateOf } from './tls-certificate.ts';

export type { ListenerAddress, RunningBalancer };

export interface StartOptions {
  /** Plain binds read their connections themselves (./raw-front.ts); false: Deno.serve alone (for comparing the two). */
  readonly rawFront?: boolean;
}

/**
 * `deps` from createDenoDeps forward with the fast path's upstream (whole
 * bodies as bytes); any other Upstream serves the same path with streams.
 */
export async function startBalancer(config: Config, deps: BalancerDeps | DenoDeps, options: StartOptions = {}): Promise<RunningBalancer> {
  // Certificates first: a bind Deno cannot serve is refused before anything listens.
  const certificates = config.frontends.map((frontend) => frontend.binds.map((bind) => denoCertificateOf(bind, deps.logger)));
  const app = createBalancer(config, deps);
  const rawFront = options.rawFront !== false;
  const limits = unenforcedLimitsNotice(config, 'Deno', rawFront ? 'plain binds' : undefined);
  if (limits) deps.logger.warn(limits);
  for (const notice of serverTlsNotices(config, 'Deno')) deps.logger.warn(notice);
  const threads = singleProcessNotice(config, 'Deno');
  if (threads) deps.logger.info(threads);
  const checks = startHealthChecks(app.state, deps);
  const upstream = 'native' in deps.upstream ? (deps as DenoDeps).upstream.native : deps.upstream;
  // `maxconn` (the raw fronts' accept loops): the process's limit, and each frontend's share.
  const gate = new AcceptGate(config.global?.maxconn || Infinity);
  const open: OpenListener[] = [];
  const listeners: ListenerAddress[] = [];
  try {
    for (const [f, frontend] of config.frontends.entries()) {
      const context: ListenerContext = { app, entry: app.state.frontends.get(frontend.name)!, upstream, deps };
      const slots = gate.slots(frontend.maxconn || Infinity);
      for (const [b, bind] of frontend.binds.entries()) {
        const certificate = certificates[f]![b];
        const listener = !certificate && rawFront ? listenRaw(context, bind, gate, slots) : await listenWithDenoServe(context, bind, certificate);
        open.push(listener);
        listeners.push({ frontend: frontend.name, host: bind.host || '0.0.0.0', port: listener.port });
      }
    }
  } catch (error) {
    checks.stop();
    await Promise.all(open.map((listener) => listener.close()));
    throw error;
  }
  return {
    listeners,
    async close(graceMs = 10_000) {
      checks.stop();
      const graceful = Promise.all(open.map((listener) => listener.close()));
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
      await Promise.race([graceful, deadline]);
      clearTimeout(timer);
    },
  };
}
