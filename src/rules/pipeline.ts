/**
 * The rule steps of one request and one response at HAProxy 2.6's points, for
 * the admission step to call (it owns stats, forwarding and rendering):
 *
 * request:  monitor-uri → frontend http-request → frontend redirect →
 *           use_backend → backend http-request → backend redirect → unique-id
 * response: backend http-response → frontend http-response
 *
 * A `listen` section is one proxy: its rules run once, on the frontend side.
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
  | Exclude<RuleOutcome, { kind: 'continue' }>;

/** Runs the request side; on `forward`, `txn.backend` and the rewritten head are set. */
export function decideRequest(frontend: Frontend, backends: ReadonlyMap<string, Backend>, txn: HttpTransaction, env: RuleEnvironment): RequestDecision {
  const ctx: SampleContext = { txn, env };
  if (frontend.uniqueIdFormat && txn.uniqueId === undefined) txn.uniqueId = renderLogFormat(frontend.uniqueIdFormat, ctx, { forHeader: true });
  if (frontend.monitorUri !== undefined && txn.request.target === frontend.monitorUri) {
    // HAProxy answers monitor-uri before any rule; `monitor fail` turns it into the 503 page.
    const failing = frontend.monitorFail !== undefined && conditionHolds(frontend.monitorFail, ctx);
    return { kind: 'monitor', answer: failing ? errorPageAnswer(503) : monitorAnswer() };
  }
  const front = runBoth(frontend, ctx);
  if (front.kind !== 'continue') return front;
  const backendName = chooseBackend(frontend, txn, env);
  if (backendName !== undefined) txn.backend = backendName;
  const backend = backendName === undefined || (frontend.isListen && backendName === frontend.name) ? undefined : backends.get(backendName);
  if (backend) {
    const back = runBoth(backend, ctx);
    if (back.kind !== 'continue') return back;
  }
  if (frontend.uniqueIdHeader !== undefined && txn.uniqueId !== undefined) txn.request.headers.push([frontend.uniqueIdHeader, txn.uniqueId]);
  return { kind: 'forward', backend: backendName };
}

function runBoth(proxy: Frontend | Backend, ctx: SampleContext): RuleOutcome {
  const rules = runRequestRules(proxy.httpRequestRules ?? [], ctx);
  if (rules.kind !== 'continue') return rules;
  return runRequestRules(proxy.redirectRules ?? [], ctx);
}

/** Runs the response side over `txn.response` (set by the caller): the backend's rules, then the frontend's. */
export function decideResponse(frontend: Frontend, backend: Backend | undefined, txn: HttpTransaction, env: RuleEnvironment): RuleOutcome {
  const ctx: SampleContext = { txn, env };
  if (backend && !(frontend.isListen && backend.name === frontend.name)) {
    const back = runResponseRules(backend.httpResponseRules ?? [], ctx);
    if (back.kind !== 'continue') return back;
  }
  return frontend.httpResponseRules ? runResponseRules(frontend.httpResponseRules, ctx) : CONTINUE;
}
