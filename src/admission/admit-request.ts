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
 * 2. the rule steps, ordered in one place (../rules/pipeline.ts's
 *    `decideRequest`): `monitor-uri`; the frontend's `http-request` rules,
 *    its `stats uri`, its `redirect` rules; `use_backend`/`default_backend`
 *    (no backend: 503); the backend's rules and stats likewise;
 * 3. the request is proxied: ../proxy/proxy-request.ts's `forwardRequest`,
 *    whose response head goes through ./response-step.ts.
 */
import type { AnswerLog } from './answer-log.ts';
import type { StatsConfig } from '../config/types.ts';
import type { RequestHead } from '../deps.ts';
import type { BalancerState, FrontendRuntime } from '../balancer/balancer-state.ts';
import type { BackendRuntime } from '../balancer/backend-runtime.ts';
import { builtinErrorResponse, type ErrorResponse } from '../proxy/error-pages.ts';
import { whyUpgradeIsRefused } from '../proxy/upgrade.ts';
import type { Answer } from '../rules/http-answer.ts';
import { decideRequest, type RequestPoints } from '../rules/pipeline.ts';
import type { RuleEnvironment } from '../rules/sample.ts';
import { RequestTransaction, type ConnectionFacts, type HttpTransaction } from '../rules/transaction.ts';
import type { CollectOptions } from '../stats/collect.ts';
import { prometheusPage } from '../stats/prometheus-page.ts';
import { isStatsRequest } from '../stats/stats-request.ts';
import { originFormOfRebuiltUrl } from './rebuilt-target.ts';
import { whyRequestHeadIsRefused } from './refused-request-head.ts';
import { servicePageForClient } from './response-step.ts';
import { ruleEnvironmentOf } from './rule-environment.ts';

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

/** Header lines from a runtime's flat raw list (name, value, name, value, …), in order, duplicates kept. */
export function headerLinesOf(raw: readonly string[]): [string, string][] {
  const lines: [string, string][] = new Array(raw.length >> 1);
  for (let i = 0; i + 1 < raw.length; i += 2) lines[i >> 1] = [raw[i]!, raw[i + 1]!];
  return lines;
}

/** The one decision about a request. */
export type Admission =
  /** The stats page of `stats` answers it (the frontend's, or the chosen backend's). */
  | { readonly kind: 'stats'; readonly stats: StatsConfig; readonly transaction: HttpTransaction }
  /**
   * The balancer answers it itself with a ready response: 400 (a head haproxy
   * refuses), 503 (no backend), and what rules answer: redirect, deny,
   * return, auth, monitor-uri. The page says whether to close
   * (`connection: close`). `delayMs`: `tarpit` holds the answer that long.
   * `counted`: the frontend's counter it adds to besides the requests and
   * statuses (HAProxy's dreq for `deny` and `tarpit`, intercepted for the
   * others a rule or `monitor-uri` answers).
   */
  | {
      readonly kind: 'answer';
      readonly response: ErrorResponse;
      readonly delayMs?: number;
      readonly transaction?: HttpTransaction;
      readonly log?: AnswerLog;
      readonly counted?: 'denied' | 'intercepted';
    }
  /** `http-request reject`: close the connection without a response. */
  | { readonly kind: 'reject'; readonly transaction: HttpTransaction; readonly log: AnswerLog }
  /**
   * `http-request use-service prometheus-exporter`: the metrics page, which
   * `prometheusAnswer` renders when the runtime answers (it reads the clock).
   */
  | { readonly kind: 'prometheus'; readonly transaction: HttpTransaction; readonly rules: RuleEnvironment }
  /**
   * Forward it to `runtime`'s servers with `head` (the transaction's request,
   * as rules left it); `rules` is what the `http-response` rules read.
   */
  | {
      readonly kind: 'proxy';
      readonly runtime: BackendRuntime;
      readonly head: RequestHead;
      readonly transaction: HttpTransaction;
      readonly rules: RuleEnvironment;
    };

/**
 * HAProxy detects a section's stats URI on the target as the section's rules
 * receive it (the frontend's: as the client sent it).
 */
const POINTS: RequestPoints = {
  isStatsRequest: (section, txn) => isStatsRequest(section.stats, txn.request.method, txn.request.target),
};

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
  const transaction = new RequestTransaction(conn, { method, target, headers }, frontend.name);
  const rules = ruleEnvironmentOf(state);
  const decision = decideRequest(frontend, state.backendSections, transaction, rules, POINTS);
  switch (decision.kind) {
    case 'forward': {
      const runtime = decision.backend === undefined ? undefined : state.backends.get(decision.backend);
      if (!runtime) return { kind: 'answer', response: builtinErrorResponse(503), transaction };
      return { kind: 'proxy', runtime, head: transaction.request, transaction, rules };
    }
    case 'stats':
      return { kind: 'stats', stats: decision.section.stats!, transaction };
    case 'monitor':
      return { kind: 'answer', response: pageOf(decision.answer), transaction, counted: 'intercepted' };
    case 'answer': {
      const denied = decision.rule.action.kind === 'deny';
      const log = { method, uri: target, termination: denied ? 'PR' : 'LR' } as const;
      return { kind: 'answer', response: pageOf(decision.answer), transaction, log, counted: denied ? 'denied' : 'intercepted' };
    }
    case 'tarpit':
      return { kind: 'answer', response: pageOf(decision.answer), delayMs: decision.delayMs, transaction, log: { method, uri: target, termination: 'PT' }, counted: 'denied' };
    case 'reject':
      return { kind: 'reject', transaction, log: { method, uri: target, termination: 'PR' } };
    case 'service':
      return { kind: 'prometheus', transaction, rules };
  }
}

/** A rule's answer as the page the runtimes send. */
function pageOf(answer: Answer): ErrorResponse {
  return { status: answer.status, reason: answer.reason, headers: answer.headers, body: answer.body };
}

/** The metrics page of a `prometheus` admission, with the `http-response` rules applied as HAProxy does. */
export function prometheusAnswer(
  state: BalancerState,
  admission: Extract<Admission, { kind: 'prometheus' }>,
  now: number,
  counters?: CollectOptions['counters'],
): ErrorResponse {
  const { transaction, rules } = admission;
  const frontend = state.frontends.get(transaction.frontend)!.frontend;
  const backend = transaction.backend === undefined ? undefined : state.backendSections.get(transaction.backend);
  return servicePageForClient(prometheusPage(state, now, counters), frontend, backend, transaction, rules);
}
