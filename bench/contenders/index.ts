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
  /** Ten typical rules in front of the servers (`TYPICAL_RULES`), none of which changes where the measured path goes. */
  readonly rules?: boolean;
}

export interface RunningContender {
  readonly pid: number;
  close(): Promise<void>;
}

export interface Contender {
  readonly name: string;
  /** Has cookie persistence (others are left out of the sticky scenario). */
  readonly sticky: boolean;
  /** Runs the HAProxy-syntax configuration, rules included (others are left out of the rules scenario). */
  readonly rules?: boolean;
  /** Why it cannot run here, if it cannot. */
  unavailable(): string | undefined;
  start(port: number, scenario: Scenario, dir: string): Promise<RunningContender>;
}

const ROOT = new URL('../../', import.meta.url).pathname;

/**
 * Ten rules a site typically has, evaluated on every request of the
 * benchmark without changing where it goes or what it gets: the deny, the
 * redirect and the two use_backend ACLs do not match `/small` or `/4k` on
 * plain HTTP, the header edits apply.
 */
const TYPICAL_RULES = `    acl is_api path_beg /api/
    acl is_admin hdr(host) -i admin.example.com
    http-request deny if { path_beg /.git }
    http-request redirect scheme https code 301 if { path_beg /login } !{ ssl_fc }
    http-request del-header Proxy
    http-request set-header X-Forwarded-Proto https if { ssl_fc }
    http-request set-header X-Forwarded-Proto http unless { ssl_fc }
    http-request add-header X-Forwarded-Host %[req.hdr(host)]
    use_backend api if is_api
    use_backend admin if is_admin
    http-response set-header X-Content-Type-Options nosniff
    http-response set-header X-Frame-Options DENY
`;

/** The HAProxy-syntax configuration both haproxy and edge-balancer run. */
export function balancerConfig(port: number, scenario: Scenario, global = ''): string {
  const servers = scenario.backendPorts
    .map((p, i) => `    server s${i + 1} 127.0.0.1:${p}${scenario.sticky ? ` cookie s${i + 1}` : ''}`)
    .join('\n');
  const defaults = `${global}defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
`;
  if (scenario.rules) {
    const [first, second = first] = scenario.backendPorts;
    return `${defaults}frontend bench
    bind 127.0.0.1:${port}
${TYPICAL_RULES}    default_backend app
backend app
    balance roundrobin
${scenario.sticky ? '    cookie SERVERNAME insert indirect nocache\n' : ''}${servers}
backend api
    server api1 127.0.0.1:${first}
backend admin
    server admin1 127.0.0.1:${second}
`;
  }
  return `${defaults}listen bench
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
 * edge-balancer on Node: the compiled command users install (`npm run bench`
 * builds it first), not the sources through tsx. `--threads 1` on core 0, as
 * every other proxy; the worker-process contenders run on every core (wrk and
 * nginx share them: bench/NOTES.md, "Every core") and only in the plain
 * scenarios.
 */
function edgeBalancerOnNode(name: string, configured: (scenario: Scenario) => Scenario, threads = 1, unpinned = false): Contender {
  const variants = threads === 1 && !unpinned;
  return {
    name,
    sticky: variants,
    rules: variants,
    unavailable: () => undefined,
    start(port, scenario, dir) {
      const file = join(dir, `edge-${threads}-${port}.cfg`);
      writeFileSync(file, balancerConfig(port, configured(scenario)));
      const argv = [process.execPath, 'dist/adapters/node/main.js', '-f', file, '--log-format', 'none', '--grace', '0', '--threads', String(threads)];
      return launch(argv, port, { unpinned, ...(threads > 1 ? { ready: (stderr) => stderr.includes(`(${threads} workers)`) } : {}) });
    },
  };
}

/**
 * edge-balancer on Node as in the first scenario (2 servers, round-robin, no
 * rules), run in the sticky, 200-server and rules scenarios beside the
 * variant, rounds interleaved, so each goal's ratio compares measurements
 * seconds apart.
 */
export const REFERENCE: Contender = edgeBalancerOnNode('edge-balancer (Node), reference: 2 servers, round-robin, no rules', (scenario) => ({
  backendPorts: scenario.backendPorts.slice(0, 2),
  sticky: false,
}));

function haproxy(name: string, configured: (scenario: Scenario) => Scenario): Contender {
  return {
    name,
    sticky: true,
    rules: true,
    unavailable: () => (commandExists('haproxy') ? undefined : 'apt-get install -y haproxy'),
    start(port, scenario, dir) {
      const file = join(dir, `haproxy-${port}.cfg`);
      writeFileSync(file, balancerConfig(port, configured(scenario), 'global\n    nbthread 1\n    maxconn 4096\n'));
      return launch(['haproxy', '-db', '-f', file], port);
    },
  };
}

/**
 * haproxy as REFERENCE is edge-balancer: 2 servers, round-robin, no rules.
 * Measured beside haproxy in the same scenarios, it says what the same
 * variant costs haproxy on this machine (bench/goals.ts, COMPARISONS).
 */
export const HAPROXY_REFERENCE: Contender = haproxy('haproxy (nbthread 1), reference: 2 servers, round-robin, no rules', (scenario) => ({
  backendPorts: scenario.backendPorts.slice(0, 2),
  sticky: false,
}));

/** The two contenders whose ratio is the scaling over workers (bench/report.ts). */
export const ONE_WORKER = 'edge-balancer (Node, 1 process, every core)';
export const TWO_WORKERS = 'edge-balancer (Node, --threads 2, every core)';

export const CONTENDERS: readonly Contender[] = [
  edgeBalancerOnNode('edge-balancer (Node)', (scenario) => scenario),
  {
    name: 'edge-balancer (Deno)',
    sticky: true,
    rules: true,
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
  ...(process.env.BENCH_WORKERS === '0'
    ? []
    : [edgeBalancerOnNode(ONE_WORKER, (scenario) => scenario, 1, true), edgeBalancerOnNode(TWO_WORKERS, (scenario) => scenario, 2, true)]),
  haproxy('haproxy (nbthread 1)', (scenario) => scenario),
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
  nodeScript('node-bare', 'node-bare.mjs'),
  {
    // Deno's ceiling, as node-bare is Node's: Deno.serve + kept Deno.connect connections, nothing else.
    name: 'deno-bare',
    sticky: false,
    unavailable: () => (existsSync(join(ROOT, 'node_modules/deno/package.json')) ? undefined : 'the deno package is missing'),
    start: (port, scenario) =>
      launch([denoExecutable(), 'run', '--allow-net', '--allow-env', join('bench/contenders', 'deno-bare.mjs')], port, {
        env: { PORT: String(port), BACKENDS: scenario.backendPorts.join(',') },
      }),
  },
  nodeScript('@fastify/reply-from', 'fastify-reply-from.mjs'),
  nodeScript('http-proxy', 'http-proxy.mjs'),
  nodeScript('hono/proxy (naive)', 'hono-proxy.mjs'),
];
