/**
 * How much CPU processes outside the benchmark used while it measured: on a
 * shared machine that is what makes a run unfit to compare (the issue asks
 * for a rerun when it is not about 0). Read from /proc: every process's
 * user + system time, minus this process and its descendants (the proxies,
 * the nginx backends, wrk). Processes that start and end between two samples
 * are missed, so this is a lower bound. Linux only; elsewhere it reports
 * nothing (NaN).
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Linux's USER_HZ, the unit of /proc/<pid>/stat times (`getconf CLK_TCK`). */
const TICKS_PER_SECOND = 100;

interface ProcessTimes {
  readonly parent: number;
  /** utime + stime, ticks */
  readonly ticks: number;
}

function snapshot(): Map<number, ProcessTimes> | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  const processes = new Map<number, ProcessTimes>();
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    } catch {
      continue; // ended meanwhile
    }
    // The command name, in parentheses, may hold spaces: the fields follow the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    processes.set(Number(pid), { parent: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
  }
  return processes;
}

/** This process and every process below it. */
function ownTree(processes: ReadonlyMap<number, ProcessTimes>): Set<number> {
  const own = new Set([process.pid]);
  for (let grown = true; grown; ) {
    grown = false;
    for (const [pid, { parent }] of processes) {
      if (!own.has(pid) && own.has(parent)) {
        own.add(pid);
        grown = true;
      }
    }
  }
  return own;
}

/**
 * Starts counting; the function returned gives the other processes' CPU
 * since then, in % of one core (100 = one core busy the whole time).
 */
export function measureOtherProcessesCpu(): () => number {
  const before = snapshot();
  const start = performance.now();
  return () => {
    const after = snapshot();
    if (!before || !after) return Number.NaN;
    const own = ownTree(after);
    let ticks = 0;
    for (const [pid, { ticks: now }] of after) {
      if (own.has(pid)) continue;
      ticks += now - (before.get(pid)?.ticks ?? 0);
    }
    const seconds = (performance.now() - start) / 1000;
    return (ticks / TICKS_PER_SECOND / seconds) * 100;
  };
}
