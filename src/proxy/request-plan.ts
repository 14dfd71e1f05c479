/**
 * The per-request decisions, on plain data: which server, what request head
 * it sees, and how its response head is rewritten for the client.
 */
import type { ConnectionMode, Frontend } from '../config/types.ts';
import type { RequestHead, ResponseHead, UpstreamTarget } from '../deps.ts';
import type { BackendRuntime } from '../balancer/backend-runtime.ts';
import { readPersistenceCookie, applyResponseCookie, type PersistenceRequest } from '../persistence/index.ts';
import { chooseCompression, type CompressionChoice } from './compression.ts';
import { effectiveConnectionMode } from './connection-mode.ts';
import { addForwardedFor } from './forwarded-for.ts';
import { requestHeadersForServer, responseHeadersForClient } from './hop-by-hop.ts';
import { serverTlsFor } from './server-tls.ts';
import type { RuleEnvironment } from '../rules/sample.ts';
import type { HttpTransaction } from '../rules/transaction.ts';

export interface RequestPlan {
  readonly runtime: BackendRuntime;
  /** First server to try; undefined when none is usable (503). */
  readonly server: number | undefined;
  /** Chosen by the persistence cookie (HAProxy's "direct" access). */
  readonly direct: boolean;
  /** The request head every attempt sends. */
  readonly head: RequestHead;
  readonly mode: ConnectionMode;
  readonly method: string;
  readonly now: number;
  readonly persistence: PersistenceRequest | undefined;
  /** `compression`'s request-side choice; undefined when the response passes as the server sends it. */
  readonly compression: CompressionChoice | undefined;
  target(server: number): UpstreamTarget;
}

/** `transaction` and `rules`: what a server's `sni` expression reads (the admission step's). */
export function planRequest(
  runtime: BackendRuntime,
  frontend: Frontend,
  head: RequestHead,
  clientAddress: string,
  now: number,
  httpVersion = '1.1',
  transaction?: HttpTransaction,
  rules?: RuleEnvironment,
): RequestPlan {
  const backend = runtime.backend;
  const mode = effectiveConnectionMode(frontend.connectionMode, backend.connectionMode);
  const persistence = backend.cookie
    ? readPersistenceCookie(backend.cookie, backend.servers, head.headers, now, (i) => runtime.isUsable(i))
    : undefined;
  // A cookie naming a server that is down or in maintenance is ignored, with or
  // without `option redispatch` (HAProxy without `option persist`): the
  // persistence reader only returns usable servers.
  const cookieServer = persistence?.serverIndex;
  const direct = cookieServer !== undefined;
  const server = direct ? cookieServer : runtime.selectServer();

  // Hop-by-hop fields are dropped before X-Forwarded-For is added, so a client
  // naming it in Connection cannot remove the proxy's line (haproxy keeps it).
  const compression = chooseCompression(frontend, backend, head.method, httpVersion, persistence?.headers ?? head.headers);
  let headers = requestHeadersForServer(compression.headers, mode);
  const forwardFor = backend.forwardFor ?? frontend.forwardFor;
  if (forwardFor) headers = addForwardedFor(headers, forwardFor, clientAddress);

  const close = mode !== 'keep-alive';
  return {
    runtime,
    server,
    direct,
    head: { method: head.method, target: head.target, headers },
    mode,
    method: head.method,
    now,
    persistence,
    compression: compression.choice,
    target(index) {
      const s = backend.servers[index]!;
      if (!s.tls) return { host: s.host, port: s.port, close };
      const sample = s.tls.sni && transaction && rules ? { txn: transaction, env: rules } : undefined;
      return { host: s.host, port: s.port, close, tls: serverTlsFor(s.tls, sample) };
    },
  };
}

export function planResponseHead(plan: RequestPlan, server: number, direct: boolean, response: ResponseHead): ResponseHead {
  const backend = plan.runtime.backend;
  let headers = response.headers;
  if (backend.cookie) {
    headers = applyResponseCookie(
      backend.cookie,
      {
        method: plan.method,
        servers: backend.servers,
        serverIndex: server,
        // The client's cookie only counts when it was honoured for this very
        // server; after a redispatch the client gets a fresh cookie.
        clientCookieValid: direct && plan.persistence?.serverIndex === server,
        request: plan.persistence,
        now: plan.now,
      },
      response.status,
      headers,
    );
  }
  return { status: response.status, headers: responseHeadersForClient(headers, plan.mode, response.status) };
}
