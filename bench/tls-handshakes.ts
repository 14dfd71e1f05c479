/**
 * New TLS handshakes per second, for development (issue 14's goal: ≥ 0.8×
 * haproxy). haproxy and one or more edge-balancer checkouts run bench/tls.ts's
 * configuration (ECDSA P-256, `alpn h2,http/1.1`, 2 nginx servers) pinned to
 * core 0; wrk -c16 sends `Connection: close` requests, so each one is a new
 * TLS connection (wrk resumes a session on about every other one, as a
 * browser would; both proxies see the same client). Rounds are interleaved
 * (haproxy, A, B, …) and each reports handshakes/s and the proxy's CPU time
 * per handshake (/proc utime + stime of every thread, divided by requests):
 * the second is the steadier figure on a shared machine.
 *   node --import tsx bench/tls-handshakes.ts [checkout …]   (default: this one)
 * TLSH_ROUNDS (7), TLSH_SECONDS (3), TLSH_ENTRY (adapters/node/bin.mjs),
 * TLSH_NODE_ARGS (extra node flags, e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePorts, waitForPort } from '../test/helpers/ports.ts';
import { startNginxBackends, stop } from './backends.ts';
import { pinned } from './cpu.ts';
import { parseWrk, requireWrk } from './load.ts';
import { median } from './report.ts';
import { balancer, makePem } from './tls.ts';

const ROUNDS = Number(process.env.TLSH_ROUNDS ?? 7);
const SECONDS = Number(process.env.TLSH_SECONDS ?? 3);
const ENTRY = process.env.TLSH_ENTRY ?? 'adapters/node/bin.mjs';
const NODE_ARGS = (process.env.TLSH_NODE_ARGS ?? '').split(' ').filter(Boolean);
/** Linux's USER_HZ, the unit of /proc/<pid>/stat times. */
const TICKS_PER_SECOND = 100;

const checkouts = process.argv.slice(2).map((arg) => resolve(arg));
if (checkouts.length === 0) checkouts.push(process.cwd());
requireWrk();

interface Proxy {
  readonly name: string;
  readonly port: number;
  readonly pid: number;
  readonly close: () => Promise<void>;
  readonly rates: number[];
  readonly cpuPerHandshake: number[];
}

async function start(name: string, argv: readonly string[], cwd: string, port: number): Promise<Proxy> {
  const child = spawn(...pinned('proxy', argv), { cwd, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    await waitForPort(port, () => child.exitCode !== null);
  } catch (error) {
    await stop(child);
    throw error;
  }
  return { name, port, pid: child.pid!, close: () => stop(child), rates: [], cpuPerHandshake: [] };
}

/** utime + stime of every thread of `pid`, in ticks. */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** wrk's completed requests and rate; `close` sends `Connection: close` (one handshake each). */
async function wrk(port: number, seconds: number, close: boolean): Promise<{ requests: number; rate: number; errors: number }> {
  const args = ['wrk', '-t1', '-c16', `-d${seconds}s`, ...(close ? ['-H', 'Connection: close'] : []), `https://127.0.0.1:${port}/small`];
  const child = spawn(...pinned('load', args), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  if (code !== 0) throw new Error(`wrk failed (${code}): ${out}`);
  const { requestsPerSecond, errors } = parseWrk(out);
  return { requests: Number(/(\d+) requests in/.exec(out)?.[1] ?? 0), rate: requestsPerSecond, errors };
}

const dir = mkdtempSync(join(tmpdir(), 'edge-tlsh-'));
const pem = makePem(dir);
const backends = await startNginxBackends(await freePorts(2));
const proxies: Proxy[] = [];
try {
  const ports = await freePorts(1 + checkouts.length);
  const haproxyFile = join(dir, 'haproxy.cfg');
  writeFileSync(haproxyFile, balancer(ports[0]!, backends.ports, pem, 'global\n    nbthread 1\n    maxconn 4096\n'));
  proxies.push(await start('haproxy', ['haproxy', '-db', '-f', haproxyFile], dir, ports[0]!));
  for (const [i, checkout] of checkouts.entries()) {
    const port = ports[i + 1]!;
    const file = join(dir, `edge-${port}.cfg`);
    writeFileSync(file, balancer(port, backends.ports, pem));
    const argv = [process.execPath, ...NODE_ARGS, ENTRY, '-f', file, '--log-format', 'none', '--grace', '0'];
    proxies.push(await start(checkout, argv, checkout, port));
  }
  // Warm-up: the JIT settles on both paths (keep-alive, then new connections).
  for (const proxy of proxies) {
    await wrk(proxy.port, 2, false);
    await wrk(proxy.port, 3, true);
  }
  for (let round = 1; round <= ROUNDS; round++) {
    for (const proxy of proxies) {
      const before = cpuTicks(proxy.pid);
      const { requests, rate, errors } = await wrk(proxy.port, SECONDS, true);
      const cpu = ((cpuTicks(proxy.pid) - before) / TICKS_PER_SECOND / Math.max(requests, 1)) * 1e6;
      proxy.rates.push(rate);
      proxy.cpuPerHandshake.push(cpu);
      process.stderr.write(`round ${round} · ${proxy.name}: ${Math.round(rate)} handshakes/s, ${Math.round(cpu)} µs CPU each${errors ? `, ${errors} errors` : ''}\n`);
    }
  }
  const base = proxies[0]!;
  for (const proxy of proxies) {
    // Each round's ratio to haproxy's, measured seconds apart: less noisy than the medians.
    const rateRatios = proxy.rates.map((r, i) => r / base.rates[i]!);
    const cpuRatios = proxy.cpuPerHandshake.map((c, i) => base.cpuPerHandshake[i]! / c);
    const range = (xs: number[]) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;
    process.stdout.write(
      `${proxy.name}: ${Math.round(median(proxy.rates))} handshakes/s (× haproxy ${median(rateRatios).toFixed(2)}, ${range(rateRatios)}); ` +
        `${Math.round(median(proxy.cpuPerHandshake))} µs CPU per handshake (haproxy's / this ${median(cpuRatios).toFixed(2)}, ${range(cpuRatios)})\n`,
    );
  }
} finally {
  await Promise.all(proxies.map(({ close }) => close()));
  await backends.close();
  rmSync(dir, { recursive: true, force: true });
}
