/**
 * Resident memory of the compiled command (`dist/adapters/node/main.js`, what
 * the package installs) over a run: idle, then wrk -c64 on 100 B, sampled
 * from /proc/PID/status every 50 ms. For development:
 *   npm run build && node --import tsx bench/rss.ts [checkout …]
 * Prints per round: idle VmRSS (after RSS_IDLE_SECONDS, default 3), the peak
 * (VmHWM), the steady RSS under load (median of the load's second half),
 * req/s and the proxy's CPU time per request (user + system, from
 * /proc/PID/stat: on a shared machine steadier than req/s). Checkouts are interleaved round by round as in bench/ab.ts.
 * RSS_ROUNDS (default 3), RSS_SECONDS (default 10), RSS_NODE_ARGS for node
 * flags of the proxies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePorts, waitForPort } from '../test/helpers/ports.ts';
import { startNginxBackends, stop } from './backends.ts';
import { balancerConfig } from './contenders/index.ts';
import { pinned } from './cpu.ts';
import { requireWrk, runWrk } from './load.ts';
import { median } from './report.ts';

const ROUNDS = Number(process.env.RSS_ROUNDS ?? 3);
const SECONDS = Number(process.env.RSS_SECONDS ?? 10);
const IDLE_SECONDS = Number(process.env.RSS_IDLE_SECONDS ?? 3);
const NODE_ARGS = (process.env.RSS_NODE_ARGS ?? '').split(' ').filter(Boolean);

/** VmRSS and VmHWM of a process, MB (10^6 bytes, as /usr/bin/time and the README use). */
function memory(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kB = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { rss: (kB('VmRSS') * 1024) / 1e6, hwm: (kB('VmHWM') * 1024) / 1e6 };
}

/** User + system CPU time of a process, seconds (clock ticks are 1/100 s on Linux). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function oneRun(root: string, configFile: string, port: number): Promise<string> {
  const argv = [process.execPath, ...NODE_ARGS, 'dist/adapters/node/main.js', '-f', configFile, '--log-format', 'none', '--grace', '0'];
  const child: ChildProcess = spawn(...pinned('proxy', argv), { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    await waitForPort(port, () => child.exitCode !== null);
    // taskset execs node, so the pid is node's.
    const pid = child.pid!;
    await sleep(IDLE_SECONDS * 1000);
    const idle = memory(pid).rss;
    const samples: number[] = [];
    const sampler = setInterval(() => samples.push(memory(pid).rss), 50);
    const cpuBefore = cpuSeconds(pid);
    let load;
    try {
      load = await runWrk(`http://127.0.0.1:${port}/small`, { seconds: SECONDS, connections: 64 });
    } finally {
      clearInterval(sampler);
    }
    const cpuPerRequest = (cpuSeconds(pid) - cpuBefore) / (load.requestsPerSecond * SECONDS);
    const { hwm } = memory(pid);
    const steady = median(samples.slice(Math.floor(samples.length / 2)));
    const errors = load.errors ? `, ${load.errors} errors` : '';
    return `idle ${idle.toFixed(0)} MB, peak ${hwm.toFixed(0)} MB, steady ${steady.toFixed(0)} MB, ${Math.round(load.requestsPerSecond)} req/s, ${(cpuPerRequest * 1e6).toFixed(0)} µs CPU/req${errors}`;
  } finally {
    await stop(child);
  }
}

const roots = process.argv.length > 2 ? process.argv.slice(2).map((root) => resolve(root)) : [process.cwd()];
requireWrk();
const dir = mkdtempSync(join(tmpdir(), 'edge-rss-'));
const backends = await startNginxBackends(await freePorts(2));
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const root of roots) {
      const [port] = await freePorts(1);
      const file = join(dir, `edge-${port}.cfg`);
      // One process, as `npm run bench` measures it: `nbthread 1` (older checkouts ignore it; `--threads` they would refuse).
      writeFileSync(file, balancerConfig(port!, { backendPorts: backends.ports, sticky: false }, 'global\n    nbthread 1\n'));
      process.stdout.write(`round ${round + 1} · ${root}: ${await oneRun(root, file, port!)}\n`);
    }
  }
} finally {
  await backends.close();
  rmSync(dir, { recursive: true, force: true });
}
