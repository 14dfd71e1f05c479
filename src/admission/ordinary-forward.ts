/**
 * What a runtime that reads connections itself (the raw fronts of the Node
 * and Deno adapters) does with an ordinary request (src/http1/request-head.ts)
 * under one configuration: the admission step's decision and, when it says
 * `proxy`, `forwardRequest` with the same inputs the fast paths give it.
 * Anything else (stats, redirects, denies, a 400…) comes back as the
 * admission: the runtime's full HTTP server answers it acting on that
 * decision instead of admitting the request a second time, because rules
 * have effects (`set-var(proc.…)`, counters) that must happen once. So does
 * every request of a frontend or backend with `compression`, whose bodies go
 * through the runtime's compressor.
 */
import type { BalancerApp } from '../app.ts';
import type { FrontendRuntime } from '../balancer/balancer-state.ts';
import type { BalancerDeps, Upstream } from '../deps.ts';
import type { OrdinaryRequestHead } from '../http1/request-head.ts';
import { forwardRequest, type ProxyOutcome } from '../proxy/proxy-request.ts';
import type { ConnectionFacts } from '../rules/transaction.ts';
import { admitRequest, type Admission } from './admit-request.ts';

/** The server's answer on its way, or the decision the full server is to act on. */
export type OrdinaryForward<Body> = (
  head: OrdinaryRequestHead,
  conn: ConnectionFacts,
  clientLeft: () => AbortSignal,
) => Promise<ProxyOutcome<Body>> | Admission;

/** Undefined when no request of this frontend is proxied by a raw front (`compression`). */
export function ordinaryForward<Body>(app: BalancerApp, entry: FrontendRuntime, upstream: Upstream<Body>, deps: BalancerDeps): OrdinaryForward<Body> | undefined {
  const { frontend } = entry;
  if (frontend.compression) return undefined;
  const state = app.state;
  return (head, conn, clientLeft) => {
    const admission = admitRequest(state, entry, head, conn);
    if (admission.kind !== 'proxy' || admission.runtime.backend.compression) return admission;
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
