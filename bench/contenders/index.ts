/**
 * Every proxy in the benchmark, each started on core 0 in front of the same
 * backends. edge-balancer and haproxy read the very same configuration text.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitForPort } from '../../test/helpers/ports.ts';
import { stop } from '../backends.ts';
import { denoExecutable } from '../../test/helpers/deno.ts';
import { pinned } from '../cpu.ts';

export interface Scenario {
  readonly backendPorts: readonly number[];
  /** `cookie SERVERNAME insert indirect nocache`, clients pinned by their cookie. */
  readonly sticky: boolean;
}

export interface RunningContender {
  readonly pid: number;
  close(): Promise<void>;
}

export interface Contender {
  readonly name: string;
  /** Has cookie persistence (others are left out of the sticky scenario). */
  readonly sticky: boolean;
  /** Why it cannot run here, if it cannot. */
  unavailable(): string | undefined;
  start(port: number, scenario: Scenario, dir: string): Promise<RunningContender>;
}

const ROOT = new URL('../../', import.meta.url).pathname;

/** The HAProxy-syntax configuration both haproxy and edge-balancer run. */
export function balancerConfig(port: number, scenario: Scenario, global = ''): string {
  const servers = scenario.backendPorts
    .map((p, i) => `    server s${i + 1} 127.0.0.1:${p}${scenario.sticky ? ` cookie s${i + 1}` : ''}`)
    .join('\n');
  return `${global}defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
listen bench
    bind 127.0.0.1:${port}
    balance roundrobin
${scenario.sticky ? '    cookie SERVERNAME insert indirect nocache\n' : ''}${servers}
`;
}

export interface LaunchOptions {
  readonly env?: Record<string, string>;
  /** Run on every core instead of core 0 (the worker-process contenders). */
  readonly unpinned?: boolean;
  /** Started once its stderr says so (every worker listening), not at the first accepted connection. */
  readonly ready?: (stderr: string) => boolean;
}

export async function launch(argv: readonly string[], port: number, options: LaunchOptions = {}): Promise<RunningContender> {
  const { env = {}, unpinned = false, ready } = options;
  const child: ChildProcess = spawn(...(unpinned ? ([argv[0]!, argv.slice(1)] as [string, string[]]) : pinned('proxy', argv)), {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    await waitForPort(port, () => child.exitCode !== null);
    for (let i = 0; ready && !ready(stderr); i++) {
      if (i >= 600 || child.exitCode !== null) throw new Error('not every worker listened within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (error) {
    await stop(child);
    throw new Error(`${argv.join(' ')} did not start: ${(error as Error).message}\n${stderr}`);
  }
  return { pid: child.pid!, close: () => stop(child) };
}

function commandExists(command: string): boolean {
  return process.env.PATH!.split(':').some((dir) => existsSync(join(dir, command)));
}

const nodeScript = (name: string, script: string): Contender => ({
  name,
  sticky: false,
  unavailable: () => undefined,
  start: (port, scenario) =>
    launch([process.execPath, join('bench/contenders', script)], port, {
      env: { PORT: String(port), BACKENDS: scenario.backendPorts.join(',') },
    }),
});

/**
 * The compiled command users install (`npm run bench` builds it first), not
 * the sources through tsx. `--threads 1` on core 0, as every other proxy;
 * the worker-process contenders run on every core (wrk and nginx share
 * them: bench/NOTES.md, "Every core").
 */
const edgeBalancer = (name: string, threads: number, unpinned: boolean): Contender => ({
  name,
  sticky: true,
  unavailable: () => undefined,
  start(port, scenario, dir) {
    const file = join(dir, `edge-${threads}-${port}.cfg`);
    writeFileSync(file, balancerConfig(port, scenario));
    const argv = [process.execPath, 'dist/adapters/node/main.js', '-f', file, '--log-format', 'none', '--grace', '0', '--threads', String(threads)];
    return launch(argv, port, { unpinned, ...(threads > 1 ? { ready: (stderr) => stderr.includes(`(${threads} workers)`) } : {}) });
  },
});

/** The two contenders whose ratio is the scaling over workers (bench/report.ts). */
export const ONE_WORKER = 'edge-balancer (Node, 1 process, every core)';
export const TWO_WORKERS = 'edge-balancer (Node, --threads 2, every core)';

export const CONTENDERS: readonly Contender[] = [
  edgeBalancer('edge-balancer (Node)', 1, false),
  ...(process.env.BENCH_WORKERS === '0' ? [] : [edgeBalancer(ONE_WORKER, 1, true), edgeBalancer(TWO_WORKERS, 2, true)]),
  {
    name: 'edge-balancer (Deno)',
    sticky: true,
    unavailable: () =>
      existsSync(join(ROOT, 'adapters/deno/cli.ts')) && existsSync(join(ROOT, 'node_modules/deno/package.json'))
        ? undefined
        : 'the Deno adapter or the deno package is missing',
    start(port, scenario, dir) {
      const file = join(dir, `deno-${port}.cfg`);
      writeFileSync(file, balancerConfig(port, scenario));
      return launch([denoExecutable(), 'run', '--allow-net', '--allow-read', '--allow-env', 'adapters/deno/cli.ts', '-f', file, '--log-format', 'none'], port);
    },
  },
  {
    name: 'haproxy (nbthread 1)',
    sticky: true,
    unavailable: () => (commandExists('haproxy') ? undefined : 'apt-get install -y haproxy'),
    start(port, scenario, dir) {
      const file = join(dir, `haproxy-${port}.cfg`);
      writeFileSync(file, balancerConfig(port, scenario, 'global\n    nbthread 1\n    maxconn 4096\n'));
      return launch(['haproxy', '-db', '-f', file], port);
    },
  },
  {
    name: 'nginx (1 worker)',
    sticky: false,
    unavailable: () => (commandExists('nginx') ? undefined : 'apt-get install -y nginx'),
    start(port, scenario, dir) {
      const file = join(dir, `nginx-${port}.conf`);
      const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${dir};`).join(' ');
      writeFileSync(
        file,
        `worker_processes 1; daemon off; error_log ${dir}/nginx-${port}.log; pid ${dir}/nginx-${port}.pid;
events { worker_connections 8192; }
http {
  access_log off; ${temp}
  upstream app { ${scenario.backendPorts.map((p) => `server 127.0.0.1:${p};`).join(' ')} keepalive 64; }
  server { listen 127.0.0.1:${port}; location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; } }
}
`,
      );
      return launch(['nginx', '-c', file], port);
    },
  },
  nodeScript('@fastify/reply-from', 'fastify-reply-from.mjs'),
  nodeScript('http-proxy', 'http-proxy.mjs'),
  nodeScript('hono/proxy (naive)', 'hono-proxy.mjs'),
];
