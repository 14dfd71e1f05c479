/**
 * The front door: what becomes of a request, decided in one place for every
 * runtime. The Node fast path and the Hono app (Deno, Workers, library use)
 * call `admitRequest` with the request head as received and what they know of
 * the connection, and act on the one decision it returns; they only move
 * bytes. In HAProxy's order (2.6's http_process_req_common for the frontend,
 * process_switching_rules, then http_process_req_common for the backend):
 *
 * 1. heads haproxy refuses get its 400 page (./refused-request-head.ts), and
 *    so do a runtime-built URL that Host may have bent (./rebuilt-target.ts)
 *    and a WebSocket upgrade without a valid key (../proxy/upgrade.ts);
 * 2. the frontend's `stats uri` is detected, its `http-request` rules run,
 *    then a stats request goes to the stats page; its `redirect` rules run;
 * 3. `use_backend` / `default_backend` choose the backend (no backend: 503);
 * 4. the backend's `stats uri` and `http-request` rules, likewise;
 * 5. the request is proxied: ../proxy/proxy-request.ts's `forwardRequest`,
 *    whose response head goes through ./response-step.ts.
 */
import type { StatsConfig } from '../config/types.ts';
import type { RequestHead } from '../deps.ts';
import type { BalancerState, FrontendRuntime } from '../balancer/balancer-state.ts';
import type { BackendRuntime } from '../balancer/backend-runtime.ts';
import { builtinErrorResponse, type ErrorResponse } from '../proxy/error-pages.ts';
import { whyUpgradeIsRefused } from '../proxy/upgrade.ts';
import { chooseBackend, requestPath } from '../routing/choose-backend.ts';
import type { ConnectionFacts, HttpTransaction } from '../rules/transaction.ts';
import { isStatsRequest } from '../stats/stats-request.ts';
import { originFormOfRebuiltUrl } from './rebuilt-target.ts';
import { whyRequestHeadIsRefused } from './refused-request-head.ts';
import { evaluateHttpRequestRules, evaluateRedirectRules, isSameSection } from './rule-hooks.ts';

/** The request head as the runtime received it. */
export interface ReceivedHead {
  readonly method: string;
  /**
   * The request-target as the client sent it (`/a/../b?x`, `http://host/x`,
   * unchanged); or, with `rebuilt`, the absolute URL of a Fetch `Request`.
   */
  readonly target: string;
  /** Header lines in order, duplicates kept; they become the transaction's (rules rewrite them). */
  readonly headers: [string, string][];
  /**
   * True when the runtime gives no raw target and `target` is the URL it
   * rebuilt from Host and the path (Deno's serve, Workers): see ./rebuilt-target.ts.
   */
  readonly rebuilt?: boolean;
}

/** The one decision about a request. */
export type Admission =
  /** The stats page of `stats` answers it (the frontend's, or the chosen backend's). */
  | { readonly kind: 'stats'; readonly stats: StatsConfig; readonly transaction: HttpTransaction }
  /**
   * The balancer answers it itself with a ready response: today 400 (a head
   * haproxy refuses) and 503 (no backend); with rules, redirect, deny,
   * return, auth. The page says whether to close (`connection: close`).
   */
  | { readonly kind: 'answer'; readonly response: ErrorResponse; readonly transaction?: HttpTransaction }
  /** Forward it to `runtime`'s servers with `head` (the transaction's request, as rules left it). */
  | { readonly kind: 'proxy'; readonly runtime: BackendRuntime; readonly head: RequestHead; readonly transaction: HttpTransaction };

export function admitRequest(
  state: BalancerState,
  entry: FrontendRuntime,
  received: ReceivedHead,
  conn: ConnectionFacts,
): Admission {
  const { method, headers } = received;
  let target: string | undefined = received.target;
  if (received.rebuilt) target = originFormOfRebuiltUrl(target, headers);
  else if (whyRequestHeadIsRefused({ httpVersion: conn.httpVersion, target, headers })) target = undefined;
  // On every runtime (the runtime-built URLs skip the head checks above).
  if (target === undefined || whyUpgradeIsRefused(headers)) return { kind: 'answer', response: builtinErrorResponse(400) };

  const frontend = entry.frontend;
  const transaction: HttpTransaction = {
    conn,
    request: { method, target, headers },
    frontend: frontend.name,
    vars: new Map(),
    captures: [],
  };
  const request = transaction.request;

  // HAProxy detects the stats URI before the section's http-request rules run
  // (they may still deny it), on the target as received.
  const frontendStats = isStatsRequest(frontend.stats, method, target);
  const frontendAnswer = evaluateHttpRequestRules(transaction, frontend);
  if (frontendAnswer) return { kind: 'answer', response: frontendAnswer, transaction };
  if (frontendStats) return { kind: 'stats', stats: frontend.stats, transaction };
  const redirect = evaluateRedirectRules(transaction, frontend);
  if (redirect) return { kind: 'answer', response: redirect, transaction };

  const backendName = chooseBackend(frontend, { path: requestPath(request.target), headers: request.headers });
  const runtime = backendName === undefined ? undefined : state.backends.get(backendName);
  if (!runtime) return { kind: 'answer', response: builtinErrorResponse(503), transaction };
  transaction.backend = runtime.backend.name;

  // A `listen` is one section: its stats and rules were the frontend's.
  if (!isSameSection(frontend, runtime.backend.name)) {
    const backend = runtime.backend;
    const backendStats = isStatsRequest(backend.stats, request.method, request.target);
    const backendAnswer = evaluateHttpRequestRules(transaction, backend);
    if (backendAnswer) return { kind: 'answer', response: backendAnswer, transaction };
    if (backendStats) return { kind: 'stats', stats: backend.stats, transaction };
  }
  return { kind: 'proxy', runtime, head: request, transaction };
}
