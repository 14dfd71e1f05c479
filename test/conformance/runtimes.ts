/**
 * The runtimes a conformance scenario runs on, behind one small interface:
 * edge-balancer on Node (the adapter, in process), on Deno (the real `deno`
 * binary), on Workers (the Worker in workerd, through miniflare), and the
 * real haproxy as the reference.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigFiles } from '../../adapters/command/load-config.ts';
import { denoExecutable } from '../helpers/deno.ts';
import { startEdge } from '../helpers/edge-balancer.ts';
import { startHaproxy } from '../helpers/haproxy.ts';
import { send } from '../helpers/http-client.ts';
import { waitForPort } from '../helpers/ports.ts';
import { startWorker } from '../workers/start-worker.ts';
import type { RuntimeName } from './scenario.ts';

export interface Running {
  close(): Promise<void>;
}

export interface RuntimeUnderTest {
  readonly name: RuntimeName;
  /** Serves `config` (`${VAR}` from `env`) and resolves once every listener in `ports` accepts connections. */
  start(config: string, env: Record<string, string>, ports: readonly number[]): Promise<Running>;
  /** What the runtime says when it refuses `config` (its `-c`), or undefined when it accepts it. */
  refusal(config: string): Promise<string | undefined>;
}

const ROOT = new URL('../../', import.meta.url).pathname;
const DENO = denoExecutable();
/** The permissions the README documents: `--allow-env` because the scenarios interpolate `${PORT}`… */
const DENO_CLI = ['run', '--allow-net', '--allow-read', '--allow-env', join(ROOT, 'adapters/deno/cli.ts')];

async function withConfigFile<T>(config: string, use: (file: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'edge-conformance-'));
  const file = join(dir, 'lb.cfg');
  writeFileSync(file, config);
  try {
    return await use(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const node: RuntimeUnderTest = {
  name: 'Node',
  async start(config, env) {
    const edge = await startEdge(config, env);
    return { close: () => edge.close(0) };
  },
  // What `edge-balancer -c -f file` runs.
  refusal: (config) =>
    withConfigFile(config, async (file) => {
      try {
        loadConfigFiles([file], {});
        return undefined;
      } catch (error) {
        return (error as Error).message;
      }
    }),
};

export const deno: RuntimeUnderTest = {
  name: 'Deno',
  async start(config, env, ports) {
    const dir = mkdtempSync(join(tmpdir(), 'edge-conformance-'));
    const file = join(dir, 'lb.cfg');
    writeFileSync(file, config);
    const child = spawn(DENO, [...DENO_CLI, '-f', file, '--log-format', 'none'], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let output = '';
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const exited = once(child, 'exit');
    const close = async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    };
    try {
      for (const port of ports) await waitForPort(port, () => child.exitCode !== null, 1200);
    } catch (error) {
      await close();
      throw new Error(`deno did not start: ${(error as Error).message}\n${output}`);
    }
    return { close };
  },
  refusal: (config) =>
    withConfigFile(config, async (file) => {
      const r = spawnSync(DENO, [...DENO_CLI, '-c', '-f', file], { cwd: ROOT, encoding: 'utf8' });
      return r.status === 0 ? undefined : r.stderr;
    }),
};

export const haproxy: RuntimeUnderTest = {
  name: 'haproxy',
  async start(config, env, ports) {
    const running = await startHaproxy(config, ports, env);
    return { close: running.close };
  },
  refusal: (config) =>
    withConfigFile(config, async (file) => {
      const r = spawnSync('haproxy', ['-c', '-f', file], { encoding: 'utf8' });
      return r.status === 0 ? undefined : r.stdout + r.stderr;
    }),
};

/** The Worker in workerd with the health Durable Object; a Worker serves its configuration's first frontend. */
export const workers: RuntimeUnderTest = {
  name: 'Workers',
  async start(config, env, ports) {
    const worker = await startWorker(config, env, { port: ports[0] });
    return { close: () => worker.close() };
  },
  // A Worker parses its configuration at the first request: a broken one
  // answers 500 and logs the errors.
  async refusal(config) {
    const worker = await startWorker(config, {});
    try {
      const { status } = await send(worker.port, '/');
      return status === 500 ? worker.logs().join('\n') : undefined;
    } finally {
      await worker.close();
    }
  },
};

export const RUNTIMES: readonly RuntimeUnderTest[] = [node, deno, workers, haproxy];
