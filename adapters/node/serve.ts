/**
 * Runs a Config on Node: one HTTP listener per `bind`, health checks, and a
 * graceful stop (stop accepting, let in-flight requests finish, then close).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { createBalancer } from '../../src/app.ts';
import type { Config } from '../../src/config/types.ts';
import { startHealthChecks } from '../../src/health/scheduler.ts';
import { answerClientErrors } from './client-errors.ts';
import { enforceClientTimeout } from './client-timeout.ts';
import { clientAddressOf, createFastPathListener } from './fast-path.ts';
import { createConsoleLogger, createNodeDeps, type LogFormat, type NodeDeps } from './node-deps.ts';

export interface ListenerAddress {
  readonly frontend: string;
  readonly host: string;
  readonly port: number;
}

export interface RunningBalancer {
  readonly listeners: readonly ListenerAddress[];
  readonly deps: NodeDeps;
  /** Stops accepting, waits up to `graceMs` for in-flight requests, then closes everything. */
  close(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  readonly logFormat?: LogFormat;
  readonly deps?: NodeDeps;
}

export async function startBalancer(config: Config, options: StartOptions = {}): Promise<RunningBalancer> {
  const deps = options.deps ?? createNodeDeps(createConsoleLogger(options.logFormat ?? 'httplog'));
  const app = createBalancer(config, deps);
  const checks = startHealthChecks(app.state, deps);
  const servers: Server[] = [];
  const stopSweeps: (() => void)[] = [];
  const listeners: ListenerAddress[] = [];
  try {
    for (const frontend of config.frontends) {
      for (const bind of frontend.binds) {
        // The Hono app answers what the fast path leaves to it (stats pages).
        const honoListener = getRequestListener(
          (request, env) => {
            const incoming = (env as { incoming: IncomingMessage }).incoming;
            return app.fetch(request, {
              frontend: frontend.name,
              clientAddress: clientAddressOf(incoming),
              clientPort: incoming.socket.remotePort,
              rawHeaders: incoming.rawHeaders,
              rawTarget: incoming.url,
            });
          },
          { hostname: bind.host || 'localhost' },
        );
        const entry = app.state.frontends.get(frontend.name)!;
        // A request without Host is forwarded, as haproxy does (the server
        // decides); Node would answer an HTTP/1.1 one with 400.
        const server = createServer(
          { requireHostHeader: false },
          createFastPathListener(app, entry, deps.upstream.native, deps, honoListener),
        );
        applyClientTimeouts(server, frontend.timeouts);
        if (frontend.timeouts.client) stopSweeps.push(enforceClientTimeout(server, frontend.timeouts.client));
        keepServingHalfClosedClients(server);
        answerClientErrors(server, frontend.timeouts.httpRequest);
        const port = await listen(server, bind.host || '0.0.0.0', bind.port);
        servers.push(server);
        listeners.push({ frontend: frontend.name, host: bind.host || '0.0.0.0', port });
      }
    }
  } catch (error) {
    checks.stop();
    for (const stopSweep of stopSweeps) stopSweep();
    await Promise.all(servers.map((s) => closeServer(s, 0)));
    await deps.upstream.close();
    throw error;
  }

  return {
    listeners,
    deps,
    async close(graceMs = 10_000) {
      checks.stop();
      for (const stopSweep of stopSweeps) stopSweep();
      await Promise.all(servers.map((s) => closeServer(s, graceMs)));
      await deps.upstream.close();
    },
  };
}

/**
 * A client that shuts down its sending side after the request (`nc -N`, some
 * scripts and health probes) still reads the answer: HAProxy only aborts on
 * that with `option abortonclose`, which is off by default. Node's server
 * aborts such requests unless this (undocumented but long-standing) flag is set.
 */
function keepServingHalfClosedClients(server: Server): void {
  (server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
}

/** `timeout http-request` bounds the request head; `timeout client` the client's inactivity. */
function applyClientTimeouts(server: Server, timeouts: { client?: number; httpRequest?: number }): void {
  server.requestTimeout = 0;
  server.headersTimeout = timeouts.httpRequest ?? 60_000;
  // `timeout client` is enforced by enforceClientTimeout (client-timeout.ts).
  server.timeout = 0;
  server.keepAliveTimeout = Math.min(timeouts.client ?? 5_000, 5_000);
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}
