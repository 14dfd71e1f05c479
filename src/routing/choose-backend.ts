/**
 * `use_backend NAME if|unless COND` and `default_backend`: the first rule
 * whose condition holds wins, else the default (HAProxy evaluates rules in
 * declaration order). A `listen` section is its own default backend.
 */
import type { AclTest, Condition, Frontend } from '../config/types.ts';

type HeaderLines = readonly (readonly [string, string])[];

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
export function requestPath(target: string): string {
  const path = target.split('?', 1)[0]!;
  const authority = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(path);
  return authority ? path.slice(authority[0].length) || '/' : path;
}

export function chooseBackend(frontend: Frontend, input: RoutingInput): string | undefined {
  for (const rule of frontend.useBackend) {
    if (conditionHolds(rule.condition, input)) return rule.backend;
  }
  return frontend.defaultBackend ?? (frontend.isListen ? frontend.name : undefined);
}

export function conditionHolds(condition: Condition, input: RoutingInput): boolean {
  const holds = condition.anyOf.some((terms) =>
    terms.every((term) => testMatches(term.test, input) !== term.negate),
  );
  return holds !== condition.unless;
}

function testMatches(test: AclTest, input: RoutingInput): boolean {
  switch (test.kind) {
    case 'path_beg':
      return test.values.some((prefix) => input.path.startsWith(prefix));
    case 'hdr': {
      // hdr(name) matches any occurrence of the header; comma-separated values
      // count as separate occurrences, as in HAProxy. For Host the port is part
      // of the value (HAProxy does not strip it).
      const fold = (s: string) => (test.ignoreCase ? s.toLowerCase() : s);
      const wanted = test.values.map(fold);
      return input.headers.some(
        ([name, value]) =>
          name.toLowerCase() === test.header &&
          value.split(',').some((v) => wanted.includes(fold(v.trim()))),
      );
    }
  }
}
