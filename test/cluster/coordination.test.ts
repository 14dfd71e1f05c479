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
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

beforeAll(async () => {
  [s1, s2] = [await startEchoBackend('s1'), await startEchoBackend('s2')];
  [port, statsPort] = await freePorts(2);
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
`,
  );
  edge = await startClusterCommand(file, 2);
}, 90_000);

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

describe('edge-balancer --threads 2', () => {
  it('balances round-robin per worker: each worker sends s1 s2 s1 s2, as each HAProxy thread does', async () => {
    const { served } = await requests(12);
    const byWorker = sequencesByWorker(served);
    expect(byWorker.size).toBe(2);
    for (const sequence of byWorker.values()) {
      expect(sequence.length).toBeGreaterThanOrEqual(2);
      expect(sequence).toEqual(sequence.map((_, i) => (i % 2 === 0 ? 's1' : 's2')));
    }
  });

  it('keeps a cookie client on its server whichever worker takes the request', async () => {
    const first = await send(port, '/');
    const cookie = setCookieValue(first, 'SERVERNAME')!;
    const server = cookie.split('=')[1]!;
    const { responses, served } = await requests(8, [['Cookie', cookie]]);
    expect(new Set(served.map((s) => s.pid)).size).toBe(2);
    for (const response of responses) expect((JSON.parse(response.body) as { server: string }).server).toBe(server);
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
    // Two sets of checks would put one every INTER_MS/2 on average.
    expect(gaps.reduce((a, b) => a + b, 0) / gaps.length).toBeGreaterThan(INTER_MS * 0.8);
  });

  it('shows on any worker the traffic of both: CSV stot is the number of requests made', async () => {
    const csv = async () => (await send(statsPort, '/;csv')).body.split('\n').map((line) => line.split(','));
    const stot = (rows: string[][], svname: string) => Number(rows.find((r) => r[0] === 'app' && r[1] === svname)![7]);
    const before = await csv();
    const { served } = await requests(10);
    expect(new Set(served.map((s) => s.pid)).size).toBe(2);
    // Asked several times, so the page is served by both workers.
    for (let i = 0; i < 4; i++) {
      const after = await csv();
      expect(stot(after, 'FRONTEND') - stot(before, 'FRONTEND')).toBe(10);
      expect(stot(after, 'BACKEND') - stot(before, 'BACKEND')).toBe(10);
      expect(stot(after, 's1') + stot(after, 's2') - stot(before, 's1') - stot(before, 's2')).toBe(10);
    }
  });

  it('applies an admin action taken on one worker in every worker', async () => {
    const answer = await send(statsPort, '/', {
      method: 'POST',
      headers: [['Content-Type', 'application/json']],
      body: JSON.stringify({ backend: 'app', server: 's1', state: 'maint' }),
    });
    expect(answer.status).toBe(200);
    const { served } = await requests(8);
    expect(new Set(served.map((s) => s.pid)).size).toBe(2);
    expect(served.map((s) => s.server)).toEqual(Array(8).fill('s2'));
    const rows = (await send(statsPort, '/;csv')).body.split('\n').map((line) => line.split(','));
    expect(rows.find((r) => r[0] === 'app' && r[1] === 's1')![17]).toBe('MAINT');
  });
});
