/**
 * The deno executable that npm installed. `node_modules/.bin/deno` may be a
 * Node wrapper (when install scripts did not run) that does not forward
 * signals, so tests and benchmarks run the binary itself; the deno package's
 * own installer API finds it (in its optional platform package).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitForPort } from './ports.ts';

const require = createRequire(import.meta.url);

export function denoExecutable(): string {
  return (require('deno/install_api.cjs') as { runInstall(): string }).runInstall();
}

export interface DenoBalancer {
  readonly process: ChildProcess;
  close(): Promise<void>;
}

/**
 * Runs the Deno CLI (`--allow-net --allow-read`, as the README documents) on
 * `configText` and resolves once `port` accepts connections.
 */
export async function startDenoBalancer(configText: string, port: number): Promise<DenoBalancer> {
  const root = new URL('../../', import.meta.url).pathname;
  const dir = mkdtempSync(join(tmpdir(), 'edge-balancer-deno-'));
  const file = join(dir, 'lb.cfg');
  writeFileSync(file, configText);
  const cli = ['run', '--allow-net', '--allow-read', join(root, 'adapters/deno/cli.ts'), '-f', file, '--log-format', 'none'];
  const child = spawn(denoExecutable(), cli, { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, () => child.exitCode !== null, 1200);
  } catch (error) {
    await close();
    throw error;
  }
  return { process: child, close };
}
