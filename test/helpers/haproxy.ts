/**
 * Runs the real haproxy (the behaviour oracle) in the foreground on a config
 * text, and stops it. CI installs it (`apt-get install -y haproxy`); when it is
 * missing the test fails and says so.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitForPort } from './ports.ts';

export interface RunningHaproxy {
  readonly process: ChildProcess;
  /** What haproxy printed (stderr), for health-transition messages. */
  output(): string;
  close(): Promise<void>;
}

/**
 * haproxy processes still running. A test that times out never reaches its
 * `close()`, so they are also killed when the test process exits.
 */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export function requireHaproxy(): void {
  const probe = spawnSync('haproxy', ['-v']);
  if (probe.error || probe.status !== 0) {
    throw new Error('haproxy is not installed: run `apt-get install -y haproxy` (.ci/run does) — the differential tests need the real one');
  }
}

/**
 * Starts haproxy on `configText` (with `env` for its `${VAR}` interpolation) and
 * resolves once every port in `ports` accepts connections.
 */
export async function startHaproxy(
  configText: string,
  ports: readonly number[],
  env: Record<string, string> = {},
): Promise<RunningHaproxy> {
  requireHaproxy();
  const dir = mkdtempSync(join(tmpdir(), 'edge-balancer-haproxy-'));
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, configText);
  const child = spawn('haproxy', ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  running.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => running.delete(child));
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const port of ports) await waitForPort(port, () => child.exitCode !== null);
  } catch (error) {
    await close();
    throw new Error(`haproxy did not start: ${(error as Error).message}\n${output}`);
  }
  return { process: child, output: () => output, close };
}
