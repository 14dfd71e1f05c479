/**
 * Connections to servers, compared with haproxy 2.6: one client sending
 * requests one after the other on its keep-alive connection reaches the
 * server over one kept connection; a server that answers `Connection: close`
 * gets a new connection for every request; a server that closes idle
 * connections between requests loses none of them. One difference on
 * purpose: haproxy gives each new client's first request a connection of its
 * own. Run on haproxy, on Deno (the HTTP/1.1 client of
 * src/proxy/http1-client.ts with its pool) and on Node (undici's pools), with
 * a backend that counts its connections.
 */
import { once } from 'node:events';
import { Agent, createServer, request, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { deno, haproxy, node, type RuntimeUnderTest } from '../conformance/runtimes.ts';
import { freePort } from '../helpers/ports.ts';

interface CountingBackend {
  readonly port: number;
  connections(): number;
  /** Resolves once `count` of its connections have closed. */
  closed(count: number): Promise<void>;
  close(): Promise<void>;
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A backend answering `ok`, with `Connection: close` when asked, closing idle connections after `idleMs`. */
async function countingBackend(options: { close?: boolean; idleMs?: number } = {}): Promise<CountingBackend> {
  let connections = 0;
  let closed = 0;
  const closes = new EventTarget();
  const server: Server = createServer((_req, res) => {
    if (options.close) res.setHeader('connection', 'close');
    res.end('ok');
  });
  if (options.idleMs !== undefined) server.keepAliveTimeout = options.idleMs;
  server.on('connection', (socket) => {
    connections++;
    socket.on('close', () => {
      closed++;
      closes.dispatchEvent(new Event('close'));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const backend = {
    port: (server.address() as { port: number }).port,
    connections: () => connections,
    closed: async (count: number) => {
      while (closed < count) await once(closes, 'close');
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  closers.push(backend.close);
  return backend;
}

/** `count` requests one after the other on one client connection, `between` awaited after each; their statuses. */
async function sequential(port: number, count: number, between?: (done: number) => Promise<void>): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const statuses: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const res = await new Promise<import('node:http').IncomingMessage>((resolve, reject) =>
        request({ host: '127.0.0.1', port, path: `/${i}`, agent }, resolve).on('error', reject).end(),
      );
      res.resume();
      await once(res, 'end');
      statuses.push(res.statusCode!);
      await between?.(i + 1);
    }
  } finally {
    agent.destroy();
  }
  return statuses;
}

async function run(runtime: RuntimeUnderTest, backend: CountingBackend, use: (port: number) => Promise<number[]>): Promise<number[]> {
  const port = await freePort();
  const config = `defaults
    mode http
    timeout connect 5s
    timeout client 10s
    timeout server 10s
listen app
    bind 127.0.0.1:\${PORT}
    server s1 127.0.0.1:\${S1}
`;
  const running = await runtime.start(config, { PORT: String(port), S1: String(backend.port) }, [port]);
  try {
    return await use(port);
  } finally {
    await running.close();
  }
}

describe.each([haproxy, deno, node])('connections to servers on $name', (runtime) => {
  it('sends ten sequential requests of one client over one server connection', async () => {
    const backend = await countingBackend();
    expect(await run(runtime, backend, (port) => sequential(port, 10))).toEqual(Array(10).fill(200));
    expect(backend.connections()).toBe(1);
  }, 30_000);

  it("sends each new client's first request over its own server connection on haproxy, a kept one on edge-balancer (on purpose)", async () => {
    // haproxy's `http-reuse safe`: a first request cannot be retried by the client, so it never takes an idle connection.
    // edge-balancer reuses it and sends the request again itself if the kept connection turns out closed (undici's way).
    const backend = await countingBackend();
    const clients = async (port: number) => {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push(...(await sequential(port, 1)));
      return statuses;
    };
    expect(await run(runtime, backend, clients)).toEqual(Array(5).fill(200));
    expect(backend.connections()).toBe(runtime === haproxy ? 5 : 1);
  }, 30_000);

  it('opens a new server connection after each `Connection: close` answer', async () => {
    const backend = await countingBackend({ close: true });
    expect(await run(runtime, backend, (port) => sequential(port, 5))).toEqual(Array(5).fill(200));
    expect(backend.connections()).toBe(5);
  }, 30_000);

  it('loses no request when the server closed the idle kept connection', async () => {
    const backend = await countingBackend({ idleMs: 30 });
    // After each answer the backend's idle timer closes the connection the proxy kept.
    expect(await run(runtime, backend, (port) => sequential(port, 4, (done) => backend.closed(done)))).toEqual(Array(4).fill(200));
    expect(backend.connections()).toBe(4);
  }, 30_000);
});
