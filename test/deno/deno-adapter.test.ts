/**
 * The Deno adapter as a user runs it: the real `deno` binary (from npm) on a
 * configuration file, in front of real backends on 127.0.0.1.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoBackend, type EchoBackend } from '../helpers/echo-backend.ts';
import { send, setCookieValue } from '../helpers/http-client.ts';
import { denoExecutable } from '../helpers/deno.ts';
import { freePort, waitForPort } from '../helpers/ports.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const DENO = denoExecutable();
/** The minimal permissions the README documents: no --allow-env for a configuration without variables. */
const CLI = ['run', '--allow-net', '--allow-read', join(ROOT, 'adapters/deno/cli.ts')];
const dir = mkdtempSync(join(tmpdir(), 'edge-balancer-deno-'));

let backends: EchoBackend[];
let deno: ChildProcess;
let port: number;
let statsPort: number;

beforeAll(async () => {
  const probe = spawnSync(DENO, ['--version'], { encoding: 'utf8' });
  if (probe.status !== 0) throw new Error(`the deno binary from npm does not run (${DENO}): ${probe.error?.message ?? probe.stderr}`);
  backends = [await startEchoBackend('s1'), await startEchoBackend('s2')];
  [port, statsPort] = [await freePort(), await freePort()];
  const cfg = join(dir, 'lb.cfg');
  writeFileSync(
    cfg,
    `defaults
    mode http
    timeout connect 1s
    timeout server 10s
listen app
    bind 127.0.0.1:${port}
    balance roundrobin
    option forwardfor
    http-request set-header X-Dst %[dst]:%[dst_port]
    http-request set-header X-Env <%[env(HOME)]>
    cookie SERVERNAME insert indirect nocache
    server s1 127.0.0.1:${backends[0]!.port} cookie s1
    server s2 127.0.0.1:${backends[1]!.port} cookie s2
listen stats
    bind 127.0.0.1:${statsPort}
    stats enable
    stats uri /
    stats realm Strictly\\ Private
    stats auth admin:secret
`,
  );
  deno = spawn(DENO, [...CLI, '-f', cfg, '--log-format', 'none'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  await waitForPort(statsPort, () => deno.exitCode !== null, 1200);
}, 60_000);

afterAll(async () => {
  if (deno && deno.exitCode === null) {
    deno.kill('SIGKILL');
    await once(deno, 'exit');
  }
  await Promise.all(backends?.map((b) => b.close()) ?? []);
  rmSync(dir, { recursive: true, force: true });
});

const servedBy = (body: string) => (JSON.parse(body) as { server: string }).server;

describe('Deno adapter', () => {
  it("dst/dst_port are the listener's address; env() of a variable Deno was not allowed to read is empty, without a prompt", async () => {
    const reply = JSON.parse((await send(port, '/')).body) as { headers: [string, string][] };
    const seen = (name: string) => reply.headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);
    expect(seen('x-dst')).toEqual([`127.0.0.1:${port}`]);
    expect(seen('x-env')).toEqual(['<>']);
  });

  it('balances round-robin and pins a client with the inserted cookie', async () => {
    const first = await send(port, '/');
    const second = await send(port, '/');
    expect(new Set([servedBy(first.body), servedBy(second.body)])).toEqual(new Set(['s1', 's2']));
    const cookie = setCookieValue(first, 'SERVERNAME')!;
    expect(cookie).toBe(`SERVERNAME=${servedBy(first.body)}`);
    for (let i = 0; i < 4; i++) {
      const again = await send(port, '/', { headers: [['Cookie', cookie]] });
      expect(servedBy(again.body)).toBe(servedBy(first.body));
      expect(again.all('set-cookie')).toEqual([]);
    }
  });

  it('adds X-Forwarded-For and strips its own cookie before the backend', async () => {
    const arrived = backends[0]!.nextRequest();
    await send(port, '/', { headers: [['Cookie', 'a=1; SERVERNAME=s1; b=2']] });
    const seen = (await arrived).headers;
    expect(seen.filter(([n]) => n === 'x-forwarded-for').map(([, v]) => v)).toEqual(['127.0.0.1']);
    expect(seen.filter(([n]) => n === 'cookie').map(([, v]) => v)).toEqual(['a=1; b=2']);
  });

  it('protects the stats page with basic auth and serves CSV', async () => {
    const denied = await send(statsPort, '/');
    expect(denied.status).toBe(401);
    expect(denied.get('www-authenticate')).toBe('Basic realm="Strictly Private"');
    const auth: [string, string] = ['Authorization', `Basic ${Buffer.from('admin:secret').toString('base64')}`];
    const csv = await send(statsPort, '/;csv', { headers: [auth] });
    expect(csv.status).toBe(200);
    expect(csv.body).toMatch(/^# pxname,svname,/);
    expect(csv.body).toMatch(/^app,s1,/m);
  });

  it('-c reports a broken configuration with file and line, exit 1', () => {
    const bad = join(dir, 'bad.cfg');
    writeFileSync(bad, 'listen app\n    bind :8080\n    balance roundrobn\n    server s1 127.0.0.1:8081\n');
    const r = spawnSync(DENO, [...CLI, '-c', '-f', bad], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${bad}:3`);
  });

  it('prints the shared help and the version', () => {
    const help = spawnSync(DENO, [...CLI, '--help'], { cwd: ROOT, encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('-f <path>');
    expect(help.stdout).toContain('--log-format <fmt>');
    expect(help.stdout).not.toContain('--demo');
    const version = spawnSync(DENO, [...CLI, '--version'], { cwd: ROOT, encoding: 'utf8' });
    expect(version.stdout).toMatch(/^edge-balancer \d+\.\d+\.\d+\n$/);
    const wrong = spawnSync(DENO, [...CLI, '--log-format', 'xml', '-f', 'x.cfg'], { cwd: ROOT, encoding: 'utf8' });
    expect(wrong.status).toBe(2);
  });

  it('reads ${VAR} only with --allow-env for that variable, and says so without it', () => {
    const withVariable = join(dir, 'env.cfg');
    writeFileSync(withVariable, 'defaults\n    mode http\nlisten app\n    bind 127.0.0.1:"${APP_PORT}"\n    server s1 127.0.0.1:8081\n');
    const env = { ...process.env, APP_PORT: '8080' };
    const denied = spawnSync(DENO, [...CLI, '-c', '-f', withVariable], { cwd: ROOT, env, encoding: 'utf8' });
    expect(denied.status).toBe(1);
    expect(denied.stderr).toMatch(/APP_PORT.*--allow-env|--allow-env.*APP_PORT/s);
    const granted = spawnSync(DENO, ['run', '--allow-net', '--allow-read', '--allow-env=APP_PORT', ...CLI.slice(3), '-c', '-f', withVariable], {
      cwd: ROOT,
      env,
      encoding: 'utf8',
    });
    expect(granted.stdout).toBe('Configuration file is valid\n');
    expect(granted.status).toBe(0);
  });

  it('type-checks and is ready for JSR (deno publish --dry-run)', () => {
    const r = spawnSync(DENO, ['publish', '--dry-run', '--allow-dirty'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr + r.stdout).toContain('Dry run complete');
    expect(r.status).toBe(0);
  });

  it('SIGTERM lets an in-flight request finish, then exits 0', async () => {
    const arrived = backends[1]!.nextRequest();
    const pending = Promise.all([send(port, '/?delay=300'), send(port, '/?delay=300')]);
    await arrived;
    deno.kill('SIGTERM');
    const answers = await pending;
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    const [code] = await once(deno, 'exit');
    expect(code).toBe(0);
  });
});
