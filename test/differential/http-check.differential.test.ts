/**
 * `http-check expect …` and `http-check disable-on-404` on haproxy 2.6 and on
 * edge-balancer (Node adapter), each checking the same health server: what
 * the stats CSV says of every server (`status`, `check_status`,
 * `check_code`, the backend's weight), which server new and sticky clients
 * reach while one is NOLB, and the "is stopping" log line.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoBackend, type EchoBackend, type EchoReply } from '../helpers/echo-backend.ts';
import { startEdge } from '../helpers/edge-balancer.ts';
import { startHaproxy } from '../helpers/haproxy.ts';
import { send } from '../helpers/http-client.ts';
import { freePort } from '../helpers/ports.ts';

/** Each backend's one server checks `GET PATH` on the health server, whose path says `/STATUS/BODY`. */
const CASES: { name: string; path: string; lines: string[] }[] = [
  { name: 'no expect, 302 passes', path: '/302/x', lines: [] },
  { name: 'no expect, 404 fails', path: '/404/x', lines: [] },
  { name: 'status list and range', path: '/303/x', lines: ['http-check expect status 200,302-304'] },
  { name: 'status range excludes', path: '/302/x', lines: ['http-check expect status 200-299'] },
  { name: '! status', path: '/404/x', lines: ['http-check expect ! status 500-599'] },
  { name: '!status fails on a match', path: '/503/x', lines: ['http-check expect !status 500-599'] },
  { name: 'rstatus', path: '/204/x', lines: ['http-check expect rstatus ^2'] },
  { name: 'string found under a 500', path: '/500/all-ready-now', lines: ['http-check expect string ready'] },
  { name: 'string missing', path: '/200/starting', lines: ['http-check expect string ready'] },
  { name: '!rstring matched', path: '/200/ERROR', lines: ['http-check expect !rstring ^ERR'] },
  { name: '!rstring not matched', path: '/200/fine', lines: ['http-check expect !rstring ^ERR'] },
  { name: 'hdr value among comma-separated ones', path: '/200/x', lines: ['http-check expect hdr name X-Ready value yes'] },
  { name: 'fhdr needs the whole line', path: '/200/x', lines: ['http-check expect fhdr name x-ready value yes'] },
  { name: 'two expects, both pass', path: '/200/ok', lines: ['http-check expect status 200', 'http-check expect string ok'] },
  { name: 'two expects, the second fails', path: '/200/ko', lines: ['http-check expect status 200', 'http-check expect string ok'] },
  { name: 'disable-on-404: 404 is NOLB', path: '/404/x', lines: ['http-check disable-on-404', 'http-check expect status 200'] },
  { name: 'disable-on-404: 500 still fails', path: '/500/x', lines: ['http-check disable-on-404'] },
];

const HEAD = `
defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
    # Checks every 100 ms would time out after 100 ms without this; a loaded CI machine can be that slow.
    timeout check 5s

listen stats
    bind 127.0.0.1:\${STATS}
    stats enable
    stats uri /
`;

const CHECKS_CONFIG =
  HEAD +
  CASES.map(
    (c, i) => `
backend b${i}
    option httpchk GET ${c.path}
${c.lines.map((l) => `    ${l}`).join('\n')}
    server s${i} 127.0.0.1:\${HEALTH} check inter 100ms rise 1 fall 1
`,
  ).join('');

/** s1 answers 404 to its checks (through `port`), s2 is not checked; cookie persistence names them. */
const TRAFFIC_CONFIG = `${HEAD}
listen web
    bind 127.0.0.1:\${PORT}
    option httpchk GET /404/gone
    http-check disable-on-404
    cookie SRV insert indirect nocache
    server s1 127.0.0.1:\${S1} check port "\${HEALTH}" inter 100ms rise 1 fall 1 cookie s1
    server s2 127.0.0.1:\${S2} cookie s2
`;

/** Answers `/STATUS/BODY` with that status and body, plus `X-Ready: no, yes`. */
async function startHealthServer(): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const [, status = '200', body = ''] = (req.url ?? '/').split('/');
    res.writeHead(Number(status), { 'X-Ready': 'no, yes', 'Content-Type': 'text/plain' });
    res.end(Number(status) === 204 ? undefined : body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

type Row = Record<string, string>;

async function statsRows(port: number): Promise<Row[]> {
  const csv = (await send(port, '/;csv', { headers: [['Connection', 'close']] })).body.trim().split('\n');
  const names = csv[0]!.replace(/^# /, '').split(',');
  return csv.slice(1).map((line) => Object.fromEntries(line.split(',').map((v, i) => [names[i]!, v])));
}

/** Polls the stats until every checked server has a settled check result (rise 1 fall 1: the first check decides). */
async function settledRows(port: number, servers: number): Promise<Row[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const rows = (await statsRows(port)).filter((r) => r['type'] === '2' && r['check_rise'] !== '');
    const settled = rows.length === servers && rows.every((r) => r['check_status'] !== 'INI' && !r['check_status']!.startsWith('* '));
    if (settled) return rows;
    if (Date.now() > deadline) throw new Error(`checks did not settle: ${JSON.stringify(rows)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface Seen {
  servers: Record<string, { status: string; check_status: string; check_code: string }>;
  backends: Record<string, { status: string; weight: string }>;
  traffic?: { fresh: string[]; sticky: string; setCookie: (string | undefined)[] };
  stoppingLog?: boolean;
}

async function run(kind: 'haproxy' | 'edge', config: string, traffic: boolean): Promise<Seen> {
  const health = await startHealthServer();
  const echoes: EchoBackend[] = traffic ? [await startEchoBackend('s1'), await startEchoBackend('s2')] : [];
  const ports = { STATS: await freePort(), PORT: await freePort() };
  const env: Record<string, string> = { STATS: String(ports.STATS), PORT: String(ports.PORT), HEALTH: String(health.port) };
  echoes.forEach((e, i) => (env[`S${i + 1}`] = String(e.port)));
  const proxy = kind === 'haproxy' ? await startHaproxy(config, traffic ? [ports.STATS, ports.PORT] : [ports.STATS], env) : await startEdge(config, env);
  try {
    const checked = traffic ? 1 : CASES.length;
    // With rise 1 fall 1 the first result decides: UP, DOWN or NOLB, never a transition state.
    await settledRows(ports.STATS, checked);
    const rows = (await statsRows(ports.STATS)).filter((r) => r['pxname'] !== 'stats');
    const seen: Seen = { servers: {}, backends: {} };
    for (const r of rows) {
      if (r['type'] === '2') seen.servers[`${r['pxname']}/${r['svname']}`] = { status: r['status']!, check_status: r['check_status']!.replace(/^\* /, ''), check_code: r['check_code']! };
      if (r['type'] === '1') seen.backends[r['pxname']!] = { status: r['status']!, weight: r['weight']! };
    }
    if (traffic) {
      const fresh: string[] = [];
      const setCookie: (string | undefined)[] = [];
      for (let i = 0; i < 4; i++) {
        const response = await send(ports.PORT, '/', { headers: [['Connection', 'close']] });
        fresh.push((JSON.parse(response.body) as EchoReply).server);
        setCookie.push(response.get('set-cookie'));
      }
      const sticky = await send(ports.PORT, '/', { headers: [['Cookie', 'SRV=s1'], ['Connection', 'close']] });
      seen.traffic = { fresh, sticky: (JSON.parse(sticky.body) as EchoReply).server, setCookie };
      const output = kind === 'haproxy' ? (proxy as Awaited<ReturnType<typeof startHaproxy>>).output() : (proxy as Awaited<ReturnType<typeof startEdge>>).messages.join('\n');
      seen.stoppingLog = /Server web\/s1 is stopping, reason: Layer7 check conditionally passed, code: 404, check duration: \d+ms\. 1 active and 0 backup servers online\. 0 sessions requeued, 0 total in queue\./.test(output);
    }
    return seen;
  } finally {
    await (kind === 'haproxy' ? (proxy as Awaited<ReturnType<typeof startHaproxy>>).close() : (proxy as Awaited<ReturnType<typeof startEdge>>).close(0));
    await Promise.all([health.close(), ...echoes.map((e) => e.close())]);
  }
}

const results: Partial<Record<'checks' | 'traffic', { haproxy: Seen; edge: Seen }>> = {};

beforeAll(async () => {
  results.checks = { haproxy: await run('haproxy', CHECKS_CONFIG, false), edge: await run('edge', CHECKS_CONFIG, false) };
  results.traffic = { haproxy: await run('haproxy', TRAFFIC_CONFIG, true), edge: await run('edge', TRAFFIC_CONFIG, true) };
}, 60_000);

afterAll(() => {
  delete results.checks;
  delete results.traffic;
});

describe('http-check expect and disable-on-404, edge-balancer on Node vs haproxy 2.6', () => {
  CASES.forEach((c, i) => {
    it(`${c.name}: ${c.lines.join(' / ') || 'option httpchk alone'}`, () => {
      const { haproxy, edge } = results.checks!;
      expect({ server: edge.servers[`b${i}/s${i}`], backend: edge.backends[`b${i}`] }).toEqual({ server: haproxy.servers[`b${i}/s${i}`], backend: haproxy.backends[`b${i}`] });
    });
  });

  it('the cases disagree among themselves (UP, DOWN, NOLB; L7OK, L7STS, L7RSP, L7OKC all seen)', () => {
    const seen = Object.values(results.checks!.edge.servers);
    expect(new Set(seen.map((s) => s.status))).toEqual(new Set(['UP', 'DOWN', 'NOLB']));
    expect(new Set(seen.map((s) => s.check_status))).toEqual(new Set(['L7OK', 'L7STS', 'L7RSP', 'L7OKC']));
  });

  it('a NOLB server takes no new clients and keeps its sticky ones; the "is stopping" log line', () => {
    const { haproxy, edge } = results.traffic!;
    expect(edge).toEqual(haproxy);
    expect(edge.traffic).toMatchObject({ fresh: ['s2', 's2', 's2', 's2'], sticky: 's1' });
    expect(edge.servers['web/s1']).toEqual({ status: 'NOLB', check_status: 'L7OKC', check_code: '404' });
    expect(edge.stoppingLog).toBe(true);
  });
});
