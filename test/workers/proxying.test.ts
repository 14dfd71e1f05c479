/**
 * The Worker in workerd (miniflare) against real backends on 127.0.0.1:
 * balancing, cookie persistence, stats behind the STATS_AUTH secret, and
 * stats figures of the whole fleet (two isolates).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoBackend, type EchoBackend } from '../helpers/echo-backend.ts';
import { send, setCookieValue } from '../helpers/http-client.ts';
import { startWorker, type RunningWorker } from './start-worker.ts';
import { backendCookies, basicAuth, csvRows, servedBy } from './responses.ts';

const CONFIG = `defaults
    mode http
    timeout connect 1s
    timeout server 5s
frontend web
    bind :8080
    option forwardfor
    stats uri /stats
    stats realm Strictly\\ Private
    use_backend pfx if { path_beg /p }
    default_backend ins
backend ins
    balance roundrobin
    cookie SERVERNAME insert indirect nocache
    server s1 127.0.0.1:\${S1} cookie s1
    server s2 127.0.0.1:\${S2} cookie s2
backend pfx
    cookie JSESSIONID prefix indirect nocache
    server s1 127.0.0.1:\${S1} cookie s1
    server s2 127.0.0.1:\${S2} cookie s2
`;

describe('Workers adapter in workerd', () => {
  let backends: EchoBackend[];
  let worker: RunningWorker;

  beforeAll(async () => {
    backends = [await startEchoBackend('s1'), await startEchoBackend('s2')];
    const env = { S1: String(backends[0]!.port), S2: String(backends[1]!.port) };
    worker = await startWorker(CONFIG, env, { bindings: { STATS_AUTH: 'admin:secret\nops:other' }, isolates: 2 });
  });
  afterAll(async () => {
    await worker?.close();
    await Promise.all(backends?.map((b) => b.close()) ?? []);
  });

  it('balances round-robin and inserts the persistence cookie', async () => {
    const a = await send(worker.port, '/');
    const b = await send(worker.port, '/');
    expect([servedBy(a), servedBy(b)].sort()).toEqual(['s1', 's2']);
    expect(a.all('set-cookie')).toEqual([`SERVERNAME=${servedBy(a)}; path=/`]);
    const pinned = await send(worker.port, '/', { headers: [['Cookie', 'x=1; SERVERNAME=s2']] });
    expect(servedBy(pinned)).toBe('s2');
    expect(pinned.all('set-cookie')).toEqual([]);
    expect(backendCookies(pinned)).toEqual(['x=1']);
  });

  it('prefixes the application cookie and strips the prefix on the way in', async () => {
    const first = await send(worker.port, '/p?set-cookie=JSESSIONID%3Dabc');
    expect(first.all('set-cookie')).toEqual([`JSESSIONID=${servedBy(first)}~abc`]);
    const back = await send(worker.port, '/p', { headers: [['Cookie', 'JSESSIONID=s2~xyz']] });
    expect(servedBy(back)).toBe('s2');
    expect(backendCookies(back)).toEqual(['JSESSIONID=xyz']);
  });

  it('forwards the client address from CF-Connecting-IP and a request body with its Content-Length', async () => {
    const r = await send(worker.port, '/upload', {
      method: 'POST',
      headers: [['CF-Connecting-IP', '203.0.113.9'], ['Content-Length', '11']],
      body: 'hello world',
    });
    const received = JSON.parse(r.body) as { headers: [string, string][]; bodyBytes: number };
    const header = (name: string) => received.headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);
    expect(header('x-forwarded-for')).toEqual(['203.0.113.9']);
    // workerd would send a stream chunked; servers that refuse chunked bodies get the length as sent.
    expect(header('content-length')).toEqual(['11']);
    expect(header('transfer-encoding')).toEqual([]);
    expect(received.bodyBytes).toBe(11);
  });

  it('protects stats with the credentials of the STATS_AUTH secret', async () => {
    const denied = await send(worker.port, '/stats');
    expect(denied.status).toBe(401);
    expect(denied.get('www-authenticate')).toBe('Basic realm="Strictly Private"');
    expect((await send(worker.port, '/stats', { headers: [basicAuth('admin:wrong')] })).status).toBe(401);
    const csv = await send(worker.port, '/stats;csv', { headers: [basicAuth('ops:other')] });
    expect(csv.status).toBe(200);
    expect(csv.body).toMatch(/^# pxname,svname,/);
  });

  it('shows the traffic of every isolate on the stats page', async () => {
    const stot = async (port: number) => {
      const rows = csvRows((await send(port, '/stats;csv', { headers: [basicAuth('admin:secret')] })).body);
      return Number(rows.find((r) => r.pxname === 'ins' && r.svname === 'BACKEND')!.stot);
    };
    const before = await stot(worker.ports[0]!);
    for (let i = 0; i < 3; i++) await send(worker.ports[0]!, '/');
    for (let i = 0; i < 2; i++) await send(worker.ports[1]!, '/');
    // An isolate sends what it counted at its next sync (here at each request): the
    // second isolate's two requests reach the object with its next request.
    expect((await send(worker.ports[1]!, '/stats')).status).toBe(401);
    expect(await stot(worker.ports[0]!)).toBe(before + 5);
    expect(await stot(worker.ports[1]!)).toBe(before + 5);
  });
});
