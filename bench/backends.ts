/**
 * The backends every contender forwards to: one nginx worker (pinned to the
 * load generator's core) listening on N loopback ports and answering from
 * memory or the page cache, so the backends are never the bottleneck.
 *   /small → 100 B (from memory), /4k → 4 KiB and /1m → 1 MiB (static files).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitForPort } from '../test/helpers/ports.ts';
import { pinned } from './cpu.ts';

export interface Backends {
  readonly ports: readonly number[];
  close(): Promise<void>;
}

export async function startNginxBackends(ports: readonly number[]): Promise<Backends> {
  const dir = mkdtempSync(join(tmpdir(), 'edge-bench-nginx-'));
  writeFileSync(join(dir, '4k'), Buffer.alloc(4096, 'x'));
  writeFileSync(join(dir, '1m'), Buffer.alloc(1024 * 1024, 'x'));
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${dir};`).join(' ');
  writeFileSync(
    join(dir, 'nginx.conf'),
    `worker_processes 1;
daemon off;
error_log ${dir}/error.log;
pid ${dir}/nginx.pid;
events { worker_connections 8192; }
http {
  access_log off;
  keepalive_requests 1000000;
  ${temp}
  server {
    ${ports.map((p) => `listen 127.0.0.1:${p};`).join('\n    ')}
    root ${dir};
    location = /small { return 200 "${'x'.repeat(100)}"; }
    location / { try_files $uri =404; }
  }
}
`,
  );
  const child = spawn(...pinned('load', ['nginx', '-c', join(dir, 'nginx.conf')]), { stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    await waitForPort(ports[ports.length - 1]!, () => child.exitCode !== null);
  } catch (error) {
    await stop(child);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    ports,
    async close() {
      await stop(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
