/**
 * Socket.IO end to end with the real `socket.io` and `socket.io-client`
 * packages: two Socket.IO servers behind `cookie SERVERNAME insert indirect
 * nocache`, 20 clients that start on HTTP long-polling and upgrade to
 * WebSocket, each acknowledgement returned by the server the client's
 * session lives on. In Node, socket.io-client keeps a cookie jar of its own
 * with `withCredentials: true` (engine.io-client 6.5+), as a browser would.
 * The same traffic without the `cookie` line must fail: the polling requests
 * of one session then alternate between the servers, which do not know each
 * other's sessions — that proves the test can fail.
 */
import { once } from 'node:events';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io, type Socket } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import { node, RUNTIMES, type RuntimeUnderTest } from '../conformance/runtimes.ts';
import { freePort } from '../helpers/ports.ts';

interface SocketIoBackend {
  readonly port: number;
  close(): Promise<void>;
}

async function startSocketIoBackend(name: string): Promise<SocketIoBackend> {
  const http: HttpServer = createServer();
  const server = new Server(http, { pingInterval: 10_000 });
  server.on('connection', (socket) => {
    socket.on('echo', (value: number, ack: (reply: { server: string; value: number; transport: string }) => void) =>
      ack({ server: name, value, transport: socket.conn.transport.name }),
    );
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  return {
    port: (http.address() as AddressInfo).port,
    async close() {
      await server.close();
      http.closeAllConnections();
    },
  };
}

const config = (cookie: boolean) => `
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
listen app
    bind 127.0.0.1:\${PORT}
    balance roundrobin
    option forwardfor
${cookie ? '    cookie SERVERNAME insert indirect nocache\n' : ''}    server s1 127.0.0.1:\${S1} cookie s1
    server s2 127.0.0.1:\${S2} cookie s2
`;

const CLIENTS = 20;
const ACKS_PER_CLIENT = 10;

/** One client's run: connect on polling, upgrade to websocket, then every ack; a reason string on failure. */
async function runClient(port: number): Promise<string | { servers: Set<string>; transports: Set<string> }> {
  const socket: Socket = io(`http://127.0.0.1:${port}`, { withCredentials: true, reconnection: false, forceNew: true, timeout: 4000 });
  try {
    const failed = new Promise<string>((resolve) => {
      socket.once('connect_error', (error) => resolve(`connect_error: ${error.message}`));
      socket.once('disconnect', (reason) => resolve(`disconnect: ${reason}`));
      setTimeout(() => resolve('no upgrade within 5 s'), 5000).unref();
    });
    const upgraded = new Promise<void>((resolve) => {
      socket.io.on('open', () => socket.io.engine.once('upgrade', () => resolve()));
    });
    const outcome = await Promise.race([upgraded.then(() => undefined), failed]);
    if (outcome !== undefined) return outcome;
    const servers = new Set<string>();
    const transports = new Set<string>();
    for (let i = 0; i < ACKS_PER_CLIENT; i++) {
      const reply = await Promise.race([
        socket.timeout(2000).emitWithAck('echo', i) as Promise<{ server: string; value: number; transport: string }>,
        failed,
      ]);
      if (typeof reply === 'string') return reply;
      if (reply.value !== i) return `ack ${i} came back as ${reply.value}`;
      servers.add(reply.server);
      transports.add(reply.transport);
    }
    return { servers, transports };
  } catch (error) {
    return `error: ${(error as Error).message}`;
  } finally {
    socket.disconnect();
  }
}

async function runScenario(runtime: RuntimeUnderTest, withCookie: boolean) {
  const backends = [await startSocketIoBackend('s1'), await startSocketIoBackend('s2')];
  const port = await freePort();
  const env = { PORT: String(port), S1: String(backends[0]!.port), S2: String(backends[1]!.port) };
  const proxy = await runtime.start(config(withCookie), env, [port]);
  try {
    const results = await Promise.all(Array.from({ length: CLIENTS }, () => runClient(port)));
    const failures = results.filter((r): r is string => typeof r === 'string');
    const ok = results.filter((r) => typeof r !== 'string');
    return {
      ok: ok.length,
      failures,
      // Every client stayed on one server, and its acks came over websocket.
      sticky: ok.every((r) => r.servers.size === 1),
      websocket: ok.every((r) => r.transports.size === 1 && r.transports.has('websocket')),
      serversUsed: new Set(ok.flatMap((r) => [...r.servers])).size,
    };
  } finally {
    await proxy.close();
    await Promise.all(backends.map((b) => b.close()));
  }
}

describe('Socket.IO behind cookie SERVERNAME insert indirect nocache', () => {
  // The conformance suite's runtimes: edge-balancer on Node, Deno and Workers (workerd), and haproxy.
  for (const runtime of RUNTIMES) {
    it(`on ${runtime.name}: 20 clients upgrade from polling to websocket and get every ack, each from its own server`, async () => {
      const result = await runScenario(runtime, true);
      expect(result).toEqual({ ok: CLIENTS, failures: [], sticky: true, websocket: true, serversUsed: 2 });
    });
  }

  it('without the cookie line the same test fails on edge-balancer (sessions split across the servers)', async () => {
    const result = await runScenario(node, false);
    expect(result.ok).toBeLessThan(CLIENTS);
    expect(result.failures.length).toBeGreaterThan(0);
  });
});
