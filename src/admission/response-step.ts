/**
 * The response side of the front door: what the client gets of a server's
 * response head. First what the backend's configuration says of it (the
 * persistence cookie, hop-by-hop and connection headers: ../proxy/request-plan.ts),
 * then the `http-response` rules, the backend's before the frontend's, in
 * the order ../rules/pipeline.ts's `decideResponse` keeps.
 */
import type { Backend, CompressionAlgorithm, Frontend } from '../config/types.ts';
import type { ResponseHead } from '../deps.ts';
import type { ErrorResponse } from '../proxy/error-pages.ts';
import { compressedHead, compressesResponse } from '../proxy/compression.ts';
import { planResponseHead, type RequestPlan } from '../proxy/request-plan.ts';
import { decideResponse } from '../rules/pipeline.ts';
import type { HttpTransaction } from '../rules/transaction.ts';
import type { RuleEnvironment } from '../rules/sample.ts';

/**
 * The head to send, or a page that replaces the server's response
 * (`http-response deny|return|redirect`). `compression`: the algorithm the
 * body goes out with (`identity` leaves the bytes); the head already says so.
 */
export type ResponseForClient =
  | { readonly kind: 'head'; readonly head: ResponseHead; readonly compression?: CompressionAlgorithm }
  /** `denied`: `http-response deny` (HAProxy's dresp), not a `return` or a redirect. */
  | { readonly kind: 'page'; readonly page: ErrorResponse; readonly denied: boolean };

export function responseHeadForClient(
  plan: RequestPlan,
  frontend: Frontend,
  server: number,
  direct: boolean,
  response: ResponseHead,
  transaction: HttpTransaction | undefined,
  rules: RuleEnvironment | undefined,
): ResponseForClient {
  const head = planResponseHead(plan, server, direct, response);
  const backend = plan.runtime.backend;
  // No rules, no work: the head goes as planned.
  if (!transaction || !rules || (!frontend.httpResponseRules && !backend.httpResponseRules)) return compressed(plan, response, head);
  transaction.server = plan.runtime.servers[server]?.name;
  transaction.response = { status: head.status, headers: linesToRewrite(head.headers) };
  const outcome = decideResponse(frontend, backend, transaction, rules);
  if (outcome.kind === 'answer' || outcome.kind === 'tarpit') {
    const { status, reason, headers, body } = outcome.answer;
    return { kind: 'page', page: { status, reason, headers, body }, denied: outcome.kind === 'tarpit' || outcome.rule.action.kind === 'deny' };
  }
  // `reject` and services do not apply to responses (the parser refuses them there).
  const rewritten = transaction.response;
  return compressed(plan, response, { status: rewritten.status, ...(rewritten.reason !== undefined ? { reason: rewritten.reason } : {}), headers: rewritten.headers });
}

/**
 * HAProxy's compression filter decides on the server's head before the
 * `http-response` rules run, and edits the head after them.
 */
function compressed(plan: RequestPlan, response: ResponseHead, head: ResponseHead): ResponseForClient {
  const choice = plan.compression;
  if (!choice || !compressesResponse(choice, response)) return { kind: 'head', head };
  return { kind: 'head', head: compressedHead(head, choice.algorithm), compression: choice.algorithm };
}

/**
 * A page a service answered (`use-service prometheus-exporter`): HAProxy runs
 * the `http-response` rules over it as over a server's response (observed:
 * the security headers of a tutorial config are on `/metrics`), unlike the
 * answers of `return`, `deny`, redirects and `monitor-uri`.
 */
export function servicePageForClient(page: ErrorResponse, frontend: Frontend, backend: Backend | undefined, transaction: HttpTransaction, rules: RuleEnvironment): ErrorResponse {
  if (!frontend.httpResponseRules && !backend?.httpResponseRules) return page;
  transaction.response = { status: page.status, headers: linesToRewrite(page.headers) };
  const outcome = decideResponse(frontend, backend, transaction, rules);
  if (outcome.kind === 'answer' || outcome.kind === 'tarpit') {
    const { status, reason, headers, body } = outcome.answer;
    return { status, reason, headers, body };
  }
  const rewritten = transaction.response;
  return { status: rewritten.status, ...(rewritten.reason !== undefined ? { reason: rewritten.reason } : {}), headers: rewritten.headers, body: page.body };
}

/**
 * The rules' own copy of a head's lines: they add, remove and replace lines
 * in the array (../rules/run-rules.ts), never change a line in place, so the
 * lines themselves can be shared.
 */
function linesToRewrite(lines: readonly (readonly [string, string])[]): [string, string][] {
  return lines.slice() as [string, string][];
}
