/**
 * The access-log line of a request the balancer answered itself, as HAProxy
 * writes it: `<NOSRV>` as the server, the frontend as the backend, and the
 * termination state of what answered (`PR` a deny or a reject, `LR` a
 * redirect, `return` or `auth`, `PT` a tarpit). `monitor-uri` requests are
 * not logged, as in HAProxy.
 */
import type { BalancerDeps } from '../deps.ts';
import type { Admission } from './admit-request.ts';

/** What the log needs of an answered request: the request line as received, and who answered. */
export interface AnswerLog {
  readonly method: string;
  readonly uri: string;
  readonly termination: 'PR' | 'LR' | 'PT';
}

type Answered = Extract<Admission, { kind: 'answer' | 'reject' }>;

/**
 * Writes the line once the answer is sent (or, for `reject`, the connection
 * dropped: status -1, unless the runtime had to answer `sent` instead);
 * `startedAt` is when the balancer began answering.
 */
export function logAnswer(
  deps: Pick<BalancerDeps, 'logger' | 'clock'>,
  admission: Answered,
  client: { readonly address: string; readonly port?: number },
  startedAt: number,
  sent?: number,
): void {
  const log = admission.log;
  if (!log || deps.logger.writesAccess === false) return;
  const frontend = admission.transaction?.frontend ?? '';
  deps.logger.access({
    clientAddress: client.address,
    clientPort: client.port,
    acceptedAt: startedAt,
    frontend,
    backend: frontend,
    server: '<NOSRV>',
    responseTime: -1,
    totalTime: deps.clock.now() - startedAt,
    status: sent ?? (admission.kind === 'reject' ? -1 : admission.response.status),
    retries: 0,
    redispatched: false,
    termination: log.termination,
    method: log.method,
    uri: log.uri,
  });
}
