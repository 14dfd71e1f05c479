/**
 * Active health checks through the Node adapter against real backends:
 * HAProxy's start-up rule, `fall` failures from full health, `rise` successes
 * to come back, HTTP checks, and traffic following the state.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startEchoBackend, type EchoBackend } from '../helpers/echo-backend.ts';
import { startEdge, type RunningEdge } from '../helpers/edge-balancer.ts';
import { send } from '../helpers/http-client.ts';
import { freePort } from '../helpers/ports.ts';
import { waitFor } from '../helpers/wait.ts';

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

async function backend(name: string, port = 0): Promise<EchoBackend> {
  const b = await startEchoBackend(name, port);
  cleanup.push(() => b.close());
  return b;
}

async function edge(config: string, env: Record<string, string>): Promise<RunningEdge> {
  const e = await startEdge(config, { PORT: String(await freePort()), ...env });
  cleanup.push(() => e.close(0));
  return e;
}

const config = (serverOptions: string, extra = '') => `
defaults
    mode http
    timeout connect 1s
    timeout server 5s
listen app
    bind 127.0.0.1:\${PORT}
    ${extra}
    server s1 127.0.0.1:\${S1} check ${serverOptions}
    server s2 127.0.0.1:\${S2} check ${serverOptions}
`;

describe('health checks', () => {
  it('marks a never-reachable server DOWN after one failed check (start-up health = rise)', async () => {
    const s1 = await backend('s1');
    const deadPort = await freePort();
    const e = await edge(config('inter 50ms rise 2 fall 3 downinter 10s'), { S1: String(s1.port), S2: String(deadPort) });
    await waitFor(() => e.messages.some((m) => m.includes('app/s2 is DOWN')), 's2 DOWN');
    expect(e.deps.healthStore.get('app/s2')).toMatchObject({ up: false, chkfail: 1, chkdown: 1 });
    expect(e.messages.find((m) => m.includes('app/s2 is DOWN'))).toMatch(
      /^Server app\/s2 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: \d+ms\. 1 active and 0 backup servers left\./,
    );
    // Traffic only goes to s1 now.
    for (let i = 0; i < 4; i++) expect(JSON.parse((await send(e.listeners[0]!.port, '/')).body).server).toBe('s1');
  });

  it('needs `fall` failures from full health to go DOWN and `rise` successes to come back', async () => {
    const s1 = await backend('s1');
    let s2 = await backend('s2');
    const e = await edge(config('inter 30ms rise 2 fall 3 downinter 30ms'), { S1: String(s1.port), S2: String(s2.port) });
    const full = 2 + 3 - 1;
    await waitFor(() => e.deps.healthStore.get('app/s2')?.health === full, 's2 at full health');
    await s2.close();
    await waitFor(() => e.messages.some((m) => m.includes('app/s2 is DOWN')), 's2 DOWN');
    const down = e.deps.healthStore.get('app/s2')!;
    expect(down.chkdown).toBe(1);
    expect(down.chkfail).toBeGreaterThanOrEqual(3);

    s2 = await backend('s2', s2.port);
    await waitFor(() => e.messages.some((m) => m.includes('app/s2 is UP')), 's2 UP');
    expect(e.deps.healthStore.get('app/s2')).toMatchObject({ up: true });
    const served = new Set<string>();
    for (let i = 0; i < 4; i++) served.add(JSON.parse((await send(e.listeners[0]!.port, '/')).body).server);
    expect(served).toEqual(new Set(['s1', 's2']));
  });

  it('option httpchk: a 500 marks the server DOWN with L7STS', async () => {
    const s1 = await backend('s1');
    const s2 = await backend('s2');
    const e = await edge(config('inter 50ms downinter 10s', 'option httpchk GET /health?status=500'), {
      S1: String(s1.port),
      S2: String(s2.port),
    });
    await waitFor(() => e.messages.some((m) => m.includes('app/s1 is DOWN')), 's1 DOWN');
    await waitFor(() => e.messages.some((m) => m.includes('app/s2 is DOWN')), 's2 DOWN');
    expect(e.deps.healthStore.get('app/s1')?.lastCheck).toMatchObject({ ok: false, status: 'L7STS', code: 500 });
    expect(s1.requests.some((r) => r.method === 'GET' && r.url === '/health?status=500')).toBe(true);
    // Both servers fail the check, so nothing is left to serve the request.
    const r = await send(e.listeners[0]!.port, '/');
    expect(r.status).toBe(503);
  });
});
