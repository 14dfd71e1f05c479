/** The load generator: wrk (Debian's package), HTTP/1.1 keep-alive, its latency percentiles parsed. */
import { spawn, spawnSync } from 'node:child_process';
import { pinned } from './cpu.ts';

export interface LoadResult {
  readonly requestsPerSecond: number;
  /** ms */
  readonly p50: number;
  readonly p99: number;
  /** Non-2xx/3xx responses and socket errors: a contender that fails requests is not fast. */
  readonly errors: number;
}

export function requireWrk(): void {
  if (spawnSync('wrk', ['--version']).error) {
    throw new Error('the benchmark needs wrk: apt-get install -y wrk');
  }
}

export async function runWrk(url: string, options: { seconds: number; connections: number; headers?: readonly string[] }): Promise<LoadResult> {
  const args = ['wrk', '-t1', `-c${options.connections}`, `-d${options.seconds}s`, '--latency'];
  for (const header of options.headers ?? []) args.push('-H', header);
  args.push(url);
  const child = spawn(...pinned('load', args), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`wrk failed (${code}): ${out}`);
  return parseWrk(out);
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function latency(out: string, percentile: string): number {
  const m = new RegExp(`^\\s*${percentile}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(out);
  return m ? Number(m[1]) * UNIT_MS[m[2]!]! : Number.NaN;
}

export function parseWrk(out: string): LoadResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  return {
    requestsPerSecond: rps ? Number(rps[1]) : 0,
    p50: latency(out, '50'),
    p99: latency(out, '99'),
    errors: non2xx + socketErrors,
  };
}
