/**
 * The raw front's (./raw-connection.ts) use of the shared ordinary-request
 * step (src/admission/ordinary-forward.ts) on Node: the connection's facts
 * read from the socket, and a decision that is not `proxy` kept for
 * node:http (`admissionHandedOver`), which answers that request.
 */
import type { Socket } from 'node:net';
import type { BalancerApp } from '../../src/app.ts';
import type { Admission } from '../../src/admission/admit-request.ts';
import { ordinaryForward } from '../../src/admission/ordinary-forward.ts';
import type { FrontendRuntime } from '../../src/balancer/balancer-state.ts';
import type { BalancerDeps, Upstream } from '../../src/deps.ts';
import type { OrdinaryRequestHead } from '../../src/http1/request-head.ts';
import type { ProxyOutcome } from '../../src/proxy/proxy-request.ts';
import { connectionFactsOf } from './connection-facts.ts';
import type { UpstreamBody } from './upstream-body.ts';

/**
 * Forwards an ordinary request with the configuration in force; undefined
 * when it is not to be proxied here (stats, answers, compression…).
 */
export type RawForward = (head: OrdinaryRequestHead, socket: Socket, clientLeft: () => AbortSignal) => Promise<ProxyOutcome<UpstreamBody>> | undefined;

/** The decision about the request a connection was handed over with, until node:http reads that request. */
const handedOver = new WeakMap<Socket, Admission>();

/** The admission of the request node:http has just read on `socket`, if the raw front decided it. */
export function admissionHandedOver(socket: Socket): Admission | undefined {
  const admission = handedOver.get(socket);
  if (admission) handedOver.delete(socket);
  return admission;
}

export function createRawForward(app: BalancerApp, entry: FrontendRuntime, upstream: Upstream<UpstreamBody>, deps: BalancerDeps): RawForward | undefined {
  const forward = ordinaryForward(app, entry, upstream, deps);
  if (!forward) return undefined;
  return (head, socket, clientLeft) => {
    const result = forward(head, connectionFactsOf(socket, '1.1'), clientLeft);
    if (result instanceof Promise) return result;
    handedOver.set(socket, result);
    return undefined;
  };
}
