/**
 * The `edge-balancer` command with `--threads N`, as a user runs it: a
 * primary and N worker processes on loopback. Its access lines say which
 * worker served each request (`edge-balancer[PID]: …`, HAProxy's syslog
 * tag), which is how these tests attribute requests to workers without
 * anything added on the wire; `only` steers connections to one worker.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { WORKER_ENV } from '../../adapters/node/cluster-messages.ts';
import { waitFor } from '../helpers/wait.ts';

const BIN = new URL('../../adapters/node/bin.mjs', import.meta.url).pathname;

/** One access line: the worker's pid, the server that answered, the status. */
export interface Served {
  readonly pid: number;
  readonly server: string;
  readonly status: number;
}

export interface ClusterCommand {
  readonly primary: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Access lines so far, in the order they were written. */
  served(): Served[];
  /** The primary's live worker processes, read from /proc (its other children left out: see isWorker). */
  workers(): number[];
  /**
   * Runs `fn` while every other worker is stopped (SIGSTOP), so that each
   * connection made meanwhile is accepted by `pid`: the workers accept on a
   * shared socket and the kernel, not the test, would pick one otherwise.
   */
  only<T>(pid: number, fn: () => Promise<T>): Promise<T>;
  /**
   * SIGCONT to every worker `only` stopped. An `fn` that never settles (a
   * request nobody answers) keeps them stopped past its test's timeout: called
   * after each test, that failure stays its test's own instead of hanging every
   * later test of the same primary.
   */
  resumeStopped(): void;
  /** SIGTERM, then SIGKILL to the primary and every child left, bounded: every process ends. */
  kill(): Promise<void>;
}

const ACCESS = /^edge-balancer\[(\d+)\]: \S+ \[[^\]]+\] \S+ \S+\/(\S+) \S+ (\d+) /;

/** `env` is added to the test's environment (TMPDIR: where tsx keeps its compiled sources). */
export async function startClusterCommand(
  file: string,
  threads: number,
  extra: readonly string[] = [],
  env: Readonly<Record<string, string>> = {},
): Promise<ClusterCommand> {
  const primary = spawn(process.execPath, [BIN, '-f', file, '--threads', String(threads), ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  let err = '';
  primary.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  primary.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const workers = () => childrenOf(primary.pid!).filter(isWorker);
  /** Stopped by `only` and not continued yet. */
  const stopped = new Set<number>();
  const resume = (pid: number) => {
    stopped.delete(pid);
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // exited meanwhile: nothing to continue
    }
  };
  const command: ClusterCommand = {
    primary,
    stdout: () => out,
    stderr: () => err,
    served: () =>
      out.split('\n').flatMap((line) => {
        const m = ACCESS.exec(line);
        return m ? [{ pid: Number(m[1]), server: m[2]!, status: Number(m[3]) }] : [];
      }),
    workers,
    async only(pid, fn) {
      const all = workers();
      // Stopping every process but a non-worker would leave no worker to accept.
      if (!all.includes(pid)) throw new Error(`${pid} is not a worker of ${primary.pid} (its workers: ${all.join(', ')})`);
      const others = all.filter((other) => other !== pid);
      try {
        for (const other of others) {
          stopped.add(other);
          process.kill(other, 'SIGSTOP');
        }
        // A signal is delivered when the process next runs: wait until the kernel says stopped (`T`).
        await waitFor(() => others.every((other) => processState(other) === 'T'), 'the other workers stopped', 5000, 5);
        return await fn();
      } finally {
        // Each one, even when another has exited meanwhile.
        for (const other of others) resume(other);
      }
    },
    resumeStopped() {
      for (const pid of stopped) resume(pid);
    },
    async kill() {
      // The workers and any other child (tsx's esbuild service, see isWorker).
      const left = childrenOf(primary.pid!);
      if (primary.exitCode === null && primary.signalCode === null) {
        const exited = once(primary, 'exit');
        primary.kill('SIGTERM');
        const timer = setTimeout(() => primary.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      for (const pid of left) {
        try {
          process.kill(pid, 'SIGCONT');
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone, as it should be
        }
      }
    },
  };
  try {
    // Printed once every worker listens (cluster-primary.ts).
    await waitFor(() => /listening on .*\(\d+ workers\)/.test(err) || primary.exitCode !== null, 'every worker listening', 60_000);
    if (primary.exitCode !== null) throw new Error(`edge-balancer exited ${primary.exitCode}:\n${err}`);
  } catch (error) {
    await command.kill();
    throw error;
  }
  return command;
}

/** Pids whose parent is `pid` (Linux /proc), the workers of a primary. */
export function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 4 (ppid) comes after the command name in parentheses, which may hold spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // the process ended while being read
    }
  }
  return children;
}

/**
 * Whether `pid` is a worker process: cluster-primary.ts forks each with
 * WORKER_ENV set. The primary has another child whenever tsx had to compile a
 * source (a cold cache, as after any change): esbuild's service
 * (`esbuild --service`). Taken for a worker, `only(esbuild)` stopped both
 * workers and every request made meanwhile waited forever.
 */
function isWorker(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').some((entry) => entry.startsWith(`${WORKER_ENV}=`));
  } catch {
    return false; // it ended while being read
  }
}

/** The state letter of /proc/PID/stat: R, S, T (stopped), Z, … */
function processState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]!;
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The servers each worker chose, in order, by worker pid. */
export function sequencesByWorker(served: readonly Served[]): Map<number, string[]> {
  const byWorker = new Map<number, string[]>();
  for (const { pid, server } of served) byWorker.set(pid, [...(byWorker.get(pid) ?? []), server]);
  return byWorker;
}
