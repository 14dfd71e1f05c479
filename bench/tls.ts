/**
 * HTTPS through edge-balancer (Node), haproxy and nginx, each terminating TLS
 * with the same certificate (made with `openssl` for the run) in front of the
 * same nginx backends: HTTPS/1.1 keep-alive (wrk), HTTP/2 keep-alive (h2load,
 * when nghttp2-client is installed), and new TLS handshakes per second (wrk
 * with `Connection: close`: one full handshake per request). Run by
 * `npm run bench` unless BENCH_TLS=0; bounded like the rest (BENCH_SECONDS).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePorts } from '../test/helpers/ports.ts';
import { startNginxBackends } from './backends.ts';
import { launch, type RunningContender } from './contenders/index.ts';
import { pinned } from './cpu.ts';
import { runWrk } from './load.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);

interface TlsContender {
  readonly name: string;
  start(port: number, backends: readonly number[], pem: string, dir: string): Promise<RunningContender>;
}

export const balancer = (port: number, backends: readonly number[], pem: string, global = '') => `${global}defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
listen bench
    bind 127.0.0.1:${port} ssl crt ${pem} alpn h2,http/1.1
    balance roundrobin
${backends.map((p, i) => `    server s${i + 1} 127.0.0.1:${p}`).join('\n')}
`;

const CONTENDERS: readonly TlsContender[] = [
  {
    name: 'edge-balancer (Node)',
    start(port, backends, pem, dir) {
      const file = join(dir, `edge-tls-${port}.cfg`);
      writeFileSync(file, balancer(port, backends, pem));
      return launch([process.execPath, 'dist/adapters/node/main.js', '-f', file, '--log-format', 'none', '--grace', '0'], port);
    },
  },
  {
    name: 'haproxy (nbthread 1)',
    start(port, backends, pem, dir) {
      const file = join(dir, `haproxy-tls-${port}.cfg`);
      writeFileSync(file, balancer(port, backends, pem, 'global\n    nbthread 1\n    maxconn 4096\n'));
      return launch(['haproxy', '-db', '-f', file], port);
    },
  },
  {
    name: 'nginx (1 worker)',
    start(port, backends, pem, dir) {
      const file = join(dir, `nginx-tls-${port}.conf`);
      const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${dir};`).join(' ');
      writeFileSync(
        file,
        `worker_processes 1; daemon off; error_log ${dir}/nginx-tls-${port}.log; pid ${dir}/nginx-tls-${port}.pid;
events { worker_connections 8192; }
http {
  access_log off; ${temp}
  upstream app { ${backends.map((p) => `server 127.0.0.1:${p};`).join(' ')} keepalive 64; }
  server { listen 127.0.0.1:${port} ssl http2; ssl_certificate ${pem}; ssl_certificate_key ${pem};
    location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; } }
}
`,
      );
      return launch(['nginx', '-c', file], port);
    },
  },
];

export interface TlsMeasurement {
  readonly contender: string;
  readonly http1: number;
  readonly http2?: number;
  readonly handshakes: number;
}

/** A self-signed P-256 certificate and its key in one PEM, as haproxy and nginx both read it. */
export function makePem(dir: string): string {
  const key = join(dir, 'bench.key');
  const cert = join(dir, 'bench.crt');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=bench.test'], { stdio: 'ignore' });
  const pem = join(dir, 'bench.pem');
  writeFileSync(pem, readFileSync(cert, 'utf8') + readFileSync(key, 'utf8'));
  return pem;
}

/** h2load's requests per second, or undefined when it is not installed. */
async function runH2load(url: string): Promise<number | undefined> {
  if (spawnSync('h2load', ['--version']).error) return undefined;
  const child = spawn(...pinned('load', ['h2load', '-c', '16', '-m', '10', '-D', String(SECONDS), url]), { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise((resolve) => child.once('exit', resolve));
  const m = /finished in [^,]+, ([\d.]+) req\/s/.exec(out);
  return m ? Number(m[1]) : undefined;
}

export async function runTlsBench(dir: string): Promise<TlsMeasurement[]> {
  const pem = makePem(dir);
  const backends = await startNginxBackends(await freePorts(2));
  const results: TlsMeasurement[] = [];
  try {
    for (const contender of CONTENDERS) {
      const [port] = (await freePorts(1)) as [number];
      const proxy = await contender.start(port, backends.ports, pem, dir);
      try {
        const url = `https://127.0.0.1:${port}/small`;
        await runWrk(url, { seconds: 1, connections: 64 }); // warm-up
        const http1 = (await runWrk(url, { seconds: SECONDS, connections: 64 })).requestsPerSecond;
        const http2 = await runH2load(url);
        const handshakes = (await runWrk(url, { seconds: SECONDS, connections: 16, headers: ['Connection: close'] })).requestsPerSecond;
        results.push({ contender: contender.name, http1, ...(http2 !== undefined ? { http2 } : {}), handshakes });
        process.stderr.write(`TLS · ${contender.name}: ${Math.round(http1)} req/s h1, ${http2 === undefined ? '–' : Math.round(http2)} h2, ${Math.round(handshakes)} handshakes/s\n`);
      } finally {
        await proxy.close();
      }
    }
  } finally {
    await backends.close();
  }
  return results;
}

export function renderTlsResults(results: readonly TlsMeasurement[]): string {
  const haproxy = results.find((r) => r.contender.startsWith('haproxy'));
  const ratio = (value: number | undefined, base: number | undefined) => (value === undefined || !base ? '' : ` (${(value / base).toFixed(2)}×)`);
  const rows = results.map(
    (r) =>
      `| ${r.contender} | ${Math.round(r.http1)}${ratio(r.http1, haproxy?.http1)} | ${r.http2 === undefined ? '– (no h2load)' : `${Math.round(r.http2)}${ratio(r.http2, haproxy?.http2)}`} | ${Math.round(r.handshakes)}${ratio(r.handshakes, haproxy?.handshakes)} |`,
  );
  return [
    '## HTTPS (TLS terminated by the proxy)',
    '',
    `100 B responses, 2 servers; ECDSA P-256 certificate; HTTPS/1.1 keep-alive: wrk -c64; HTTP/2: h2load -c16 -m10; handshakes: wrk -c16 with \`Connection: close\`; ${SECONDS} s each. Ratios against haproxy.`,
    '',
    '| Proxy | HTTPS/1.1 keep-alive req/s | HTTP/2 req/s | new handshakes/s |',
    '|---|---:|---:|---:|',
    ...rows,
    '',
  ].join('\n');
}
