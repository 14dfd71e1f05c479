/**
 * How much CPU processes outside the benchmark used while it measured: on a
 * shared machine that is what makes a run unfit to compare (the issue asks
 * for a rerun when it is not about 0). Read from /proc: every process's
 * user + system time, minus this process and its descendants (the proxies,
 * the nginx backends, wrk). Processes that start and end between two samples
 * are missed, so this is a lower bound. Also the proxy's own share: a proxy
 * pinned to one core that used well under 100 % was waiting for the load
 * side, and the figure measures that side. Linux only; elsewhere NaN.
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

/** `root` and every process below it. */
function tree(processes: ReadonlyMap<number, ProcessTimes>, root: number): Set<number> {
  const own = new Set([root]);
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

export interface CpuShares {
  /** Processes outside the benchmark, % of one core (100 = one core busy the whole time). */
  readonly others: number;
  /** The proxy and its children (workers), % of one core: well under 100 on one core means it was not the bottleneck. */
  readonly proxy: number;
}

/** Starts counting; the function returned gives the CPU shares since then. */
export function measureCpu(proxyPid: number): () => CpuShares {
  const before = snapshot();
  const start = performance.now();
  return () => {
    const after = snapshot();
    if (!before || !after) return { others: Number.NaN, proxy: Number.NaN };
    const own = tree(after, process.pid);
    const proxy = tree(after, proxyPid);
    let others = 0;
    let proxyTicks = 0;
    for (const [pid, { ticks: now }] of after) {
      const used = now - (before.get(pid)?.ticks ?? 0);
      if (proxy.has(pid)) proxyTicks += used;
      else if (!own.has(pid)) others += used;
    }
    const share = (ticks: number) => (ticks / TICKS_PER_SECOND / ((performance.now() - start) / 1000)) * 100;
    return { others: share(others), proxy: share(proxyTicks) };
  };
}
