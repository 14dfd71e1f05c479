/**
 * How many file descriptors this process may open (RLIMIT_NOFILE) and how many
 * it has open, as far as Node can tell without native code. Node raises its
 * soft limit to the hard one at start-up, so the soft limit read here is the
 * one that counts (HAProxy likewise takes the larger of the two).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface DescriptorUse {
  /** The process's limit; undefined when unknown or unlimited (Windows has none of this kind). */
  readonly limit: number | undefined;
  /** Descriptors open now (stdio, the event loop's own, log files…). */
  readonly open: number;
}

/** Descriptors a bare Node process holds, for platforms where they cannot be counted. */
const TYPICAL_OPEN = 32;

export function readDescriptorUse(): DescriptorUse {
  return { limit: readLimit(), open: countOpen() ?? TYPICAL_OPEN };
}

function readLimit(): number | undefined {
  try {
    // Linux: "Max open files            1024                 4096                 files"
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
    return soft !== undefined && /^\d+$/.test(soft) ? Number(soft) : undefined;
  } catch {
    // Other POSIX systems (macOS, BSDs): a shell started from here inherits the limit.
    if (process.platform === 'win32') return undefined;
    const shell = spawnSync('/bin/sh', ['-c', 'ulimit -n'], { encoding: 'utf8', timeout: 2000 });
    const value = shell.stdout?.trim();
    return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
  }
}

function countOpen(): number | undefined {
  for (const dir of ['/proc/self/fd', '/dev/fd']) {
    try {
      // The listing itself holds one descriptor while it runs.
      return readdirSync(dir).length - 1;
    } catch {
      // try the next one
    }
  }
  return undefined;
}
