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
  /** The primary's live children (the workers), read from /proc. */
  workers(): number[];
  /**
   * Runs `fn` while every other worker is stopped (SIGSTOP), so that each
   * connection made meanwhile is accepted by `pid`: the workers accept on a
   * shared socket and the kernel, not the test, would pick one otherwise.
   */
  only<T>(pid: number, fn: () => Promise<T>): Promise<T>;
  /** SIGTERM, then SIGKILL to the primary and every worker left, bounded: every process ends. */
  kill(): Promise<void>;
}

const ACCESS = /^edge-balancer\[(\d+)\]: \S+ \[[^\]]+\] \S+ \S+\/(\S+) \S+ (\d+) /;

export async function startClusterCommand(file: string, threads: number, extra: readonly string[] = []): Promise<ClusterCommand> {
  const primary = spawn(process.execPath, [BIN, '-f', file, '--threads', String(threads), ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  primary.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  primary.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  // tsx's esbuild service is a child of the primary too while its cache is cold: not a worker.
  const workers = () => childrenOf(primary.pid!).filter((pid) => commandOf(pid) === process.execPath);
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
      const others = workers().filter((other) => other !== pid);
      for (const other of others) process.kill(other, 'SIGSTOP');
      try {
        // A signal is delivered when the process next runs: wait until the kernel says stopped (`T`).
        await waitFor(() => others.every((other) => processState(other) === 'T'), 'the other workers stopped', 5000, 5);
        return await fn();
      } finally {
        for (const other of others) process.kill(other, 'SIGCONT');
      }
    },
    async kill() {
      const left = workers();
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

/** The executable a process was started with (argv[0] in /proc/PID/cmdline); '' once it ended. */
function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0]!;
  } catch {
    return '';
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
