/**
 * The WebSocket scenario of `npm run bench` (issue 13): CLIENTS concurrent
 * WebSockets through each proxy to two `ws` echo servers, proxy on core 0,
 * clients and servers on the other core. Measured:
 * - RSS per idle tunnel: the proxy's RSS with every WebSocket open and idle,
 *   minus its RSS before they opened, divided by their number;
 * - messages/s: each client sends a 32-byte message and the next one when
 *   its echo is back, for WS_SECONDS, all clients at once.
 * The clients and echo servers share one core, so a fast proxy may be
 * limited by them: the figures compare proxies on the same load.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { freePorts, waitForPort } from '../test/helpers/ports.ts';
import { stop } from './backends.ts';
import { balancerConfig, launch, type RunningContender } from './contenders/index.ts';
import { LOAD_CORES, pinned } from './cpu.ts';
import { totalRssKiB } from './memory.ts';

const CLIENTS = Number(process.env.WS_CLIENTS ?? 1000);
const SECONDS = Number(process.env.WS_SECONDS ?? 5);
const MESSAGE = Buffer.alloc(32, 'm');

interface WsContender {
  readonly name: string;
  available(): boolean;
  start(port: number, backends: readonly number[], dir: string): Promise<RunningContender>;
}

const commandExists = (command: string) => process.env.PATH!.split(':').some((d) => existsSync(join(d, command)));

const CONTENDERS: readonly WsContender[] = [
  {
    name: 'edge-balancer (Node)',
    available: () => true,
    start(port, backends, dir) {
      const file = join(dir, `ws-edge-${port}.cfg`);
      writeFileSync(file, balancerConfig(port, { backendPorts: backends, sticky: false }));
      return launch([process.execPath, 'adapters/node/bin.mjs', '-f', file, '--log-format', 'none', '--grace', '0', '--threads', '1'], port);
    },
  },
  {
    name: 'haproxy (nbthread 1)',
    available: () => commandExists('haproxy'),
    start(port, backends, dir) {
      const file = join(dir, `ws-haproxy-${port}.cfg`);
      writeFileSync(file, balancerConfig(port, { backendPorts: backends, sticky: false }, 'global\n    nbthread 1\n    maxconn 8192\n'));
      return launch(['haproxy', '-db', '-f', file], port);
    },
  },
  {
    name: 'nginx (1 worker)',
    available: () => commandExists('nginx'),
    start(port, backends, dir) {
      const file = join(dir, `ws-nginx-${port}.conf`);
      const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${dir};`).join(' ');
      writeFileSync(
        file,
        `worker_processes 1; daemon off; error_log ${dir}/ws-nginx-${port}.log; pid ${dir}/ws-nginx-${port}.pid;
events { worker_connections 8192; }
http {
  access_log off; ${temp}
  upstream app { ${backends.map((p) => `server 127.0.0.1:${p};`).join(' ')} }
  server { listen 127.0.0.1:${port}; location / { proxy_pass http://app; proxy_http_version 1.1;
    proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "upgrade"; proxy_read_timeout 1h; } }
}
`,
      );
      return launch(['nginx', '-c', file], port);
    },
  },
];

export interface WebSocketMeasurement {
  readonly contender: string;
  readonly messagesPerSecond: number;
  readonly kibPerIdleTunnel: number;
  readonly failedToOpen: number;
}

async function openAll(port: number): Promise<{ sockets: WebSocket[]; failed: number }> {
  const sockets: WebSocket[] = [];
  let failed = 0;
  // In batches, so the proxy's accept queue is not the thing measured.
  for (let i = 0; i < CLIENTS; i += 100) {
    const batch = Array.from({ length: Math.min(100, CLIENTS - i) }, () => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false });
      return new Promise<void>((resolve) => {
        ws.once('open', () => (sockets.push(ws), resolve()));
        ws.once('error', () => (failed++, resolve()));
      });
    });
    await Promise.all(batch);
  }
  return { sockets, failed };
}

async function echoLoad(sockets: readonly WebSocket[]): Promise<number> {
  let count = 0;
  let running = true;
  for (const ws of sockets) {
    ws.on('message', () => {
      count++;
      if (running) ws.send(MESSAGE);
    });
    ws.send(MESSAGE);
  }
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  running = false;
  return count / SECONDS;
}

export async function runWebSocketBench(dir: string): Promise<WebSocketMeasurement[]> {
  // The clients run in this process: off the proxy's core.
  spawnSync('taskset', ['-cp', LOAD_CORES, String(process.pid)], { stdio: 'ignore' });
  const backendPorts = await freePorts(2);
  const backends = spawn(...pinned('load', [process.execPath, 'bench/ws-echo-server.mjs']), {
    cwd: new URL('../', import.meta.url).pathname,
    stdio: 'ignore',
    env: { ...process.env, PORTS: backendPorts.join(',') },
  });
  const results: WebSocketMeasurement[] = [];
  try {
    for (const port of backendPorts) await waitForPort(port);
    for (const contender of CONTENDERS) {
      if (!contender.available()) continue;
      const [port] = await freePorts(1);
      const proxy = await contender.start(port!, backendPorts, dir);
      try {
        // Warm-up: every tunnel opened and closed once, so code paths and pools are in place before the baseline.
        for (const ws of (await openAll(port!)).sockets) ws.terminate();
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const before = totalRssKiB(proxy.pid);
        const { sockets, failed } = await openAll(port!);
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const idle = totalRssKiB(proxy.pid);
        const messagesPerSecond = await echoLoad(sockets);
        for (const ws of sockets) ws.terminate();
        results.push({
          contender: contender.name,
          messagesPerSecond,
          kibPerIdleTunnel: sockets.length ? (idle - before) / sockets.length : NaN,
          failedToOpen: failed,
        });
        process.stderr.write(`WebSockets · ${contender.name}: ${Math.round(messagesPerSecond)} messages/s, ${((idle - before) / Math.max(1, sockets.length)).toFixed(1)} KiB per idle tunnel\n`);
      } finally {
        await proxy.close();
      }
    }
  } finally {
    await stop(backends);
  }
  return results;
}

export function renderWebSocketResults(results: readonly WebSocketMeasurement[]): string {
  const haproxy = results.find((r) => r.contender.startsWith('haproxy'))?.messagesPerSecond ?? NaN;
  const rows = results.map(
    (r) => `| ${r.contender} | ${Math.round(r.messagesPerSecond)} | ${(r.messagesPerSecond / haproxy).toFixed(2)} | ${r.kibPerIdleTunnel.toFixed(1)} | ${r.failedToOpen} |`,
  );
  return [
    `## ${CLIENTS} concurrent WebSockets, 32-byte echo`,
    '',
    `Each client sends its next message when the echo is back, ${SECONDS} s; RSS per idle tunnel = (proxy RSS with every WebSocket open and idle − before) / ${CLIENTS}. Clients and \`ws\` echo servers share the load core.`,
    '',
    '| Proxy | messages/s | × haproxy | KiB RSS per idle tunnel | failed to open |',
    '|---|---:|---:|---:|---:|',
    ...rows,
    '',
  ].join('\n');
}
