/**
 * The stats page's request counters, compared with haproxy 2.6 on the same
 * configuration and the same requests, on Node and on Deno: what the
 * frontend answers itself is counted as a request with its status, `deny`,
 * `tarpit` and `reject` as denied requests (dreq), redirects, `return`,
 * `auth` and `monitor-uri` as intercepted, and a server's response replaced
 * by `http-response deny` as a denied response (dresp) on the frontend, the
 * backend and the server, the server keeping the status it sent (before,
 * edge-balancer counted none of these). One connection per request, so
 * haproxy's sessions (stot) and requests agree.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deno, haproxy, node, type RuntimeUnderTest } from '../conformance/runtimes.ts';
import { send } from '../helpers/http-client.ts';
import { freePorts } from '../helpers/ports.ts';

const CONFIG = `
userlist users
    user admin insecure-password secret
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    timeout tarpit 50ms
frontend web
    bind 127.0.0.1:\${PORT}
    monitor-uri /health
    http-request deny if { path /denied }
    http-request tarpit if { path /tarpit }
    http-request reject if { path /rejected }
    http-request redirect location /elsewhere if { path /moved }
    http-request return status 200 content-type text/plain string ok if { path /returned }
    http-request auth realm private if { path /private } !{ http_auth(users) }
    default_backend app
backend app
    http-response deny if { status 404 }
    server s1 127.0.0.1:\${S1}
listen stats
    bind 127.0.0.1:\${STATS}
    stats enable
    stats uri /stats
`;

const PATHS = ['/denied', '/tarpit', '/rejected', '/moved', '/returned', '/private', '/health', '/', '/missing', '/'];
const FIELDS = ['stot', 'req_tot', 'dreq', 'dresp', 'hrsp_1xx', 'hrsp_2xx', 'hrsp_3xx', 'hrsp_4xx', 'hrsp_5xx', 'hrsp_other', 'intercepted'];
const ROWS = ['web/FRONTEND', 'app/BACKEND', 'app/s1'];

let backend: Server;
beforeAll(async () => {
  backend = createServer((request, response) => response.writeHead(request.url === '/missing' ? 404 : 200, { 'content-length': '2' }).end('ok'));
  backend.listen(0, '127.0.0.1');
  await once(backend, 'listening');
});
afterAll(async () => {
  backend?.closeAllConnections();
  await new Promise((resolve) => backend?.close(resolve));
});

type Counters = Record<string, Record<string, number>>;

/** ROWS' FIELDS on the stats page. */
async function readCounters(stats: number): Promise<Counters> {
  const csv = (await send(stats, '/stats;csv')).body.split('\n').filter(Boolean);
  const header = csv[0]!.replace(/^# /, '').split(',');
  const rows: Counters = {};
  for (const line of csv.slice(1)) {
    const cells = line.split(',');
    const name = `${cells[0]}/${cells[1]}`;
    if (!ROWS.includes(name)) continue;
    const value = (field: string) => Number(cells[header.indexOf(field)] || 0);
    // haproxy counts a connection closed before any request (the start-up port probe, counted
    // whenever haproxy notices it) as a request, a 4xx and an ereq; edge-balancer does not (README).
    const probes = value('ereq');
    const less = new Set(['stot', 'req_tot', 'hrsp_4xx']);
    rows[name] = Object.fromEntries(FIELDS.map((field) => [field, value(field) - (less.has(field) ? probes : 0)]));
  }
  return rows;
}

/**
 * How ROWS' counters grew over PATHS, one request at a time, each on its own
 * connection. A difference of two readings: haproxy counts the connection
 * that found its port open at start (no request: a 400, `ereq`), which
 * edge-balancer does not (README).
 */
async function countersOn(runtime: RuntimeUnderTest): Promise<Counters> {
  const [port, stats] = await freePorts(2);
  const env = { PORT: String(port), STATS: String(stats), S1: String((backend.address() as AddressInfo).port) };
  const running = await runtime.start(CONFIG, env, [port!, stats!]);
  try {
    const before = await readCounters(stats!);
    for (const path of PATHS) await send(port!, path).catch(() => undefined); // `reject` closes without an answer
    const after = await readCounters(stats!);
    return Object.fromEntries(ROWS.map((row) => [row, Object.fromEntries(FIELDS.map((f) => [f, after[row]![f]! - before[row]![f]!]))]));
  } finally {
    await running.close();
  }
}

describe('stats counters of what the balancer answers itself, as haproxy counts them', () => {
  let reference: Counters;
  beforeAll(async () => {
    reference = await countersOn(haproxy);
  }, 30_000);

  it('haproxy: every request counted, denials and interceptions apart', () => {
    // `reject` sends no status: haproxy counts it as "other".
    expect(reference['web/FRONTEND']).toEqual({ stot: 10, req_tot: 10, dreq: 3, dresp: 1, intercepted: 4, hrsp_1xx: 0, hrsp_2xx: 4, hrsp_3xx: 1, hrsp_4xx: 2, hrsp_5xx: 2, hrsp_other: 1 });
    expect(reference['app/s1']).toMatchObject({ dresp: 1, hrsp_2xx: 2, hrsp_4xx: 1, hrsp_5xx: 0 });
  });

  for (const runtime of [node, deno]) {
    it(`on ${runtime.name}`, async () => {
      expect(await countersOn(runtime)).toEqual(reference);
    }, 30_000);
  }
});
