/**
 * `use_backend NAME if|unless COND` and `default_backend`: the first rule
 * whose condition holds wins, else the default (HAProxy evaluates rules in
 * declaration order). A `listen` section is its own default backend.
 * Conditions are evaluated by the rule engine over the request's transaction.
 */
import type { Frontend } from '../config/types.ts';
import { conditionHolds } from '../rules/condition.ts';
import { targetPath } from '../rules/http-message.ts';
import type { RuleEnvironment } from '../rules/sample.ts';
import type { HttpTransaction } from '../rules/transaction.ts';

type HeaderLines = readonly (readonly [string, string])[];

/**
 * The request as callers that have no transaction yet describe it. Only the
 * request fetches that need nothing else can hold on it (no client address).
 */
export interface RoutingInput {
  /** Request path without the query string. */
  readonly path: string;
  readonly headers: HeaderLines;
}

/**
 * The path `path_beg` tests, as HAProxy's `path` fetch reads it: up to the
 * `?`, and for an absolute-form target (`GET http://host/x`, forwarded as
 * is) from the slash after the authority (observed: routed like `/x`).
 */
export const requestPath = targetPath;

const NO_ENVIRONMENT: RuleEnvironment = {};

export function chooseBackend(frontend: Frontend, input: HttpTransaction | RoutingInput, env: RuleEnvironment = NO_ENVIRONMENT): string | undefined {
  if (frontend.useBackend.length > 0) {
    const txn = 'request' in input ? input : transactionOf(frontend, input);
    const ctx = { txn, env };
    for (const rule of frontend.useBackend) {
      if (conditionHolds(rule.condition, ctx)) return rule.backend;
    }
  }
  return frontend.defaultBackend ?? (frontend.isListen ? frontend.name : undefined);
}

function transactionOf(frontend: Frontend, input: RoutingInput): HttpTransaction {
  return {
    conn: { clientAddress: '', httpVersion: '1.1' },
    request: { method: 'GET', target: input.path, headers: input.headers.map(([n, v]) => [n, v]) },
    frontend: frontend.name,
    vars: new Map(),
    captures: [],
  };
}
