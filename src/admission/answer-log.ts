/**
 * The books of a request the balancer answered itself, as HAProxy keeps them:
 * - the frontend's counters: a request (stot, req_tot), its status (hrsp_*;
 *   `reject` sends none: hrsp_other), dreq for `deny`, `tarpit` and `reject`,
 *   intercepted for redirects, `return`, `auth`, `monitor-uri` and the
 *   Prometheus service (observed
 *   on haproxy 2.6; test/differential/stats-counters…). The 400 of a head
 *   the admission step refuses is not counted (haproxy's ereq is not kept;
 *   nor is a connection closed before its first request, which haproxy
 *   counts as a 400);
 * - the access-log line: `<NOSRV>` as the server, the frontend as the
 *   backend, and the termination state of what answered (`PR` a deny or a
 *   reject, `LR` a redirect, `return` or `auth`, `PT` a tarpit).
 *   `monitor-uri` requests are not logged, as in HAProxy.
 */
import { countRequestEnd, countRequestStart, countResponseStatus, type TrafficCounters } from '../balancer/counters.ts';
import type { BalancerDeps } from '../deps.ts';
import type { Admission } from './admit-request.ts';

/** What the log needs of an answered request: the request line as received, and who answered. */
export interface AnswerLog {
  readonly method: string;
  readonly uri: string;
  readonly termination: 'PR' | 'LR' | 'PT';
}

type Answered = Extract<Admission, { kind: 'answer' | 'reject' | 'prometheus' }>;

/**
 * Once the answer is sent (or, for `reject`, the connection dropped: status
 * -1, unless the runtime had to answer `sent` instead); `counters`: its
 * frontend's; `startedAt` is when the balancer began answering.
 */
export function recordAnswer(
  deps: Pick<BalancerDeps, 'logger' | 'clock'>,
  counters: TrafficCounters,
  admission: Answered,
  client: { readonly address: string; readonly port?: number },
  startedAt: number,
  sent?: number,
): void {
  if (admission.transaction) countAnswer(counters, admission, startedAt, sent);
  if (admission.kind === 'prometheus') return;
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

function countAnswer(c: TrafficCounters, admission: Answered, startedAt: number, sent: number | undefined): void {
  countRequestStart(c, startedAt);
  countRequestEnd(c);
  // A dropped connection (`reject`) counts as status -1: HAProxy's hrsp_other.
  const status = sent ?? (admission.kind === 'answer' ? admission.response.status : admission.kind === 'prometheus' ? 200 : -1);
  countResponseStatus(c, status);
  if (admission.kind === 'answer') c.bytesOut += admission.response.body.length;
  if (admission.kind === 'reject' || (admission.kind === 'answer' && admission.counted === 'denied')) c.deniedRequests++;
  else if (admission.kind === 'prometheus' || admission.counted === 'intercepted') c.intercepted++;
}
