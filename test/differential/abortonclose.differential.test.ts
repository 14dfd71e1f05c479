/**
 * `option abortonclose` on haproxy 2.6 and on edge-balancer (Node adapter):
 * a client waits on a long poll the server does not answer, then leaves —
 * half-closing (`end()`, it could still read) or closing. With the option the
 * server sees its request's connection close at once and a half-closed client
 * reads HAProxy's 400; without it both wait for `timeout server` (the 504).
 * The Deno adapter too, half-close included: its raw front (plain binds,
 * adapters/deno/raw-connection.ts) reads the client's FIN on an ordinary
 * request such as this GET (Deno.serve alone shows no half-close).
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDenoBalancer } from '../helpers/deno.ts';
import { startEdge } from '../helpers/edge-balancer.ts';
import { startHaproxy } from '../helpers/haproxy.ts';
import { freePort } from '../helpers/ports.ts';

const TIMEOUT_SERVER = 1500;

const config = (option: string) => `
defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server ${TIMEOUT_SERVER}ms

listen app
    bind 127.0.0.1:\${PORT}
    ${option}
    server s1 127.0.0.1:\${S1}
`;

/** A server that never answers; resolves each request's arrival and its connection's close. */
async function startSilentServer(): Promise<{ port: number; next(): Promise<{ closed: Promise<number> }>; close(): Promise<void> }> {
  const arrivals: ((value: { closed: Promise<number> }) => void)[] = [];
  const server: Server = createServer((request) => {
    // A reset is a close too (a proxy may abort that way).
    request.socket.on('error', () => {});
    const closed = new Promise<number>((resolve) => request.socket.once('close', () => resolve(performance.now())));
    arrivals.shift()?.({ closed });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    next: () => new Promise((resolve) => arrivals.push(resolve)),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

interface Seen {
  /** ms from the client leaving to the server's connection closing. */
  serverSawCloseAfter: number;
  /** The status line the client read, if it could read. */
  clientRead: string;
}

/** Starts the proxy under test; resolves to what stops it. */
async function startProxy(kind: 'haproxy' | 'edge' | 'deno', option: string, port: number, env: Record<string, string>): Promise<() => Promise<void>> {
  if (kind === 'haproxy') {
    const haproxy = await startHaproxy(config(option), [port], env);
    return () => haproxy.close();
  }
  if (kind === 'deno') {
    const deno = await startDenoBalancer(config(option).replace('${PORT}', env.PORT!).replace('${S1}', env.S1!), port);
    return () => deno.close();
  }
  const edge = await startEdge(config(option), env);
  return () => edge.close(0);
}

async function leave(kind: 'haproxy' | 'edge' | 'deno', option: string, how: 'end' | 'destroy'): Promise<Seen> {
  const backend = await startSilentServer();
  const port = await freePort();
  const env = { PORT: String(port), S1: String(backend.port) };
  const closeProxy = await startProxy(kind, option, port, env);
  try {
    const arrived = backend.next();
    const client = connect(port, '127.0.0.1', () => client.write('GET /poll HTTP/1.1\r\nHost: t\r\n\r\n'));
    let read = '';
    client.setEncoding('latin1');
    client.on('data', (chunk: string) => (read += chunk));
    client.on('error', () => {});
    const clientClosed = once(client, 'close');
    const { closed } = await arrived;
    const leftAt = performance.now();
    if (how === 'end') client.end();
    else client.destroy();
    const serverClosedAt = await closed;
    // The proxy answers the half-closed client, then closes: wait for it.
    if (how === 'end') await clientClosed;
    client.destroy();
    return { serverSawCloseAfter: serverClosedAt - leftAt, clientRead: read.split('\r\n')[0] ?? '' };
  } finally {
    await closeProxy();
    await backend.close();
  }
}

const CASES = [
  { name: 'abortonclose, client half-closes', option: 'option abortonclose', how: 'end' },
  { name: 'abortonclose, client closes', option: 'option abortonclose', how: 'destroy' },
  { name: 'without it, client half-closes', option: '', how: 'end' },
  { name: 'without it, client closes', option: '', how: 'destroy' },
] as const;

const results = new Map<string, { haproxy: Seen; edge: Seen; deno: Seen }>();

beforeAll(async () => {
  for (const c of CASES) {
    results.set(c.name, {
      haproxy: await leave('haproxy', c.option, c.how),
      edge: await leave('edge', c.option, c.how),
      deno: await leave('deno', c.option, c.how),
    });
  }
}, 60_000);

afterAll(() => results.clear());

describe('option abortonclose, edge-balancer on Node vs haproxy 2.6', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const { haproxy, edge } = results.get(c.name)!;
      expect(edge.clientRead).toBe(haproxy.clientRead);
      for (const seen of [haproxy, edge]) {
        if (c.option) expect(seen.serverSawCloseAfter).toBeLessThan(150);
        else expect(seen.serverSawCloseAfter).toBeGreaterThan(TIMEOUT_SERVER / 2);
      }
    });
  }

  it('what the half-closed client read: 400 with the option, the 504 of timeout server without', () => {
    expect(results.get('abortonclose, client half-closes')!.edge.clientRead).toBe('HTTP/1.1 400 Bad request');
    expect(results.get('without it, client half-closes')!.edge.clientRead).toBe('HTTP/1.1 504 Gateway Time-out');
  });
});

describe('option abortonclose on Deno vs haproxy 2.6', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const { haproxy, deno } = results.get(c.name)!;
      expect(deno.clientRead).toBe(haproxy.clientRead);
      for (const seen of [haproxy, deno]) {
        if (c.option) expect(seen.serverSawCloseAfter).toBeLessThan(150);
        else expect(seen.serverSawCloseAfter).toBeGreaterThan(TIMEOUT_SERVER / 2);
      }
    });
  }
});
