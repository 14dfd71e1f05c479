/**
 * WebSockets through the Deno adapter (the real `deno` binary on a
 * configuration file): Deno.upgradeWebSocket for the client, Deno's
 * WebSocket client to the server, messages relayed. The persistence cookie,
 * the server per cookie, text and binary frames, a 1 MiB message,
 * subprotocols, close codes both ways, X-Forwarded-For and `timeout tunnel`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { denoExecutable } from '../helpers/deno.ts';
import { freePort, waitForPort } from '../helpers/ports.ts';
import { openClient } from './ws-harness.ts';
import { startWsBackend, type WsBackend } from './ws-backend.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'edge-balancer-deno-ws-'));
let backends: WsBackend[];
let deno: ChildProcess;
let port: number;

beforeAll(async () => {
  backends = [await startWsBackend('s1'), await startWsBackend('s2')];
  port = await freePort();
  const cfg = join(dir, 'lb.cfg');
  writeFileSync(
    cfg,
    `defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
listen app
    bind 127.0.0.1:${port}
    balance roundrobin
    option forwardfor
    timeout tunnel 1s
    cookie SERVERNAME insert indirect nocache
    server s1 127.0.0.1:${backends[0]!.port} cookie s1
    server s2 127.0.0.1:${backends[1]!.port} cookie s2
`,
  );
  const cli = ['run', '--allow-net', '--allow-read', join(ROOT, 'adapters/deno/cli.ts'), '-f', cfg, '--log-format', 'none'];
  deno = spawn(denoExecutable(), cli, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  await waitForPort(port, () => deno.exitCode !== null, 1200);
}, 60_000);

afterAll(async () => {
  if (deno && deno.exitCode === null) {
    deno.kill('SIGKILL');
    await once(deno, 'exit');
  }
  await Promise.all(backends?.map((b) => b.close()) ?? []);
  rmSync(dir, { recursive: true, force: true });
});

describe('WebSocket through the Deno adapter', () => {
  it('cookie, server per cookie, text/binary/1 MiB, subprotocol, close codes both ways, X-Forwarded-For', async () => {
    const fresh = await openClient(port, { protocols: ['chat.v1', 'chat.v2'] });
    const cookie = fresh.head.find(([n]) => n === 'set-cookie')?.[1];
    expect(cookie).toMatch(/^SERVERNAME=s[12]; path=\/$/);
    const server = cookie!.slice(11, 13);
    expect(fresh.greeting).toBe(`hello from ${server}`);
    expect(fresh.ws.protocol).toBe('chat.v2');
    fresh.ws.send('text é');
    fresh.ws.send(Buffer.from([0, 1, 2, 255]));
    const big = Buffer.alloc(1024 * 1024, 7);
    fresh.ws.send(big);
    expect(await fresh.next()).toEqual({ data: Buffer.from('text é'), binary: false });
    expect(await fresh.next()).toEqual({ data: Buffer.from([0, 1, 2, 255]), binary: true });
    expect((await fresh.next()).data.equals(big)).toBe(true);
    fresh.ws.send('close:4001:server says bye');
    expect(await fresh.closed).toMatchObject({ code: 4001, reason: 'server says bye' });

    const other = server === 's1' ? 's2' : 's1';
    const sticky = await openClient(port, { cookie: `SERVERNAME=${other}` });
    expect(sticky.greeting).toBe(`hello from ${other}`);
    expect(sticky.head.some(([n]) => n === 'set-cookie')).toBe(false);
    sticky.ws.close(4002, 'client says bye');
    await sticky.closed;
    const backend = backends.find((b) => b.name === other)!;
    for (let i = 0; i < 100 && backend.closes.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(backend.closes).toContainEqual({ code: 4002, reason: 'client says bye' });
    const upgrade = backend.upgrades.at(-1)!;
    expect(upgrade.filter(([n]) => n.toLowerCase() === 'cookie')).toEqual([]);
    expect(upgrade.filter(([n]) => n.toLowerCase() === 'x-forwarded-for').map(([, v]) => v)).toEqual(['127.0.0.1']);
  });

  it('an idle tunnel is closed after timeout tunnel', async () => {
    const idle = await openClient(port, { cookie: 'SERVERNAME=s1' });
    const opened = Date.now();
    const closed = await idle.closed;
    expect(closed.at - opened).toBeGreaterThanOrEqual(950);
    expect(closed.at - opened).toBeLessThan(2000);
  });
});
