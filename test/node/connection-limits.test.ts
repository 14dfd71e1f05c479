/**
 * The scenario, for real: the balancer under `ulimit -n 100` with two
 * healthy backends checked every 200 ms, and a flood of 120 idle client
 * connections. Without limits Node ran out of descriptors, every check failed
 * with EMFILE and both servers went DOWN; with the maxconn derived from the
 * descriptor limit the flood waits in the listen queue, the checks keep their
 * descriptors, and every waiting client is served once others close.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseHaproxyConfig } from '../../src/config/index.ts';
import { startEchoBackend } from '../helpers/echo-backend.ts';
import { startEdge } from '../helpers/edge-balancer.ts';
import { holdConnection, type HeldConnection } from '../helpers/held-connection.ts';
import { freePort, waitForPort } from '../helpers/ports.ts';
import { waitFor } from '../helpers/wait.ts';

const BIN = new URL('../../adapters/node/bin.mjs', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'edge-balancer-maxconn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FLOOD = 120;
/** Long enough for fall 3 at inter 200 ms to mark a server DOWN several times over. */
const FLOOD_HOLD_MS = 1500;

/** Starts the CLI under `ulimit -n <limit>`; its stderr is collected. */
async function startUnderUlimit(limit: number, config: string, port: number): Promise<{ child: ChildProcess; stderr: () => string; stop(): Promise<void> }> {
  const file = join(dir, `limit-${port}.cfg`);
  writeFileSync(file, config);
  // One process: the limits are a process's (with worker processes maxconn is not enforced, README "Every core").
  const child = spawn('bash', ['-c', `ulimit -n ${limit} && exec "$0" "$@"`, process.execPath, BIN, '-f', file, '--threads', '1'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = once(child, 'exit');
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    await waitForPort(port, () => child.exitCode !== null);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }
  return { child, stderr: () => stderr, stop };
}

describe('connection limits under a small descriptor limit (Node adapter, CLI)', () => {
  it(`ulimit -n 100, ${FLOOD} idle clients: no server goes DOWN, and every client is served once others close`, async () => {
    const s1 = await startEchoBackend('s1');
    const s2 = await startEchoBackend('s2');
    const port = await freePort();
    const config = `
defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 5s
listen app
    bind 127.0.0.1:${port}
    server s1 127.0.0.1:${s1.port} check inter 200ms
    server s2 127.0.0.1:${s2.port} check inter 200ms
`;
    const balancer = await startUnderUlimit(100, config, port);
    const clients: HeldConnection[] = [];
    try {
      // Every connect completes: the accepted ones and the ones the kernel queues.
      for (let i = 0; i < FLOOD; i++) clients.push(await holdConnection(port));
      await waitFor(() => balancer.stderr().includes('reached the configured maximum connection limit'), 'the limit reached (logged once)');
      await new Promise((resolve) => setTimeout(resolve, FLOOD_HOLD_MS));
      expect(balancer.stderr()).not.toMatch(/is DOWN/);
      expect(balancer.stderr().match(/reached the configured maximum connection limit/g)).toHaveLength(1);

      // Each client asks once and closes after its answer, freeing a slot for one that waits.
      const statuses = await Promise.all(
        clients.map(async (client) => {
          const status = await client.request('/', 'Connection: close\r\n');
          await client.close();
          return status;
        }),
      );
      expect(statuses).toEqual(Array(FLOOD).fill(200));
      expect(clients.filter((c) => c.endedBy !== undefined && c.endedBy !== 'end')).toEqual([]);
      expect(balancer.stderr()).not.toMatch(/is DOWN|EMFILE/);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await balancer.stop();
      await s1.close();
      await s2.close();
    }
  });
});

describe('connection limits in process', () => {
  const section = (bind: string, maxconn: number, server: number) =>
    `defaults\n    mode http\n    timeout connect 1s\n    timeout client 30s\n    timeout server 5s\nlisten app\n    bind ${bind}\n    maxconn ${maxconn}\n    server s1 127.0.0.1:${server}\n`;

  it('a reload that raises the frontend maxconn lets the waiting client in at once; IPv6 and host-name binds pause too', async () => {
    const s1 = await startEchoBackend('s1');
    const [v4, v6, named] = [await freePort(), await freePort(), await freePort()];
    const text = (maxconn: number) => section(`127.0.0.1:${v4},[::1]:${v6},localhost:${named}`, maxconn, s1.port);
    const edge = await startEdge(text(1));
    const held: HeldConnection[] = [];
    try {
      held.push(await holdConnection(v4));
      expect(await held[0]!.request()).toBe(200);
      // The frontend is full: its three listeners pause, whatever their address.
      const waiting = [await holdConnection(v4), await holdConnection(v6, '::1'), await holdConnection(named, 'localhost')];
      held.push(...waiting);
      let early = 0;
      const answers = waiting.map((c) => c.request().finally(() => early++));
      await held[0]!.request();
      expect(early).toBe(0);
      expect(edge.messages).toContain('Proxy app reached its maxconn (1). New connections wait in the listen queue until one closes (logged once).');
      await edge.reload(parseHaproxyConfig([{ file: 'reload.cfg', text: text(5) }], { env: {} }).config, 0);
      expect(await Promise.all(answers)).toEqual([200, 200, 200]);
    } finally {
      await Promise.all(held.map((c) => c.close()));
      await edge.close(0);
      await s1.close();
    }
  });
});
