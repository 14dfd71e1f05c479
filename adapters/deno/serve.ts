/**
 * Runs a Config on Deno: one `Deno.serve` listener per `bind` (with its
 * certificate on a `bind … ssl`, see tls-certificate.ts), health checks, and a
 * graceful stop (stop accepting, let in-flight requests finish).
 */
import { createBalancer } from '../../src/app.ts';
import type { Config } from '../../src/config/types.ts';
import type { BalancerDeps } from '../../src/deps.ts';
import { startHealthChecks } from '../../src/health/scheduler.ts';
import type { ListenerAddress, RunningBalancer } from '../command/running-balancer.ts';
import { serverTlsNotices } from '../command/server-tls-limits.ts';
import { singleProcessNotice, unenforcedLimitsNotice } from '../command/unenforced-limits.ts';
import type { DenoDeps } from './deno-deps.ts';
import { recordAnswer } from '../../src/admission/answer-log.ts';
import { ordinaryForward } from '../../src/admission/ordinary-forward.ts';
import type { ConnectionFacts } from '../../src/rules/transaction.ts';
import { clientLimitsOf } from '../../src/http1/client-limits.ts';
import { createFastPathHandler, type RequestEnds } from './fast-path.ts';
import { FullServer } from './hand-over.ts';
import { RawFront, type Rejected } from './raw-front.ts';
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
  const limits = unenforcedLimitsNotice(config, 'Deno');
  if (limits) deps.logger.warn(limits);
  for (const notice of serverTlsNotices(config, 'Deno')) deps.logger.warn(notice);
  const threads = singleProcessNotice(config, 'Deno');
  if (threads) deps.logger.info(threads);
  const checks = startHealthChecks(app.state, deps);
  const upstream = 'native' in deps.upstream ? (deps as DenoDeps).upstream.native : deps.upstream;
  /** Graceful stops of the listeners. */
  const closers: (() => Promise<void>)[] = [];
  const listeners: ListenerAddress[] = [];
  try {
    for (const [f, frontend] of config.frontends.entries()) {
      for (const [b, bind] of frontend.binds.entries()) {
        const host = bind.host || '0.0.0.0';
        const entry = app.state.frontends.get(frontend.name)!;
        const certificate = certificates[f]![b];
        if (!certificate && options.rawFront !== false) {
          const listener = Deno.listen({ hostname: host, port: bind.port });
          const full = new FullServer();
          const rejected = (admission: Rejected, { clientAddress, clientPort }: ConnectionFacts) =>
            recordAnswer(deps, entry.counters, admission, { address: clientAddress, port: clientPort }, deps.clock.now());
          const raw = new RawFront(listener, ordinaryForward(app, entry, upstream, deps), full, clientLimitsOf(frontend.timeouts), rejected, (message) => deps.logger.warn(message));
          closers.push(() => raw.close());
          full.listen(createFastPathHandler(app, entry, upstream, deps, (info) => handedOverEnds(full, info)));
          listeners.push({ frontend: frontend.name, host, port: listener.addr.port });
          continue;
        }
        const { promise: listening, resolve } = Promise.withResolvers<Deno.NetAddr>();
        let local: Omit<RequestEnds, 'clientAddress'> = {};
        const onListen = (addr: Deno.NetAddr) => {
          // `dst`: Deno.serve does not tell a connection's own local address, so
          // the listener's stands for it, unless it is a wildcard (then unknown).
          local = { localPort: addr.port, ...(addr.hostname === '0.0.0.0' || addr.hostname === '::' ? {} : { localAddress: addr.hostname }) };
          resolve(addr);
        };
        const ends = (info: Deno.ServeHandlerInfo<Deno.NetAddr>): RequestEnds => ({ clientAddress: info.remoteAddr.hostname, clientPort: info.remoteAddr.port, ...local });
        const server = Deno.serve({ hostname: host, port: bind.port, onListen, ...certificate }, createFastPathHandler(app, entry, upstream, deps, ends));
        closers.push(() => server.shutdown());
        listeners.push({ frontend: frontend.name, host, port: (await listening).port });
      }
    }
  } catch (error) {
    checks.stop();
    await Promise.all(closers.map((close) => close()));
    throw error;
  }
  return {
    listeners,
    async close(graceMs = 10_000) {
      checks.stop();
      const graceful = Promise.all(closers.map((close) => close()));
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
      await Promise.race([graceful, deadline]);
      clearTimeout(timer);
    },
  };
}

/** A request of a connection the raw front handed over: its client's facts, not the relay's. */
function handedOverEnds(full: FullServer, info: Deno.ServeHandlerInfo<Deno.NetAddr>): RequestEnds | undefined {
  const handed = full.handedOver(info.remoteAddr);
  if (!handed) return undefined;
  const { clientAddress, clientPort, localAddress, localPort } = handed.facts;
  return { clientAddress, clientPort, localAddress, localPort, admission: handed.admission };
}
