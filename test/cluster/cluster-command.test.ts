/**
 * The harness the cluster tests steer connections with (cluster-command.ts):
 * `workers()` must be the primary's worker processes and nothing else. When
 * tsx has to compile a source (a cold cache: the first run after any change),
 * the primary also has esbuild's service as a child. Counted as a worker, it
 * came first in /proc, `only(esbuild)` stopped both workers, and every request
 * made meanwhile waited forever: the intermittent 30 s hangs of
 * coordination.test.ts, then of every later test of the file.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEchoBackend } from '../helpers/echo-backend.ts';
import { send } from '../helpers/http-client.ts';
import { freePort } from '../helpers/ports.ts';
import { waitFor } from '../helpers/wait.ts';
import { childrenOf, startClusterCommand } from './cluster-command.ts';

const commandName = (pid: number) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim();

describe('the cluster test harness', () => {
  it('counts the workers alone, not tsx\'s esbuild service, and steers connections to each', async () => {
    const s1 = await startEchoBackend('s1');
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'edge-cluster-cold-'));
    const file = join(dir, 'cluster.cfg');
    writeFileSync(
      file,
      `defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
listen app
    bind 127.0.0.1:${port}
    option httpclose
    server s1 127.0.0.1:${s1.port}
`,
    );
    // A TMPDIR of its own: tsx's cache is empty, so the primary compiles and starts esbuild.
    const edge = await startClusterCommand(file, 2, [], { TMPDIR: dir }).catch(async (error: Error) => {
      await s1.close();
      throw error;
    });
    try {
      const children = childrenOf(edge.primary.pid!);
      expect(children.map(commandName), 'the case this test is about: the primary has a child that is not a worker').toContain('esbuild');
      const workers = edge.workers();
      expect(workers).toHaveLength(2);
      expect(workers.map(commandName)).toEqual(['node', 'node']);
      for (const pid of workers) {
        const before = edge.served().length;
        const response = await edge.only(pid, () => send(port, '/'));
        expect(response.status).toBe(200);
        await waitFor(() => edge.served().length > before, 'the access line');
        expect(edge.served()[before]!.pid).toBe(pid);
      }
      await expect(edge.only(children.find((pid) => commandName(pid) === 'esbuild')!, () => send(port, '/'))).rejects.toThrow(/is not a worker/);
    } finally {
      await edge.kill();
      await s1.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
