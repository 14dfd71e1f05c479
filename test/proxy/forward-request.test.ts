/**
 * The admission step and `forwardRequest` together, with a fake upstream and
 * a fake clock: no socket, no real time. Retries, redispatch, the body
 * replayed to the next server, the persistence cookie, and the counters the
 * stats page shows, as haproxy-semantics.md §6 describes them.
 */
import { describe, expect, it } from 'vitest';
import { admitRequest } from '../../src/admission/admit-request.ts';
import { BalancerState } from '../../src/balancer/balancer-state.ts';
import { parseHaproxyConfig } from '../../src/config/index.ts';
import { UpstreamError, type AccessLogEntry, type BalancerDeps, type Upstream } from '../../src/deps.ts';
import { MemoryHealthStore } from '../../src/health/memory-store.ts';
import { forwardRequest } from '../../src/proxy/proxy-request.ts';
import { createLineLogger } from '../../adapters/command/console-logger.ts';

/** What each server does, by port: refuse the connection (after reading the body), or answer 200 naming itself. */
type Behaviour = 'refuses' | 'answers';

interface Attempt {
  readonly port: number;
  readonly target: string;
  readonly body: string;
  readonly at: number;
}

function setup(sectionLines: string, behaviours: Readonly<Record<number, Behaviour>>, options: { writesAccess?: boolean } = {}) {
  const text = `defaults\n    mode http\n    timeout connect 5s\nlisten app\n    bind 127.0.0.1:8080\n${sectionLines}`;
  const { config } = parseHaproxyConfig([{ file: 't.cfg', text }], { env: {} });
  let now = 1_000_000;
  const attempts: Attempt[] = [];
  const access: AccessLogEntry[] = [];
  const upstream: Upstream<string> = {
    async request(target, head, body) {
      const text = body ? await new Response(body).text() : '';
      attempts.push({ port: target.port, target: head.target, body: text, at: now });
      if (behaviours[target.port] === 'refuses') throw new UpstreamError('refused', 'connection refused');
      return { status: 200, headers: [['content-length', '2']], body: `s${target.port}` };
    },
  };
  const deps = {
    clock: { now: () => now },
    // The retry pause passes at once on the fake clock.
    timers: {
      setTimeout(fn: () => void, ms: number) {
        now += ms;
        queueMicrotask(fn);
        return () => {};
      },
    },
    logger: { info() {}, warn() {}, access: (entry: AccessLogEntry) => access.push(entry), writesAccess: options.writesAccess },
  } as unknown as BalancerDeps;
  const state = new BalancerState(config, new MemoryHealthStore(), now);
  const entry = state.frontends.get('app')!;
  const runtime = state.backends.get('app')!;

  async function request(options: { cookie?: string; method?: string; body?: string } = {}) {
    const headers: [string, string][] = [['Host', 'a.test']];
    if (options.cookie) headers.push(['Cookie', options.cookie]);
    if (options.body !== undefined) headers.push(['Content-Length', String(options.body.length)]);
    const admission = admitRequest(state, entry, { method: options.method ?? 'GET', target: '/x?y', headers }, { clientAddress: '192.0.2.1', httpVersion: '1.1' });
    if (admission.kind !== 'proxy') throw new Error(`not proxied: ${admission.kind}`);
    const started = now;
    const body = options.body === undefined ? null : new Blob([options.body]).stream();
    const outcome = await forwardRequest(
      { frontend: entry.frontend, frontendCounters: entry.counters, runtime: admission.runtime, head: admission.head, body, client: { address: '192.0.2.1' }, transaction: admission.transaction },
      upstream,
      deps,
    );
    if (outcome.kind === 'stream') {
      outcome.onChunk(2);
      outcome.onDone();
      return { status: outcome.head.status, headers: outcome.head.headers, servedBy: outcome.body, elapsed: now - started };
    }
    return { status: outcome.page.status, headers: outcome.page.headers, servedBy: undefined, elapsed: now - started };
  }
  return { request, attempts, access, runtime, entry };
}

const servers = `    cookie SERVERNAME insert indirect nocache
    server s1 127.0.0.1:1 cookie s1
    server s2 127.0.0.1:2 cookie s2
`;

describe('forwardRequest after the admission step', () => {
  it('without redispatch: 3 retries on the refusing server, 1 s apart, then the 503 page, all counted', async () => {
    const { request, attempts, access, runtime, entry } = setup(servers, { 1: 'refuses', 2: 'answers' });
    const answer = await request({ cookie: 'SERVERNAME=s1' });
    expect(answer.status).toBe(503);
    expect(answer.elapsed).toBe(3000);
    expect(attempts.map((a) => a.port)).toEqual([1, 1, 1, 1]);
    const s1 = runtime.serverCounters[0]!;
    expect([s1.connectionErrors, s1.retries, s1.current]).toEqual([4, 3, 0]);
    expect([runtime.counters.retries, runtime.counters.responses[4], entry.counters.responses[4]]).toEqual([3, 1, 1]);
    expect(access).toMatchObject([{ status: 503, server: 's1', retries: 3, termination: 'SC', uri: '/x?y' }]);
  });

  it('with redispatch: the cookie client moves to s2 on the last retry (2 s), with a fresh cookie', async () => {
    const { request, attempts, access, runtime } = setup(`    option redispatch\n${servers}`, { 1: 'refuses', 2: 'answers' });
    const answer = await request({ cookie: 'SERVERNAME=s1' });
    expect(answer.servedBy).toBe('s2');
    expect(answer.elapsed).toBe(2000);
    expect(attempts.map((a) => a.port)).toEqual([1, 1, 1, 2]);
    expect(answer.headers).toContainEqual(['set-cookie', 'SERVERNAME=s2; path=/']);
    expect([runtime.counters.retries, runtime.counters.redispatches, runtime.serverCounters[1]!.total]).toEqual([3, 1, 1]);
    expect(access).toMatchObject([{ status: 200, server: 's2', retries: 3, redispatched: true }]);
  });

  it('with redispatch, a balanced request that lands on the refusing server moves on at once', async () => {
    const { request, attempts } = setup(`    option redispatch\n${servers}`, { 1: 'refuses', 2: 'answers' });
    const answer = await request();
    expect(answer.servedBy).toBe('s2');
    expect(answer.elapsed).toBe(0);
    expect(attempts.map((a) => a.port)).toEqual([1, 2]);
  });

  it('replays the request body to the next server, and counts its bytes once', async () => {
    const { request, attempts, runtime } = setup(`    option redispatch\n    retries 1\n${servers}`, { 1: 'refuses', 2: 'answers' });
    const answer = await request({ method: 'POST', body: 'hello world' });
    expect(answer.servedBy).toBe('s2');
    expect(attempts.map((a) => [a.port, a.body])).toEqual([[1, 'hello world'], [2, 'hello world']]);
    expect(attempts.map((a) => a.target)).toEqual(['/x?y', '/x?y']);
    const s2 = runtime.serverCounters[1]!;
    expect([s2.total, s2.current, s2.responses[1], s2.bytesOut > 2, s2.bytesIn > 11]).toEqual([1, 0, 1, true, true]);
  });
});

describe('access-log entries', () => {
  it('are not built for a logger that writes none (--log-format none), and the counters are kept all the same', async () => {
    const { request, access, runtime } = setup(servers, { 1: 'refuses', 2: 'answers' }, { writesAccess: false });
    expect((await request({ cookie: 'SERVERNAME=s2' })).status).toBe(200);
    expect((await request({ cookie: 'SERVERNAME=s1' })).status).toBe(503);
    expect(access).toEqual([]);
    // responses[1] counts 2xx, responses[4] 5xx.
    expect([runtime.counters.responses[1], runtime.counters.responses[4], runtime.counters.retries]).toEqual([1, 1, 3]);
  });

  it("the command's loggers say whether they write them", () => {
    const sinks = { stdout() {}, stderr() {} };
    expect(createLineLogger('none', sinks).writesAccess).toBe(false);
    expect(createLineLogger('httplog', sinks).writesAccess).toBe(true);
    expect(createLineLogger('json', sinks).writesAccess).toBe(true);
  });
});
