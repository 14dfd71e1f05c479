/**
 * Where HAProxy evaluates its rules, in its order: for each request, the
 * frontend's `http-request` rules, its `redirect` rules, `use_backend`, then
 * the backend's `http-request` rules (2.6's http_process_req_common, run for
 * the frontend then for the backend, around process_switching_rules); for
 * each response, the backend's `http-response` rules, then the frontend's.
 * The admission step and the response step call these at those points. No
 * rule is supported by the configuration readers yet, so today each hook lets
 * the transaction through unchanged; the rules engine (src/rules/) plugs in
 * here, and only here.
 */
import type { Backend, Frontend } from '../config/types.ts';
import type { ResponseHead } from '../deps.ts';
import type { ErrorResponse } from '../proxy/error-pages.ts';
import type { HttpTransaction } from '../rules/transaction.ts';

/** The section whose rules run: a frontend, a backend, or a `listen` as either. */
export type RuleSection = Frontend | Backend;

/** True when the backend is the `listen` section that also is this frontend: its rules run once. */
export function isSameSection(frontend: Frontend, backendName: string): boolean {
  return frontend.isListen && frontend.name === backendName;
}

/**
 * A section's `http-request` rules: they may rewrite `transaction.request`,
 * set variables, or end the request with an answer (deny, return, auth,
 * redirect…), returned here. Undefined: go on.
 */
export function evaluateHttpRequestRules(_transaction: HttpTransaction, _section: RuleSection): ErrorResponse | undefined {
  return undefined;
}

/** A frontend's `redirect` rules (the older form, after `http-request redirect`): the redirect, or undefined. */
export function evaluateRedirectRules(_transaction: HttpTransaction, _frontend: Frontend): ErrorResponse | undefined {
  return undefined;
}

/**
 * A section's `http-response` rules over the response head on its way to the
 * client: the head to send instead (rewritten headers or status), or `head`
 * itself when nothing changes.
 */
export function evaluateHttpResponseRules(_transaction: HttpTransaction, _section: RuleSection, head: ResponseHead): ResponseHead {
  return head;
}
