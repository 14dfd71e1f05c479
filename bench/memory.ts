/** Resident memory of a proxy: the process and its direct children (nginx's worker), in MiB. */
import { readFileSync, readdirSync } from 'node:fs';

function rssKiB(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

function children(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The parent pid is the second field after the parenthesised command name.
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) found.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/** The process and its direct children, KiB. */
export function totalRssKiB(pid: number): number {
  return [pid, ...children(pid)].reduce((sum, p) => sum + rssKiB(p), 0);
}

export function rssMiB(pid: number): number {
  return Math.round(totalRssKiB(pid) / 1024);
}
