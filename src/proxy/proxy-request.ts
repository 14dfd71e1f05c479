/**
 * Forwards one request to a server of a backend, HAProxy's way: persistence
 * cookie first, then the balancing algorithm; retries and redispatch on a
 * failed connection; cookie and connection headers rewritten on the way back.
 * The decisions are made on method, target and header lines (see
 * ./request-plan.ts and ../persistence), never on Request/Response objects,
 * so another front end (a Node fast path) can reuse them.
 */
import type { Frontend } from '../config/types.ts';
import { UpstreamError, type AccessLogEntry, type BalancerDeps, type RequestHead, type UpstreamResponse } from '../deps.ts';
import type { BackendRuntime } from '../balancer/backend-runtime.ts';
import { statusForFailure } from './error-pages.ts';
import { ReplayableBody } from './replayable-body.ts';
import { decideRetry } from './retry-policy.ts';
import { planRequest, planResponseHead, type RequestPlan } from './request-plan.ts';
import { errorResponse, streamResponse } from './responses.ts';

export interface ClientInfo {
  readonly address: string;
  readonly port?: number;
}

export interface ProxyInput {
  readonly frontend: Frontend;
  readonly runtime: BackendRuntime;
  readonly head: RequestHead;
  readonly body: ReadableStream<Uint8Array> | null;
  readonly client: ClientInfo;
  readonly signal?: AbortSignal;
}

export async function proxyRequest(input: ProxyInput, deps: BalancerDeps): Promise<Response> {
  const { frontend, runtime, head, client } = input;
  const backend = runtime.backend;
  const acceptedAt = deps.clock.now();
  const plan = planRequest(runtime, frontend, head, client.address, acceptedAt);

  const log = (fields: Partial<AccessLogEntry> & Pick<AccessLogEntry, 'status' | 'server' | 'termination'>) =>
    deps.logger.access({
      clientAddress: client.address,
      clientPort: client.port,
      acceptedAt,
      frontend: frontend.name,
      backend: backend.name,
      responseTime: -1,
      totalTime: deps.clock.now() - acceptedAt,
      retries: 0,
      redispatched: false,
      method: head.method,
      uri: head.target,
      ...fields,
    });

  if (plan.server === undefined) {
    const body = new ReplayableBody(input.body);
    await body.discard();
    log({ status: 503, server: '<NOSRV>', termination: 'SC' });
    return errorResponse(runtime.errorResponse(503));
  }

  const body = new ReplayableBody(input.body);
  let server = plan.server;
  let direct = plan.direct;
  let retriesMade = 0;
  let redispatched = false;
  for (;;) {
    const counters = runtime.counters[server]!;
    counters.active++;
    counters.total++;
    let response: UpstreamResponse;
    try {
      response = await deps.upstream.request(plan.target(server), plan.head, body.forAttempt(), {
        connectTimeout: backend.timeouts.connect,
        serverTimeout: backend.timeouts.server,
        signal: input.signal,
      });
    } catch (error) {
      counters.active--;
      const failure = error instanceof UpstreamError ? error.failure : 'bad-response';
      const retryable = (failure === 'refused' || failure === 'connect-timeout') && body.replayable;
      const decision = retryable
        ? decideRetry({
            retriesMade,
            retries: backend.retries,
            redispatch: backend.redispatch,
            direct,
            serverStillUsable: runtime.isUsable(server),
            algorithm: backend.balance,
            usableActiveServers: runtime.usableActiveCount(),
            connectTimeout: backend.timeouts.connect,
          })
        : ({ action: 'give-up' } as const);
      if (decision.action === 'give-up') {
        await body.discard();
        const status = statusForFailure(failure);
        log({
          status,
          server: runtime.servers[server]!.name,
          termination: failure === 'timeout' ? 'sH' : 'SC',
          retries: retriesMade,
          redispatched,
        });
        return errorResponse(runtime.errorResponse(status));
      }
      retriesMade++;
      if (decision.action === 'redispatch') {
        const next = runtime.selectServer(server);
        if (next !== undefined && next !== server) redispatched = true;
        server = next ?? server;
        direct = false;
      } else {
        await new Promise<void>((resolve) => deps.timers.setTimeout(resolve, decision.delayMs));
      }
      continue;
    }

    body.release();
    const responseHead = planResponseHead(plan, server, direct, response);
    log({
      status: response.status,
      server: runtime.servers[server]!.name,
      termination: '--',
      responseTime: deps.clock.now() - acceptedAt,
      retries: retriesMade,
      redispatched,
    });
    return streamResponse(responseHead, response.body, () => counters.active--);
  }
}

export type { RequestPlan };
