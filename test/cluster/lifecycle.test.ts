/**
 * `--threads 2` over time: a worker that dies is replaced while clients keep
 * coming (only its in-flight requests are lost), SIGHUP reloads every worker,
 * SIGTERM lets in-flight requests finish and stops every process.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { startEchoBackend, type EchoBackend } from '../helpers/echo-backend.ts';
import { send } from '../helpers/http-client.ts';
import { freePort } from '../helpers/ports.ts';
import { waitFor } from '../helpers/wait.ts';
import { isRunning, startClusterCommand, type ClusterCommand } from './cluster-command.ts';

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

async function backend(name: string): Promise<EchoBackend> {
  const b = await startEchoBackend(name);
  cleanup.push(() => b.close());
  return b;
}

const configFor = (port: number, server: EchoBackend) => `defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
listen app
    bind 127.0.0.1:${port}
    option httpclose
    server ${server.name} 127.0.0.1:${server.port}
`;

async function start(config: string, flags: readonly string[] = []): Promise<{ edge: ClusterCommand; file: string }> {
  const file = join(mkdtempSync(join(tmpdir(), 'edge-cluster-')), 'cluster.cfg');
  writeFileSync(file, config);
  const edge = await startClusterCommand(file, 2, ['--log-format', 'httplog', ...flags]);
  cleanup.push(() => edge.kill());
  return { edge, file };
}

const servedBy = async (port: number) => (JSON.parse((await send(port, '/')).body) as { server: string }).server;

describe('edge-balancer --threads 2 lifecycle', () => {
  it('replaces a worker killed under load; only the requests it had in flight are lost', async () => {
    const s1 = await backend('s1');
    const port = await freePort();
    const { edge } = await start(configFor(port, s1));
    const [victim, survivor] = edge.workers();
    expect(survivor).toBeDefined();

    // Four clients, each sending its requests one after another (40 ms at the server each).
    const CLIENTS = 4;
    const PER_CLIENT = 40;
    let failed = 0;
    let succeeded = 0;
    let killed = false;
    const client = async () => {
      for (let i = 0; i < PER_CLIENT; i++) {
        try {
          const response = await send(port, '/?delay=40');
          if (response.status === 200) succeeded++;
          else failed++;
        } catch {
          failed++;
        }
        if (!killed && succeeded >= 20) {
          killed = true;
          process.kill(victim!, 'SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, client));
    await waitFor(() => edge.stderr().includes(`worker ${victim} exited (SIGKILL); starting a new one`), 'the replacement').catch((error: Error) => {
      throw new Error(`${error.message} of ${victim} (killed: ${killed}, ${succeeded} served, ${failed} failed, workers ${edge.workers()}); the log:\n${edge.stderr()}`);
    });
    // At most one in-flight request per client was on the killed worker.
    expect(failed).toBeLessThanOrEqual(CLIENTS);
    expect(succeeded + failed).toBe(CLIENTS * PER_CLIENT);

    // The new worker serves (the survivor stopped meanwhile, so it is the one accepting).
    await waitFor(() => edge.workers().length === 2 && !edge.workers().includes(victim!), 'a second worker again');
    const replacement = edge.workers().find((pid) => pid !== survivor)!;
    await waitFor(() => edge.stderr().includes(`worker ${replacement} listening, in place of one that exited`), 'the new worker listening', 30_000);
    const before = edge.served().length;
    await edge.only(replacement, async () => {
      for (let i = 0; i < 3; i++) expect(await servedBy(port)).toBe('s1');
    });
    await waitFor(() => edge.served().length >= before + 3, 'the access lines');
    expect(edge.served().slice(before).map((s) => s.pid)).toEqual([replacement, replacement, replacement]);
  }, 90_000);

  it('SIGHUP reloads every worker; what starting and reloading found is said once, not by every worker', async () => {
    const [s1, s2] = [await backend('s1'), await backend('s2')];
    const port = await freePort();
    const { edge, file } = await start(configFor(port, s1));
    const times = (text: string) => edge.stderr().split(text).length - 1;
    expect(await servedBy(port)).toBe('s1');
    expect(times('setting global.maxconn')).toBe(1);
    expect(times('maxconn is not enforced')).toBe(1);
    writeFileSync(file, configFor(port, s2));
    edge.primary.kill('SIGHUP');
    await waitFor(() => edge.stderr().includes('configuration reloaded'), 'the reload');
    expect(times('setting global.maxconn')).toBe(2);
    for (const pid of edge.workers()) {
      const before = edge.served().length;
      await edge.only(pid, async () => {
        for (let i = 0; i < 3; i++) expect(await servedBy(port)).toBe('s2');
      });
      await waitFor(() => edge.served().length >= before + 3, 'the access lines');
      expect(edge.served().slice(before).every((s) => s.pid === pid)).toBe(true);
    }
  }, 90_000);

  it('SIGHUP with a worker that does not answer (stopped): killed 2 s past --grace, its replacement serves the new configuration', async () => {
    const [s1, s2] = [await backend('s1'), await backend('s2')];
    const port = await freePort();
    const { edge, file } = await start(configFor(port, s1), ['--grace', '500']);
    const [silent] = edge.workers();
    process.kill(silent!, 'SIGSTOP');
    writeFileSync(file, configFor(port, s2));
    edge.primary.kill('SIGHUP');
    // Before, the reload waited for its answer as long as it stayed stopped.
    await waitFor(() => edge.stderr().includes('configuration reloaded'), 'the reload');
    expect(edge.stderr()).toContain(`worker ${silent} exited (SIGKILL); starting a new one`);
    await waitFor(() => edge.stderr().includes('listening, in place of one that exited'), 'the replacement listening', 30_000);
    for (const pid of edge.workers()) {
      await edge.only(pid, async () => {
        for (let i = 0; i < 2; i++) expect(await servedBy(port)).toBe('s2');
      });
    }
  }, 90_000);

  it('SIGTERM finishes in-flight requests, then stops the primary and every worker', async () => {
    const s1 = await backend('s1');
    const port = await freePort();
    const { edge } = await start(configFor(port, s1));
    const workers = edge.workers();
    expect(workers).toHaveLength(2);
    const arrived = s1.nextRequest();
    const slow = send(port, '/?delay=500');
    await arrived;
    const exited = once(edge.primary, 'exit');
    edge.primary.kill('SIGTERM');
    expect((await slow).status).toBe(200);
    const [code] = await exited;
    expect(code).toBe(0);
    await waitFor(() => workers.every((pid) => !isRunning(pid)), 'every worker gone');
  }, 90_000);
});
