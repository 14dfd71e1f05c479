/**
 * Counters end to end on the Node adapter: a known mix of requests,
 * including concurrent ones, then `;csv` must add up, per server, backend and
 * frontend. Stats inside a normal `listen` (served at its `stats uri`,
 * everything else balanced) and the Prometheus text of the same numbers.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startEchoBackend, type EchoBackend } from '../helpers/echo-backend.ts';
import { startEdge, type RunningEdge } from '../helpers/edge-balancer.ts';
import { send } from '../helpers/http-client.ts';
import { freePort } from '../helpers/ports.ts';
import { parseStatsCsv } from './csv.ts';

let s1: EchoBackend;
let s2: EchoBackend;
let edge: RunningEdge;
let port: number;

const host = (): [string, string] => ['Host', `127.0.0.1:${port}`];
const AUTH: [string, string] = ['Authorization', 'Basic ' + Buffer.from('Another_User:passwd').toString('base64')];

beforeAll(async () => {
  s1 = await startEchoBackend('s1');
  s2 = await startEchoBackend('s2');
  port = await freePort();
  edge = await startEdge(`
defaults
  mode http
  timeout connect 2s
  timeout client 10s
  timeout server 10s

listen app
  bind 127.0.0.1:${port}
  balance roundrobin
  stats enable
  stats uri /admin?stats
  stats realm Strictly\\ Private
  stats auth A_Username:YourPassword
  stats auth Another_User:passwd
  server s1 127.0.0.1:${s1.port}
  server s2 127.0.0.1:${s2.port}
`);
});

afterAll(async () => {
  await edge?.close(0);
  await s1?.close();
  await s2?.close();
});

async function stats() {
  const response = await send(port, '/admin?stats;csv', { headers: [host(), AUTH] });
  expect(response.status).toBe(200);
  return parseStatsCsv(response.body);
}

test('a known mix of requests, with concurrent ones, adds up', async () => {
  // 6 × 200, 2 × 404, 2 × 503 from the servers, sequentially: round robin alternates s1, s2.
  for (let i = 0; i < 6; i++) expect((await send(port, `/ok/${i}`, { headers: [host()] })).status).toBe(200);
  for (let i = 0; i < 2; i++) expect((await send(port, `/missing?status=404`, { headers: [host()] })).status).toBe(404);
  for (let i = 0; i < 2; i++) expect((await send(port, `/broken?status=503`, { headers: [host()] })).status).toBe(503);

  // 4 concurrent slow requests: while they are in flight, scur shows them.
  const slow = Array.from({ length: 4 }, (_, i) => send(port, `/slow/${i}?delay=400`, { headers: [host()] }));
  await new Promise((r) => setTimeout(r, 200));
  const during = await stats();
  expect(during.get('app/FRONTEND')!.scur).toBe('5'); // the 4 slow ones and this stats request
  expect(during.get('app/BACKEND')!.scur).toBe('4');
  expect([during.get('app/s1')!.scur, during.get('app/s2')!.scur]).toEqual(['2', '2']);
  for (const r of await Promise.all(slow)) expect(r.status).toBe(200);

  const after = await stats();
  const frontend = after.get('app/FRONTEND')!;
  const backend = after.get('app/BACKEND')!;
  const servers = [after.get('app/s1')!, after.get('app/s2')!];
  // Stats requests are counted on the frontend (3 so far, this one in progress) and never reach a server.
  expect(s1.requests.length + s2.requests.length).toBe(14);
  expect(servers.map((s) => s.stot)).toEqual(['7', '7']);
  expect(servers.map((s) => s.smax)).toEqual(['2', '2']);
  expect(servers.map((s) => s.scur)).toEqual(['0', '0']);
  expect(backend.stot).toBe('14');
  expect([backend.hrsp_2xx, backend.hrsp_4xx, backend.hrsp_5xx]).toEqual(['10', '2', '2']);
  expect(Number(servers[0]!.hrsp_2xx) + Number(servers[1]!.hrsp_2xx)).toBe(10);
  expect(frontend.stot).toBe('16');
  expect(frontend.hrsp_2xx).toBe('11'); // 10 proxied + 1 earlier stats page
  expect(frontend.intercepted).toBe('2');
  expect(Number(servers[0]!.bout)).toBeGreaterThan(0);
  expect(Number(frontend.bin)).toBeGreaterThan(Number(backend.bin) - 1);

  const prometheus = await send(port, '/admin?stats;prometheus', { headers: [host(), AUTH] });
  expect(prometheus.get('content-type')).toBe('text/plain; version=0.0.4');
  expect(prometheus.body).toContain('haproxy_backend_http_responses_total{proxy="app",code="2xx"} 10\n');
  expect(prometheus.body).toContain('haproxy_server_sessions_total{proxy="app",server="s1"} 7\n');
});

test('stats inside a listen: only its stats uri is intercepted, other paths and methods are balanced', async () => {
  const before = s1.requests.length + s2.requests.length;
  expect((await send(port, '/admin?stats', { headers: [host()] })).status).toBe(401);
  expect((await send(port, '/admin', { headers: [host()] })).status).toBe(200);
  expect((await send(port, '/admin?stats', { headers: [host()], method: 'PUT', body: 'x' })).status).toBe(200);
  expect(s1.requests.length + s2.requests.length).toBe(before + 2);
});
