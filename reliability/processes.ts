/** The processes of a reliability run: backends, and the proxy under test (edge-balancer or haproxy). */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { denoExecutable } from '../test/helpers/deno.ts';
import { waitForPort } from '../test/helpers/ports.ts';

const ROOT = new URL('../', import.meta.url).pathname;

export interface Process {
  readonly child: ChildProcess;
  /** Everything it wrote (stderr and stdout: logs, access log), with the ms timestamp each chunk arrived at. */
  readonly log: { at: number; text: string }[];
  stop(): Promise<void>;
}

/** `detached` children lead their own process group, so stop() can kill the group. */
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
      // The whole process group: haproxy -W's workers go with their master.
      process.kill(-child.pid!, 'SIGCONT');
      process.kill(-child.pid!, 'SIGKILL');
      await exited;
    },
  };
}

export async function startBackend(name: string, port: number): Promise<Process> {
  const child = spawn(process.execPath, [join(ROOT, 'reliability/backend.mjs')], {
    env: { ...process.env, NAME: name, PORT: String(port) },
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await waitForPort(port, () => child.exitCode !== null);
  return track(child);
}

/** edge-balancer on Node (the `edge-balancer` command), on Deno, or the haproxy it is compared with. */
export type ProxyKind = 'edge-balancer' | 'edge-balancer (Deno)' | 'haproxy';

export interface ProxyProcess extends Process {
  /** The configuration file it runs, rewritten by reload scenarios. */
  readonly configFile: string;
}

function proxyCommand(kind: ProxyKind, file: string, masterWorker: boolean): string[] {
  if (kind === 'haproxy') return masterWorker ? ['haproxy', '-W', '-db', '-f', file] : ['haproxy', '-db', '-f', file];
  const flags = ['-f', file, '--grace', '5000'];
  // One process, as haproxy runs here (`-W` is its master-worker mode, not threads).
  if (kind === 'edge-balancer') return [process.execPath, join(ROOT, 'adapters/node/bin.mjs'), ...flags, '--threads', '1'];
  // The binary itself, not node_modules/.bin/deno: that may be a wrapper that does not forward signals.
  return [denoExecutable(), 'run', '--allow-net', '--allow-read', join(ROOT, 'adapters/deno/cli.ts'), ...flags];
}

/**
 * Starts the proxy on `configText`; the files live in a temporary directory
 * removed at stop. `masterWorker` runs haproxy as `-W` (a master that reloads
 * its worker on SIGUSR2), the way it is reloaded in production.
 */
export async function startProxy(kind: ProxyKind, configText: string, port: number, options: { masterWorker?: boolean } = {}): Promise<ProxyProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'edge-reliability-'));
  const file = join(dir, 'lb.cfg');
  writeFileSync(file, configText);
  const argv = proxyCommand(kind, file, options.masterWorker ?? false);
  // The access log is kept too, so a run can show what was (not) logged.
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
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
    configFile: file,
    async stop() {
      await proxy.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The signal that asks `kind` to reload its configuration file (haproxy: to
 * the -W master) or to stop gracefully, finishing what is in flight.
 * The Deno command has no reload.
 */
export function signalFor(kind: ProxyKind, action: 'reload' | 'graceful-stop'): NodeJS.Signals {
  if (kind === 'haproxy') return action === 'reload' ? 'SIGUSR2' : 'SIGUSR1';
  if (action === 'reload' && kind !== 'edge-balancer') throw new Error(`${kind} does not reload on a signal`);
  return action === 'reload' ? 'SIGHUP' : 'SIGTERM';
}

/** When the proxy logged `backend/server is DOWN` (ms since epoch), if it did. */
export function downAt(proxy: Process, server: string): number | undefined {
  return proxy.log.find((l) => l.text.includes(`${server} is DOWN`))?.at;
}

/**
 * Resolves true once `text` has occurred `count` times in what `processes`
 * logged after their first `from[i]` chunks, false if not within `limitMs`.
 */
export async function waitForLog(
  processes: readonly Process[],
  text: string,
  { count = 1, limitMs = 5000, from = processes.map(() => 0) }: { count?: number; limitMs?: number; from?: readonly number[] } = {},
): Promise<boolean> {
  const seen = () => processes.reduce((n, p, i) => n + p.log.slice(from[i]).reduce((m, l) => m + l.text.split(text).length - 1, 0), 0);
  if (seen() >= count) return true;
  return new Promise((resolve) => {
    const streams = processes.flatMap((p) => [p.child.stdout, p.child.stderr]).filter((s) => s !== null);
    const done = (found: boolean) => {
      clearTimeout(deadline);
      for (const s of streams) s.off('data', check);
      resolve(found);
    };
    // Runs after track()'s listener, so the chunk is already in the log.
    const check = () => seen() >= count && done(true);
    const deadline = setTimeout(() => done(false), limitMs);
    for (const s of streams) s.on('data', check);
  });
}
