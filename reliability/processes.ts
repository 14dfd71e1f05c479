/** The processes of a reliability run: backends, and the proxy under test (edge-balancer or haproxy). */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitForPort } from '../test/helpers/ports.ts';

const ROOT = new URL('../', import.meta.url).pathname;

export interface Process {
  readonly child: ChildProcess;
  /** Everything it wrote (stderr and stdout: logs, access log), with the ms timestamp each chunk arrived at. */
  readonly log: { at: number; text: string }[];
  stop(): Promise<void>;
}

function track(child: ChildProcess): Process {
  const log: { at: number; text: string }[] = [];
  child.stderr?.on('data', (d: Buffer) => log.push({ at: Date.now(), text: d.toString() }));
  child.stdout?.on('data', (d: Buffer) => log.push({ at: Date.now(), text: d.toString() }));
  return {
    child,
    log,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      await exited;
    },
  };
}

export async function startBackend(name: string, port: number): Promise<Process> {
  const child = spawn(process.execPath, [join(ROOT, 'reliability/backend.mjs')], {
    env: { ...process.env, NAME: name, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await waitForPort(port, () => child.exitCode !== null);
  return track(child);
}

export type ProxyKind = 'edge-balancer' | 'haproxy';

/** Starts the proxy on `configText`; the files live in a temporary directory removed at stop. */
export async function startProxy(kind: ProxyKind, configText: string, port: number): Promise<Process> {
  const dir = mkdtempSync(join(tmpdir(), 'edge-reliability-'));
  const file = join(dir, 'lb.cfg');
  writeFileSync(file, configText);
  const argv =
    kind === 'haproxy'
      ? ['haproxy', '-db', '-f', file]
      : [process.execPath, join(ROOT, 'adapters/node/bin.mjs'), '-f', file, '--grace', '1000'];
  // The access log is kept too, so a run can show what was (not) logged.
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  const proxy = track(child);
  try {
    await waitForPort(port, () => child.exitCode !== null);
  } catch (error) {
    await proxy.stop();
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${kind} did not start: ${(error as Error).message}\n${proxy.log.map((l) => l.text).join('')}`);
  }
  return {
    ...proxy,
    async stop() {
      await proxy.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** When the proxy logged `backend/server is DOWN` (ms since epoch), if it did. */
export function downAt(proxy: Process, server: string): number | undefined {
  return proxy.log.find((l) => l.text.includes(`${server} is DOWN`))?.at;
}
