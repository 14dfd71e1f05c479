/**
 * What the raw front (./raw-connection.ts) does with an ordinary request
 * under one configuration: the admission step's decision, the very call the
 * fast path (./fast-path.ts) makes, and, when it says `proxy`,
 * `forwardRequest` with the same inputs. Anything else (stats, redirects,
 * denies, a 400…) is left to node:http, which answers it as ever, acting on
 * this decision (`admissionHandedOver`) instead of admitting the request a
 * second time: the rules have effects (`set-var(proc.…)`, counters) that must
 * happen once. So is every request of a frontend or backend with
 * `compression`, whose bodies go through zlib (./compressed-body.ts).
 */
import type { Socket } from 'node:net';
import type { BalancerApp } from '../../src/app.ts';
import { admitRequest, type Admission } from '../../src/admission/admit-request.ts';
import type { FrontendRuntime } from '../../src/balancer/balancer-state.ts';
import type { BalancerDeps, Upstream } from '../../src/deps.ts';
import type { OrdinaryRequestHead } from '../../src/http1/request-head.ts';
import { forwardRequest, type ProxyOutcome } from '../../src/proxy/proxy-request.ts';
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
  const { frontend } = entry;
  if (frontend.compression) return undefined;
  const state = app.state;
  return (head, socket, clientLeft) => {
    const conn = connectionFactsOf(socket, '1.1');
    const admission = admitRequest(state, entry, head, conn);
    if (admission.kind !== 'proxy' || admission.runtime.backend.compression) {
      handedOver.set(socket, admission);
      return undefined;
    }
    return forwardRequest(
      {
        frontend,
        frontendCounters: entry.counters,
        runtime: admission.runtime,
        head: admission.head,
        body: null,
        client: { address: conn.clientAddress, port: conn.clientPort },
        clientLeft: admission.runtime.backend.abortOnClose ? clientLeft() : undefined,
        transaction: admission.transaction,
        rules: admission.rules,
      },
      upstream,
      deps,
    );
  };
}
