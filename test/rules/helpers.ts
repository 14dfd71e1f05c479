import { parseAclTest } from '../../src/rules/acl.ts';
import { conditionHolds } from '../../src/rules/condition.ts';
import type { SampleContext, RuleEnvironment } from '../../src/rules/sample.ts';
import type { ConnectionFacts, HttpTransaction } from '../../src/rules/transaction.ts';

export function txnOf(
  target: string,
  headers: [string, string][] = [],
  options: { method?: string; conn?: Partial<ConnectionFacts>; response?: { status: number; headers: [string, string][] } } = {},
): HttpTransaction {
  return {
    conn: { clientAddress: '192.168.1.10', clientPort: 51000, localAddress: '127.0.0.1', localPort: 8080, httpVersion: '1.1', ...options.conn },
    request: { method: options.method ?? 'GET', target, headers },
    ...(options.response ? { response: { status: options.response.status, headers: options.response.headers } } : {}),
    frontend: 'www',
    vars: new Map(),
    captures: [],
  };
}

/** Whether `acl` (the words after `acl NAME`, as one string) matches the transaction. */
export function aclHolds(acl: string, txn: HttpTransaction, env: RuleEnvironment = {}, files: Record<string, string> = {}): boolean {
  const parsed = parseAclTest(acl.split(' '), { phase: 'any', readFile: (path) => files[path] ?? (() => { throw new Error(`no file ${path}`); })() });
  if (!parsed.ok) throw new Error(`${acl}: ${parsed.problem}`);
  const ctx: SampleContext = { txn, env };
  return conditionHolds({ unless: false, anyOf: [[{ negate: false, tests: [parsed.test] }]] }, ctx);
}
