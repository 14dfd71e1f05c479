/** The `edge-balancer` command as a user runs it: config check, errors, signals. */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import { startEchoBackend } from '../helpers/echo-backend.ts';
import { send } from '../helpers/http-client.ts';
import { freePort, waitForPort } from '../helpers/ports.ts';
import { waitFor } from '../helpers/wait.ts';

const BIN = new URL('../../adapters/node/bin.mjs', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'edge-balancer-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('edge-balancer command', () => {
  it('prints help and version', () => {
    expect(run('--help')).toMatchObject({ code: 0, stdout: expect.stringContaining('-f <path>') });
    expect(run('--version').stdout).toMatch(/^edge-balancer \d+\.\d+\.\d+\n$/);
  });

  it('-c accepts a valid config and prints notices for ignored directives', () => {
    const cfg = file('ok.cfg', 'global\n    daemon\nlisten app\n    bind :8080\n    server s1 127.0.0.1:8081\n');
    const r = run('-c', '-f', cfg);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Configuration file is valid');
    expect(r.stderr).toContain(`${cfg}:2`);
  });

  it('-c rejects a broken config naming file, line and directive', () => {
    const cfg = file('bad.cfg', 'listen app\n    bind :8080\n    balance roundrobn\n    server s1 127.0.0.1:8081\n');
    const r = run('-c', '-f', cfg);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${cfg}:3`);
    expect(r.stderr).toContain('balance');
    expect(r.stderr).toContain('roundrobin');
  });

  it('reads several -f files in order, like haproxy', () => {
    const a = file('a.cfg', 'defaults\n    mode http\n    timeout connect 1s\n');
    const b = file('b.cfg', 'listen app\n    bind :8080\n    server s1 127.0.0.1:8081\n');
    expect(run('-c', '-f', a, '-f', b).code).toBe(0);
  });

  it('an address already in use is a one-line alert naming the proxy and address, and exit 1 (one process and workers)', async () => {
    const { createServer } = await import('node:net');
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    try {
      const port = (holder.address() as { port: number }).port;
      const cfg = file('in-use.cfg', `defaults\n    mode http\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\nlisten www\n    bind 127.0.0.1:${port}\n    server s1 127.0.0.1:9\n`);
      for (const threads of ['1', '2']) {
        const r = run('-f', cfg, '--threads', threads);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(`[ALERT] Starting proxy www: cannot bind socket (EADDRINUSE) [127.0.0.1:${port}]`);
        expect(r.stderr).not.toContain('    at ');
      }
    } finally {
      holder.close();
    }
  });

  it('serves a config and finishes an in-flight request on SIGTERM, then exits 0', async () => {
    const backend = await startEchoBackend('s1');
    const port = await freePort();
    const cfg = file(
      'serve.cfg',
      `defaults\n    mode http\n    timeout server 10s\nlisten app\n    bind 127.0.0.1:${port}\n    server s1 127.0.0.1:${backend.port}\n`,
    );
    // One process (the default is a worker per CPU): worker processes are test/cluster's.
    const child = spawn(process.execPath, [BIN, '-f', cfg, '--log-format', 'json', '--threads', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await waitForPort(port, () => child.exitCode !== null);
      const arrived = backend.nextRequest();
      const slow = send(port, '/?delay=500');
      await arrived;
      child.kill('SIGTERM');
      const response = await slow;
      expect(response.status).toBe(200);
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await backend.close();
    }
  });

  it('--demo (npm start) serves the seed behind two demo backends and a stats page with the printed credentials', async () => {
    const [port, statsPort] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, [BIN, '--demo'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PORT: String(port), STATS_PORT: String(statsPort) },
    });
    let banner = '';
    child.stderr!.on('data', (d: Buffer) => (banner += d.toString()));
    try {
      await waitForPort(statsPort, () => child.exitCode !== null);
      const first = await send(port, '/');
      expect(first.body).toMatch(/Served by apache-[12]/);
      expect(first.all('set-cookie')).toEqual(expect.arrayContaining([expect.stringMatching(/^SERVERNAME=s[12]; path=\/$/)]));
      // The page's live feed: a WebSocket through the balancer to the same sticky server.
      const servedBy = /Served by (apache-[12])/.exec(first.body)![1]!;
      const sticky = first.all('set-cookie').find((c) => c.startsWith('SERVERNAME='))!.split(';')[0]!;
      const live = new WebSocket(`ws://127.0.0.1:${port}/`, { headers: { cookie: sticky } });
      const [message] = (await once(live, 'message')) as [Buffer];
      expect(message.toString()).toMatch(new RegExp(`^${servedBy}: message \\d+ from ${servedBy}`));
      live.close();
      await once(live, 'close');

      const password = /user admin, password (\S+)/.exec(banner)?.[1];
      expect(banner).toContain(`http://127.0.0.1:${statsPort}/`);
      expect(password).toBeDefined();
      expect((await send(statsPort, '/')).status).toBe(401);
      const authorization = `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`;
      const dashboard = await send(statsPort, '/', { headers: [['Authorization', authorization]] });
      expect(dashboard.status).toBe(200);
      expect(dashboard.body).toContain('apache-1');
      expect(dashboard.body).toContain('apache-2');

      child.kill('SIGINT');
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('SIGHUP reloads the configuration without dropping an in-flight request, and refuses a broken one', async () => {
    const [s1, s2] = [await startEchoBackend('s1'), await startEchoBackend('s2')];
    const port = await freePort();
    const configFor = (server: { port: number }) =>
      `defaults\n    mode http\n    timeout server 10s\nlisten app\n    bind 127.0.0.1:${port}\n    server s 127.0.0.1:${server.port}\n`;
    const cfg = file('reload.cfg', configFor(s1));
    const child = spawn(process.execPath, [BIN, '-f', cfg, '--log-format', 'none', '--threads', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    const servedBy = async () => (JSON.parse((await send(port, '/')).body) as { server: string }).server;
    try {
      await waitForPort(port, () => child.exitCode !== null);
      expect(await servedBy()).toBe('s1');

      const arrived = s1.nextRequest();
      const inFlight = send(port, '/?delay=500');
      await arrived;
      writeFileSync(cfg, configFor(s2));
      child.kill('SIGHUP');
      await waitFor(() => log.includes('configuration reloaded'), 'the reload');
      expect(await servedBy()).toBe('s2');
      expect((await inFlight).status).toBe(200);

      writeFileSync(cfg, configFor(s2).replace('server s ', 'server s 127.0.0.1:1 bogus '));
      child.kill('SIGHUP');
      await waitFor(() => log.includes('reload refused'), 'the refusal');
      expect(log).toContain(`${cfg}:6`);
      expect(await servedBy()).toBe('s2');
      expect(child.exitCode).toBeNull();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await Promise.all([s1.close(), s2.close()]);
    }
  });
});
