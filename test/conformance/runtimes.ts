/**
 * The runtimes a conformance scenario runs on, behind one small interface:
 * edge-balancer on Node (in-process adapter), on Deno (the real `deno`
 * binary), and the real haproxy as the reference.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEdge } from '../helpers/edge-balancer.ts';
import { startHaproxy } from '../helpers/haproxy.ts';
import { denoExecutable } from '../helpers/deno.ts';
import { waitForPort } from '../helpers/ports.ts';
import { startWorker } from '../workers/start-worker.ts';

export interface Running {
  close(): Promise<void>;
}

export interface RuntimeUnderTest {
  readonly name: 'Node' | 'Deno' | 'Workers' | 'haproxy';
  /** Serves `config` (`${VAR}` from `env`) with every listener in `ports` open. */
  start(config: string, env: Record<string, string>, ports: readonly number[]): Promise<Running>;
  /** True when the runtime refuses `config` as invalid (its `-c`). */
  rejects(config: string): Promise<boolean>;
}

const ROOT = new URL('../../', import.meta.url).pathname;
const DENO = denoExecutable();
const DENO_CLI = ['run', '--allow-net', '--allow-read', '--allow-env', join(ROOT, 'adapters/deno/cli.ts')];

function withConfigFile<T>(config: string, use: (file: string, cleanup: () => void) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'edge-conformance-'));
  const file = join(dir, 'lb.cfg');
  writeFileSync(file, config);
  return use(file, () => rmSync(dir, { recursive: true, force: true }));
}

export const node: RuntimeUnderTest = {
  name: 'Node',
  async start(config, env) {
    const edge = await startEdge(config, env);
    return { close: () => edge.close(0) };
  },
  async rejects(config) {
    try {
      await (await startEdge(config)).close(0);
      return false;
    } catch {
      return true;
    }
  },
};

export const deno: RuntimeUnderTest = {
  name: 'Deno',
  start(config, env, ports) {
    return withConfigFile(config, async (file, cleanup) => {
      const child = spawn(DENO, [...DENO_CLI, '-f', file, '--log-format', 'none'], {
        cwd: ROOT,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      const close = async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGKILL');
          await once(child, 'exit');
        }
        cleanup();
      };
      try {
        for (const port of ports) await waitForPort(port, () => child.exitCode !== null, 1200);
      } catch (error) {
        await close();
        throw error;
      }
      return { close };
    });
  },
  async rejects(config) {
    return withConfigFile(config, (file, cleanup) => {
      const r = spawnSync(DENO, [...DENO_CLI, '-c', '-f', file], { cwd: ROOT });
      cleanup();
      return r.status === 1;
    });
  },
};

export const haproxy: RuntimeUnderTest = {
  name: 'haproxy',
  async start(config, env, ports) {
    const running = await startHaproxy(config, ports, env);
    return { close: running.close };
  },
  async rejects(config) {
    return withConfigFile(config, (file, cleanup) => {
      const r = spawnSync('haproxy', ['-c', '-f', file]);
      cleanup();
      return r.status !== 0;
    });
  },
};

/** The Worker in workerd (miniflare), with the health Durable Object; it serves the first frontend. */
export const workers: RuntimeUnderTest = {
  name: 'Workers',
  async start(config, env, ports) {
    const worker = await startWorker(config, env, { port: ports[0] });
    return { close: () => worker.close() };
  },
  async rejects(config) {
    try {
      const worker = await startWorker(config, {});
      // The configuration is parsed at the first request: a broken one answers 500.
      const { send } = await import('../helpers/http-client.ts');
      const status = (await send(worker.port, '/')).status;
      await worker.close();
      return status === 500;
    } catch {
      return true;
    }
  },
};

export const RUNTIMES: readonly RuntimeUnderTest[] = [node, deno, workers, haproxy];
