/** Runs edge-balancer through the Node adapter on a config text, capturing its log. */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseHaproxyConfig } from '../../src/config/index.ts';
import type { AccessLogEntry, Logger } from '../../src/deps.ts';
import { createNodeDeps } from '../../adapters/node/node-deps.ts';
import { startBalancer, type RunningBalancer } from '../../adapters/node/serve.ts';
import { freePort } from './ports.ts';

export interface RunningEdge extends RunningBalancer {
  readonly messages: string[];
  readonly access: AccessLogEntry[];
}

export async function startEdge(configText: string, env: Record<string, string> = {}): Promise<RunningEdge> {
  // Files named in the config (ca-file, crt, errorfile) are read, and the
  // environment seen, as the command reads and sees them (haproxy gets the same).
  const { config } = parseHaproxyConfig([{ file: 'test.cfg', text: configText }], { env: { ...process.env, ...env }, readFile: (path) => readFileSync(path, 'utf8') });
  const messages: string[] = [];
  const access: AccessLogEntry[] = [];
  const logger: Logger = {
    info: (m) => messages.push(m),
    warn: (m) => messages.push(m),
    access: (e) => access.push(e),
  };
  const balancer = await startBalancer(config, { deps: createNodeDeps(logger) });
  return Object.assign(balancer, { messages, access });
}

export interface EdgeBeforeBackend {
  readonly edge: RunningEdge;
  /** The balancer's port. */
  readonly port: number;
  close(): Promise<void>;
}

/**
 * One `listen app` in front of one Node backend running `handler`, for tests
 * that need a backend of their own making; `extraLines` go into the section.
 */
export async function startEdgeBefore(handler: RequestListener, extraLines: readonly string[] = []): Promise<EdgeBeforeBackend> {
  const backend = createServer(handler);
  backend.listen(0, '127.0.0.1');
  await once(backend, 'listening');
  const config = [
    'defaults', '    mode http', '    timeout connect 5s', '    timeout server 30s',
    'listen app', '    bind 127.0.0.1:${PORT}', ...extraLines.map((line) => `    ${line}`), '    server s1 127.0.0.1:${S1}', '',
  ].join('\n');
  const edge = await startEdge(config, { PORT: String(await freePort()), S1: String((backend.address() as AddressInfo).port) });
  return {
    edge,
    port: edge.listeners[0]!.port,
    async close() {
      await edge.close(0);
      backend.closeAllConnections();
      await new Promise((resolve) => backend.close(resolve));
    },
  };
}
