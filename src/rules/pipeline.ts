/**
 * The rule steps of one request and one response at HAProxy 2.6's points, for
 * the admission step to call (it owns stats, forwarding and rendering):
 *
 * request:  monitor-uri → frontend http-request → frontend stats → frontend redirect →
 *           use_backend → backend http-request → backend stats → backend redirect →
 *           unique-id header
 * response: backend http-response → frontend http-response
 *
 * A `listen` section is one proxy: its rules run once, on the frontend side.
 * This is the one place that orders them: the admission step
 * (src/admission/admit-request.ts, src/admission/response-step.ts) calls it
 * on every runtime.
 */
import type { Backend, Frontend } from '../config/types.ts';
import { chooseBackend } from '../routing/choose-backend.ts';
import { conditionHolds } from './condition.ts';
import { errorPageAnswer, monitorAnswer, type Answer } from './http-answer.ts';
import { renderLogFormat } from './log-format.ts';
import { CONTINUE, runRequestRules, runResponseRules, type RuleOutcome } from './run-rules.ts';
import type { RuleEnvironment, SampleContext } from './sample.ts';
import type { HttpTransaction } from './transaction.ts';

export type RequestDecision =
  | { readonly kind: 'forward'; readonly backend: string | undefined }
  /** `monitor-uri`: answered by the balancer (200, or 503 under `monitor fail`). */
  | { readonly kind: 'monitor'; readonly answer: Answer }
  /** The section's `stats uri` takes the request (detected by the caller's `isStatsRequest`). */
  | { readonly kind: 'stats'; readonly section: Frontend | Backend }
  /** `tarpit`, with how long to hold it: the deciding section's `timeout tarpit`, else its `timeout connect` (HAProxy's `s->be`). */
  | { readonly kind: 'tarpit'; readonly answer: Answer; readonly delayMs: number }
  | Exclude<RuleOutcome, { kind: 'continue' | 'tarpit' }>;

/**
 * What the caller detects between the rule steps. HAProxy detects a section's
 * stats URI before its `http-request` rules run (they may still deny it) and
 * serves the stats page after them, before its `redirect` rules.
 */
export interface RequestPoints {
  readonly isStatsRequest?: (section: Frontend | Backend, txn: HttpTransaction) => boolean;
}

const NO_POINTS: RequestPoints = {};

/** Runs the request side; on `forward`, `txn.backend` and the rewritten head are set. */
export function decideRequest(
  frontend: Frontend,
  backends: ReadonlyMap<string, Backend>,
  txn: HttpTransaction,
  env: RuleEnvironment,
  points: RequestPoints = NO_POINTS,
): RequestDecision {
  const ctx: SampleContext = { txn, env };
  if (frontend.uniqueIdFormat && txn.uniqueId === undefined) txn.uniqueId = renderLogFormat(frontend.uniqueIdFormat, ctx, { forHeader: true });
  if (frontend.monitorUri !== undefined && txn.request.target === frontend.monitorUri) {
    // HAProxy answers monitor-uri before any rule; `monitor fail` turns it into the 503 page.
    const failing = frontend.monitorFail !== undefined && conditionHolds(frontend.monitorFail, ctx);
    return { kind: 'monitor', answer: failing ? errorPageAnswer(503) : monitorAnswer() };
  }
  const front = runSection(frontend, ctx, points);
  if (front) return front;
  const backendName = chooseBackend(frontend, txn, env);
  if (backendName !== undefined) txn.backend = backendName;
  const backend = backendName === undefined || (frontend.isListen && backendName === frontend.name) ? undefined : backends.get(backendName);
  if (backend) {
    const back = runSection(backend, ctx, points);
    if (back) return back;
  }
  if (frontend.uniqueIdHeader !== undefined && txn.uniqueId !== undefined) txn.request.headers.push([frontend.uniqueIdHeader, txn.uniqueId]);
  return { kind: 'forward', backend: backendName };
}

/** One section's `http-request` rules, its stats page, then its `redirect` rules; undefined: go on. */
function runSection(proxy: Frontend | Backend, ctx: SampleContext, points: RequestPoints): RequestDecision | undefined {
  const stats = points.isStatsRequest?.(proxy, ctx.txn) ?? false;
  if (proxy.httpRequestRules) {
    const rules = runRequestRules(proxy.httpRequestRules, ctx);
    if (rules.kind !== 'continue') return decidedBy(proxy, rules);
  }
  if (stats) return { kind: 'stats', section: proxy };
  if (proxy.redirectRules) {
    const redirect = runRequestRules(proxy.redirectRules, ctx);
    if (redirect.kind !== 'continue') return decidedBy(proxy, redirect);
  }
  return undefined;
}

/** A final outcome of `proxy`'s rules; a tarpit lasts that proxy's `timeout tarpit`, else its `timeout connect`, as in HAProxy. */
function decidedBy(proxy: Frontend | Backend, outcome: Exclude<RuleOutcome, { kind: 'continue' }>): RequestDecision {
  if (outcome.kind !== 'tarpit') return outcome;
  return { kind: 'tarpit', answer: outcome.answer, delayMs: proxy.timeouts.tarpit ?? proxy.timeouts.connect ?? 0 };
}

/** Runs the response side over `txn.response` (set by the caller): the backend's rules, then the frontend's. */
export function decideResponse(frontend: Frontend, backend: Backend | undefined, txn: HttpTransaction, env: RuleEnvironment): RuleOutcome {
  const ctx: SampleContext = { txn, env };
  if (backend && !(frontend.isListen && backend.name === frontend.name)) {
    const back = backend.httpResponseRules ? runResponseRules(backend.httpResponseRules, ctx) : CONTINUE;
    if (back.kind !== 'continue') return back;
  }
  return frontend.httpResponseRules ? runResponseRules(frontend.httpResponseRules, ctx) : CONTINUE;
}
