/**
 * The response side of the front door: what the client gets of a server's
 * response head. First what the backend's configuration says of it (the
 * persistence cookie, hop-by-hop and connection headers: ../proxy/request-plan.ts),
 * then the `http-response` rules, the backend's before the frontend's, as
 * HAProxy runs them.
 */
import type { Frontend } from '../config/types.ts';
import type { ResponseHead } from '../deps.ts';
import { planResponseHead, type RequestPlan } from '../proxy/request-plan.ts';
import type { HttpTransaction } from '../rules/transaction.ts';
import { evaluateHttpResponseRules, isSameSection } from './rule-hooks.ts';

export function responseHeadForClient(
  plan: RequestPlan,
  frontend: Frontend,
  server: number,
  direct: boolean,
  response: ResponseHead,
  transaction: HttpTransaction | undefined,
): ResponseHead {
  const head = planResponseHead(plan, server, direct, response);
  if (!transaction) return head;
  const backend = plan.runtime.backend;
  const afterBackend = evaluateHttpResponseRules(transaction, backend, head);
  // A `listen` is one section: its rules run once.
  return isSameSection(frontend, backend.name) ? afterBackend : evaluateHttpResponseRules(transaction, frontend, afterBackend);
}
