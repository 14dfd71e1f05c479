/**
 * One listener per `bind` on Deno: a plain bind gets a raw front
 * (./raw-front.ts) with its full server behind (./hand-over.ts), under the
 * process's `maxconn` gate; a `bind … ssl` (or every bind, when the raw front
 * is off) a `Deno.serve` with the fast path's handler.
 */
import { recordAnswer } from '../../src/admission/answer-log.ts';
import { ordinaryForward } from '../../src/admission/ordinary-forward.ts';
import type { BalancerApp } from '../../src/app.ts';
import type { FrontendRuntime } from '../../src/balancer/balancer-state.ts';
import type { Bind } from '../../src/config/types.ts';
import type { BalancerDeps, Upstream } from '../../src/deps.ts';
import { clientLimitsOf } from '../../src/http1/client-limits.ts';
import type { Http1Body } from '../../src/proxy/http1-client.ts';
import type { AcceptGate, FrontendSlots } from './accept-gate.ts';
import { createFastPathHandler, type RequestEnds } from './fast-path.ts';
import { FullServer } from './hand-over.ts';
import { RawFront } from './raw-front.ts';
import type { DenoCertificate } from './tls-certificate.ts';

export interface OpenListener {
  readonly port: number;
  /** Graceful: stops accepting, lets what is in flight finish. */
  close(): Promise<void>;
}

export interface ListenerContext {
  readonly app: BalancerApp;
  readonly entry: FrontendRuntime;
  readonly upstream: Upstream<Http1Body | ReadableStream<Uint8Array>>;
  readonly deps: BalancerDeps;
}

export function listenRaw(context: ListenerContext, bind: Bind, gate: AcceptGate, slots: FrontendSlots): OpenListener {
  const { app, entry, upstream, deps } = context;
  const listener = Deno.listen({ hostname: bind.host || '0.0.0.0', port: bind.port });
  const full = new FullServer();
  const raw = new RawFront(listener, full, {
    forward: ordinaryForward(app, entry, upstream, deps),
    limits: clientLimitsOf(entry.frontend.timeouts),
    gate,
    slots,
    rejected: (admission, { clientAddress, clientPort }) => recordAnswer(deps, entry.counters, admission, { address: clientAddress, port: clientPort }, deps.clock.now()),
    warn: (message) => deps.logger.warn(message),
  });
  full.listen(createFastPathHandler(app, entry, upstream, deps, (info) => handedOverEnds(full, info)));
  return { port: listener.addr.port, close: () => raw.close() };
}

export async function listenWithDenoServe(context: ListenerContext, bind: Bind, certificate: DenoCertificate | undefined): Promise<OpenListener> {
  const { app, entry, upstream, deps } = context;
  const { promise: listening, resolve } = Promise.withResolvers<Deno.NetAddr>();
  let local: Omit<RequestEnds, 'clientAddress'> = {};
  const onListen = (addr: Deno.NetAddr) => {
    // `dst`: Deno.serve does not tell a connection's own local address, so
    // the listener's stands for it, unless it is a wildcard (then unknown).
    local = { localPort: addr.port, ...(addr.hostname === '0.0.0.0' || addr.hostname === '::' ? {} : { localAddress: addr.hostname }) };
    resolve(addr);
  };
  const ends = (info: Deno.ServeHandlerInfo<Deno.NetAddr>): RequestEnds => ({ clientAddress: info.remoteAddr.hostname, clientPort: info.remoteAddr.port, ...local });
  const server = Deno.serve({ hostname: bind.host || '0.0.0.0', port: bind.port, onListen, ...certificate }, createFastPathHandler(app, entry, upstream, deps, ends));
  return { port: (await listening).port, close: () => server.shutdown() };
}

/** A request of a connection the raw front handed over: its client's facts, not the relay's. */
function handedOverEnds(full: FullServer, info: Deno.ServeHandlerInfo<Deno.NetAddr>): RequestEnds | undefined {
  const handed = full.handedOver(info.remoteAddr);
  if (!handed) return undefined;
  const { clientAddress, clientPort, localAddress, localPort } = handed.facts;
  return { clientAddress, clientPort, localAddress, localPort, admission: handed.admission };
}
