/**
 * A/B of edge-balancer builds on the Node adapter, for development:
 *   node --import tsx bench/ab.ts /path/to/checkout-a /path/to/checkout-b …
 * A checkout written `deno:/path` runs that checkout's Deno adapter instead
 * (Deno against Node, or two Deno builds). Every checkout runs the same configuration in front of the same nginx
 * backends, pinned to core 0 as in `npm run bench`; rounds are interleaved
 * (A, B, A, B, …) so the machine's drift hits every build alike. Prints each
 * round and, per build, the median and the half range. AB_ROUNDS (default 7),
 * AB_SECONDS (default 3), AB_PATH (default /small), AB_STICKY=1 for the
 * cookie scenario, AB_TLS=1 for HTTPS/1.1 keep-alive (`bind … ssl crt`, a
 * P-256 certificate made for the run), AB_NODE_ARGS for node flags of the
 * proxies (AB_DENO_ARGS for deno's, e.g. `--v8-flags=--prof`), AB_ENTRY for
 * the entry point (default adapters/node/bin.mjs, the sources through tsx;
 * dist/adapters/node/main.js for the compiled command after `npm run build`
 * in each checkout). A build written `script:bench/contenders/node-bare.mjs` (or
 * `script:bench/contenders/deno-bare.mjs`, run by deno) is that contender script,
 * given PORT and BACKENDS; words after the file name are its arguments
 * (`'script:bench/contenders/deno-bare.mjs serve'`: Deno.serve alone).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { denoExecutable } from '../test/helpers/deno.ts';
import { freePorts, waitForPort } from '../test/helpers/ports.ts';
import { startNginxBackends, stop } from './backends.ts';
import { balancerConfig } from './contenders/index.ts';
import { pinned } from './cpu.ts';
import { requireWrk, runWrk } from './load.ts';
import { measureCpu } from './other-cpu.ts';
import { median } from './report.ts';

const ROUNDS = Number(process.env.AB_ROUNDS ?? 7);
const SECONDS = Number(process.env.AB_SECONDS ?? 3);
const PATH = process.env.AB_PATH ?? '/small';
const STICKY = process.env.AB_STICKY === '1';
const TLS = process.env.AB_TLS === '1';
/** Extra node flags for the proxies, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`. */
const NODE_ARGS = (process.env.AB_NODE_ARGS ?? '').split(' ').filter(Boolean);
const DENO_ARGS = (process.env.AB_DENO_ARGS ?? '').split(' ').filter(Boolean);
const ENTRY = process.env.AB_ENTRY ?? 'adapters/node/bin.mjs';

const roots = process.argv
  .slice(2)
  .map((arg) => (arg.startsWith('script:') ? arg : arg.startsWith('deno:') ? `deno:${resolve(arg.slice(5))}` : resolve(arg)));
if (roots.length === 0) throw new Error('usage: bench/ab.ts <checkout> [<checkout> …]');
requireWrk();

const dir = mkdtempSync(join(tmpdir(), 'edge-ab-'));
/** With AB_TLS: the certificate and key in one PEM, as `crt` reads it. */
function makePem(): string {
  const [key, cert, pem] = ['ab.key', 'ab.crt', 'ab.pem'].map((name) => join(dir, name)) as [string, string, string];
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=ab.test'], { stdio: 'ignore' });
  writeFileSync(pem, readFileSync(cert, 'utf8') + readFileSync(key, 'utf8'));
  return pem;
}
const pem = TLS ? makePem() : undefined;
const backends = await startNginxBackends(await freePorts(2));
/** One build's proxy on core 0, run from its own checkout. */
async function launch(build: string, configFile: string, port: number): Promise<{ pid: number; close: () => Promise<void> }> {
  if (build.startsWith('script:')) return launchScript(build.slice(7).split(' '), port);
  const deno = build.startsWith('deno:');
  const argv = deno
    ? [denoExecutable(), 'run', ...DENO_ARGS, '--allow-net', '--allow-read', '--allow-env', 'adapters/deno/cli.ts', '-f', configFile, '--log-format', 'none']
    : [process.execPath, ...NODE_ARGS, ENTRY, '-f', configFile, '--log-format', 'none', '--grace', '0'];
  const child = spawn(...pinned('proxy', argv), { cwd: deno ? build.slice(5) : build, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    await waitForPort(port, () => child.exitCode !== null);
  } catch (error) {
    await stop(child);
    throw error;
  }
  return { pid: child.pid!, close: () => stop(child) };
}

/** A contender script (node-bare, deno-bare) on core 0. */
async function launchScript([file = '', ...args]: string[], port: number): Promise<{ pid: number; close: () => Promise<void> }> {
  const path = resolve(file);
  const argv = [...(path.includes('deno') ? [denoExecutable(), 'run', '--allow-net', '--allow-env', path] : [process.execPath, path]), ...args];
  const env = { ...process.env, PORT: String(port), BACKENDS: backends.ports.join(',') };
  const child = spawn(...pinned('proxy', argv), { env, stdio: ['ignore', 'ignore', 'inherit'] });
  await waitForPort(port, () => child.exitCode !== null);
  return { pid: child.pid!, close: () => stop(child) };
}

const builds: { root: string; port: number; pid: number; close: () => Promise<void>; rps: number[]; cpuPerRequest: number[] }[] = [];
try {
  for (const root of roots) {
    const [port] = await freePorts(1);
    const file = join(dir, `edge-${port}.cfg`);
    // One process in every checkout: `nbthread 1` (older checkouts ignore it; `--threads` they would refuse).
    const config = balancerConfig(port!, { backendPorts: backends.ports, sticky: STICKY }, 'global\n    nbthread 1\n');
    writeFileSync(file, pem ? config.replace(`bind 127.0.0.1:${port}`, `bind 127.0.0.1:${port} ssl crt ${pem}`) : config);
    builds.push({ root, port: port!, ...(await launch(root, file, port!)), rps: [], cpuPerRequest: [] });
  }
  const headers = STICKY ? ['Cookie: SERVERNAME=s1'] : [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const build of builds) {
      const url = `${TLS ? 'https' : 'http'}://127.0.0.1:${build.port}${PATH}`;
      await runWrk(url, { seconds: 1, connections: 64, headers }); // warm-up
      const measured = measureCpu(build.pid);
      const result = await runWrk(url, { seconds: SECONDS, connections: 64, headers });
      const cpu = measured();
      if (result.errors) process.stderr.write(`${build.root}: ${result.errors} errors\n`);
      build.rps.push(result.requestsPerSecond);
      // CPU time per request (µs): what a busy machine distorts least (the proxy waits, it does not spend).
      build.cpuPerRequest.push((cpu.proxy / 100) * 1e6 / result.requestsPerSecond);
      process.stderr.write(
        `round ${round + 1} · ${build.root}: ${Math.round(result.requestsPerSecond)} req/s (proxy ${cpu.proxy.toFixed(0)} %, ${build.cpuPerRequest.at(-1)!.toFixed(0)} µs CPU per request, other processes ${cpu.others.toFixed(0)} % of a core)\n`,
      );
    }
  }
  const first = builds[0]!.rps;
  const firstCpu = builds[0]!.cpuPerRequest;
  for (const { root, rps, cpuPerRequest } of builds) {
    const spread = (Math.max(...rps) - Math.min(...rps)) / 2;
    // Each round's ratio to the first build, measured seconds apart: less noisy than the medians.
    const ratios = rps.map((r, i) => r / first[i]!);
    process.stdout.write(
      `${root}: ${Math.round(median(rps))} ± ${Math.round(spread)} req/s (${rps.map(Math.round).join(', ')}); ` +
        `× first: median ${median(ratios).toFixed(3)}, range ${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)}; ` +
        `CPU per request ${Math.round(median(cpuPerRequest))} µs (${cpuPerRequest.map(Math.round).join(', ')}), ` +
        `× first: median ${median(cpuPerRequest.map((c, i) => c / firstCpu[i]!)).toFixed(3)}\n`,
    );
  }
} finally {
  await Promise.all(builds.map(({ close }) => close()));
  await backends.close();
  rmSync(dir, { recursive: true, force: true });
}
