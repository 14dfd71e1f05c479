/**
 * The Worker in workerd (miniflare) against real backends on 127.0.0.1:
 * balancing, persistence, stats auth, health held by the Durable Object
 * (checks driven explicitly), and the deployable bundle.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoBackend, type EchoBackend } from '../helpers/echo-backend.ts';
import { send, setCookieValue } from '../helpers/http-client.ts';
import { startWorker, type RunningWorker } from './start-worker.ts';

const CONFIG = `defaults
    mode http
    timeout connect 1s
    timeout server 5s
    retries 2
frontend web
    bind :8080
    stats uri /stats
    stats realm Strictly\\ Private
    use_backend pfx if { path_beg /p }
    default_backend ins
backend ins
    balance roundrobin
    option redispatch
    cookie SERVERNAME insert indirect nocache
    server s1 127.0.0.1:\${S1} cookie s1 check inter 60s fall 3 rise 2
    server s2 127.0.0.1:\${S2} cookie s2 check inter 60s fall 3 rise 2
backend pfx
    cookie JSESSIONID prefix indirect nocache
    server s1 127.0.0.1:\${S1} cookie s1
    server s2 127.0.0.1:\${S2} cookie s2
`;

const servedBy = (body: string) => (JSON.parse(body) as { server: string }).server;
/** The Cookie lines the backend received (header names as workerd sends them vary in case). */
const backendCookies = (body: string) =>
  (JSON.parse(body) as { headers: [string, string][] }).headers.filter(([n]) => n.toLowerCase() === 'cookie').map(([, v]) => v);

describe('Workers adapter in workerd', () => {
  let backends: EchoBackend[];
  let worker: RunningWorker;
  const env = () => ({ S1: String(backends[0]!.port), S2: String(backends[1]!.port) });

  beforeAll(async () => {
    backends = [await startEchoBackend('s1'), await startEchoBackend('s2')];
    worker = await startWorker(CONFIG, env(), { bindings: { STATS_AUTH: 'admin:secret\nops:other' } });
  }, 60_000);
  afterAll(async () => {
    await worker?.close();
    await Promise.all(backends?.map((b) => b.close()) ?? []);
  });

  it('balances round-robin and inserts the persistence cookie', async () => {
    const a = await send(worker.port, '/');
    const b = await send(worker.port, '/');
    expect(new Set([servedBy(a.body), servedBy(b.body)])).toEqual(new Set(['s1', 's2']));
    expect(setCookieValue(a, 'SERVERNAME')).toBe(`SERVERNAME=${servedBy(a.body)}`);
    const pinned = await send(worker.port, '/', { headers: [['Cookie', 'x=1; SERVERNAME=s2']] });
    expect(servedBy(pinned.body)).toBe('s2');
    expect(pinned.all('set-cookie')).toEqual([]);
    expect(backendCookies(pinned.body)).toEqual(['x=1']);
  });

  it('prefixes the application cookie and strips the prefix on the way in', async () => {
    const first = await send(worker.port, '/p?set-cookie=JSESSIONID%3Dabc');
    expect(first.all('set-cookie')).toEqual([`JSESSIONID=${servedBy(first.body)}~abc`]);
    const back = await send(worker.port, '/p', { headers: [['Cookie', 'JSESSIONID=s2~xyz']] });
    expect(servedBy(back.body)).toBe('s2');
    expect(backendCookies(back.body)).toEqual(['JSESSIONID=xyz']);
  });

  it('protects stats with the credentials of the STATS_AUTH secret', async () => {
    const denied = await send(worker.port, '/stats');
    expect(denied.status).toBe(401);
    expect(denied.get('www-authenticate')).toBe('Basic realm="Strictly Private"');
    const basic = (user: string) => ['Authorization', `Basic ${Buffer.from(user).toString('base64')}`] as [string, string];
    expect((await send(worker.port, '/stats', { headers: [basic('admin:wrong')] })).status).toBe(401);
    const csv = await send(worker.port, '/stats;csv', { headers: [basic('ops:other')] });
    expect(csv.status).toBe(200);
    expect(csv.body).toMatch(/^# pxname,svname,/);
  });

  it('the Durable Object marks a stopped server DOWN after fall checks, every request then avoids it, and it comes back after rise', async () => {
    // Bring both servers to full health first (rise + fall - 1).
    for (let i = 0; i < 3; i++) await worker.checkNow();
    const port = backends[1]!.port;
    await backends[1]!.close();
    const falls: boolean[] = [];
    for (let i = 0; i < 3; i++) falls.push((await worker.checkNow())['ins/s2']!.up);
    expect(falls).toEqual([true, true, false]);

    // The snapshot is refreshed on each request here (HEALTH_SNAPSHOT_MS 0): no request goes to s2,
    // and its sticky clients get the other server with a fresh cookie.
    for (let i = 0; i < 4; i++) expect(servedBy((await send(worker.port, '/')).body)).toBe('s1');
    const moved = await send(worker.port, '/', { headers: [['Cookie', 'SERVERNAME=s2']] });
    expect(servedBy(moved.body)).toBe('s1');
    expect(moved.all('set-cookie')).toEqual(['SERVERNAME=s1; path=/']);

    backends[1] = await startEchoBackend('s2', port);
    const rises: boolean[] = [];
    for (let i = 0; i < 2; i++) rises.push((await worker.checkNow())['ins/s2']!.up);
    expect(rises).toEqual([false, true]);
    const served = new Set<string>();
    for (let i = 0; i < 4; i++) served.add(servedBy((await send(worker.port, '/')).body));
    expect(served).toEqual(new Set(['s1', 's2']));
  });
});

describe('Durable Object storage', () => {
  it('keeps the health states across a restart of the object', async () => {
    const persist = mkdtempSync(join(tmpdir(), 'edge-do-'));
    const live = await startEchoBackend('s1');
    const dead = await startEchoBackend('s2');
    const env = { S1: String(live.port), S2: String(dead.port) };
    await dead.close();
    try {
      const first = await startWorker(CONFIG, env, { persistTo: persist });
      let before;
      try {
        before = await first.checkNow();
        expect(before['ins/s2']).toMatchObject({ up: false, chkdown: 1 });
      } finally {
        await first.close();
      }
      const second = await startWorker(CONFIG, env, { persistTo: persist });
      try {
        expect(await second.snapshot()).toEqual(before);
      } finally {
        await second.close();
      }
    } finally {
      await live.close();
      rmSync(persist, { recursive: true, force: true });
    }
  });
});

describe('deployment', () => {
  it('wrangler deploy --dry-run builds the bundle', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'edge-wrangler-'));
    try {
      const r = spawnSync('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', outdir], {
        cwd: new URL('../../', import.meta.url).pathname,
        encoding: 'utf8',
        env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1' },
      });
      expect(r.status, r.stderr).toBe(0);
      const bytes = readdirSync(outdir)
        .filter((f) => f.endsWith('.js'))
        .reduce((sum, f) => sum + statSync(join(outdir, f)).size, 0);
      expect(bytes).toBeGreaterThan(10_000);
      process.stdout.write(`Worker bundle: ${(bytes / 1024).toFixed(1)} KiB (${/Total Upload: .*/.exec(r.stdout)?.[0] ?? ''})\n`);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }, 120_000);
});
