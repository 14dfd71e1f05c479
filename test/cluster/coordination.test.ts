/**
 * `--threads 2`: two worker processes behind one set of listeners, one
 * coordinator. Each worker balances with its own rotation, as each of
 * HAProxy's threads does (fwrr per thread group, so with 2 workers each
 * worker's sequence is s1 s2 s1 s2); cookies, health, counters and admin
 * actions are the whole process's. Requests are attributed to workers by the
 * access log's `edge-balancer[PID]:` tag; every request opens a connection of
 * its own, so node:cluster's round-robin hands them to both workers.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEchoBackend, type EchoBackend } from '../helpers/echo-backend.ts';
import { send, setCookieValue } from '../helpers/http-client.ts';
import { freePorts } from '../helpers/ports.ts';
import { waitFor } from '../helpers/wait.ts';
import { sequencesByWorker, startClusterCommand, type ClusterCommand } from './cluster-command.ts';

const INTER_MS = 400;
let s1: EchoBackend;
let s2: EchoBackend;
let edge: ClusterCommand;
let port: number;
let statsPort: number;
let metricsPort: number;

beforeAll(async () => {
  [s1, s2] = [await startEchoBackend('s1'), await startEchoBackend('s2')];
  [port, statsPort, metricsPort] = await freePorts(3);
  const file = join(mkdtempSync(join(tmpdir(), 'edge-cluster-')), 'cluster.cfg');
  writeFileSync(
    file,
    `defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
listen app
    bind 127.0.0.1:${port}
    balance roundrobin
    option httpclose
    option httpchk GET /health
    cookie SERVERNAME insert indirect nocache
    server s1 127.0.0.1:${s1.port} cookie s1 check inter ${INTER_MS}
    server s2 127.0.0.1:${s2.port} cookie s2 check inter ${INTER_MS}
listen stats
    bind 127.0.0.1:${statsPort}
    stats enable
    stats uri /
    stats admin if TRUE
frontend metrics
    bind 127.0.0.1:${metricsPort}
    http-request use-service prometheus-exporter
`,
  );
  edge = await startClusterCommand(file, 2);
}, 90_000);

// A test that hangs in `only` stays that test's failure (its workers continue).
afterEach(() => edge?.resumeStopped());

afterAll(async () => {
  await edge?.kill();
  await Promise.all([s1?.close(), s2?.close()]);
});

/** `n` requests one after the other, each on a connection of its own; their access lines. */
async function requests(n: number, headers: [string, string][] = []) {
  const before = edge.served().length;
  const responses = [];
  for (let i = 0; i < n; i++) responses.push(await send(port, '/', { headers }));
  await waitFor(() => edge.served().length >= before + n, `${n} access lines`);
  return { responses, served: edge.served().slice(before) };
}

/** `n` requests to each worker in turn (the other one stopped meanwhile). */
async function requestsToEach(n: number, headers: [string, string][] = []) {
  const results = [];
  for (const pid of edge.workers()) {
    const result = await edge.only(pid, () => requests(n, headers));
    expect(result.served.every((s) => s.pid === pid)).toBe(true);
    results.push(result);
  }
  return { responses: results.flatMap((r) => r.responses), served: results.flatMap((r) => r.served) };
}

const rowsOf = (text: string) => text.split('\n').map((line) => line.split(','));
const csv = async () => rowsOf((await send(statsPort, '/;csv')).body);

/**
 * The CSV as `pid` serves it while both workers run: a kept-alive connection
 * is opened while the other worker is stopped, then used once both run (a
 * stopped worker could not give its counters).
 */
async function csvFrom(pid: number): Promise<string[][]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const fetchCsv = () =>
    new Promise<{ body: string; reused: boolean }>((resolve, reject) => {
      const req = get({ host: '127.0.0.1', port: statsPort, path: '/;csv', agent }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ body, reused: req.reusedSocket }));
      });
      req.on('error', reject);
    });
  try {
    await edge.only(pid, fetchCsv);
    const { body, reused } = await fetchCsv();
    expect(reused).toBe(true);
    return rowsOf(body);
  } finally {
    agent.destroy();
  }
}
const field = (rows: string[][], svname: string, index: number) => rows.find((r) => r[0] === 'app' && r[1] === svname)![index]!;
const STOT = 7;
const STATUS = 17;

describe('edge-balancer --threads 2', () => {
  it('balances round-robin per worker: each worker sends s1 s2 s1, as each HAProxy thread does', async () => {
    // One rotation for the whole process would send the second worker's three to s2 s1 s2.
    const { served } = await requestsToEach(3);
    expect(sequencesByWorker(served).size).toBe(2);
    for (const sequence of sequencesByWorker(served).values()) expect(sequence).toEqual(['s1', 's2', 's1']);
  });

  it('keeps a cookie client on its server whichever worker takes the request', async () => {
    const cookie = setCookieValue(await send(port, '/'), 'SERVERNAME')!;
    const { responses } = await requestsToEach(4, [['Cookie', cookie]]);
    for (const response of responses) expect(`SERVERNAME=${(JSON.parse(response.body) as { server: string }).server}`).toBe(cookie);
  });

  it('checks each server once per interval, from the primary alone (not once per worker)', async () => {
    const arrivals: number[] = [];
    for (let i = 0; i < 6; i++) {
      let request;
      do request = await s1.nextRequest();
      while (request.url !== '/health');
      arrivals.push(Date.now());
    }
    const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]!);
    // Three sets (the primary's and one per worker) would put one every INTER_MS/3 on average.
    expect(gaps.reduce((a, b) => a + b, 0) / gaps.length).toBeGreaterThan(INTER_MS * 0.8);
  });

  it('shows on any worker the traffic of both: CSV stot is the number of requests made', async () => {
    const before = await csv();
    await requestsToEach(5);
    for (const pid of edge.workers()) {
      const after = await csvFrom(pid);
      expect(Number(field(after, 'FRONTEND', STOT)) - Number(field(before, 'FRONTEND', STOT))).toBe(10);
      expect(Number(field(after, 'BACKEND', STOT)) - Number(field(before, 'BACKEND', STOT))).toBe(10);
      const servers = (rows: string[][]) => Number(field(rows, 's1', STOT)) + Number(field(rows, 's2', STOT));
      expect(servers(after) - servers(before)).toBe(10);
    }
    // `use-service prometheus-exporter` too (answered by the Node fast path).
    const metric = (text: string) => Number(/^haproxy_frontend_sessions_total\{proxy="app"\} (\d+)$/m.exec(text)![1]);
    const prometheus = async () => metric((await send(metricsPort, '/metrics')).body);
    expect(await prometheus()).toBe(Number(field(await csv(), 'FRONTEND', STOT)));
  });

  it('applies an admin action taken on one worker in every worker', async () => {
    const [first] = edge.workers();
    const answer = await edge.only(first!, () =>
      send(statsPort, '/', {
        method: 'POST',
        headers: [['Content-Type', 'application/json']],
        body: JSON.stringify({ backend: 'app', server: 's1', state: 'maint' }),
      }),
    );
    expect(answer.status).toBe(200);
    const { served } = await requestsToEach(4);
    expect(served.map((s) => s.server)).toEqual(Array(8).fill('s2'));
    for (const pid of edge.workers()) expect(field(await csvFrom(pid), 's1', STATUS)).toBe('MAINT');
  });
});
