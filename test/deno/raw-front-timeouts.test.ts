/**
 * The client timeouts of Deno's raw front (adapters/deno/client-timeouts.ts),
 * on the real `deno` binary and on haproxy with the same configuration and
 * the same bytes: a head not whole within `timeout http-request` gets
 * HAProxy's 408 page (on a new connection, and as the next request of a
 * kept-alive one, the timer running from the previous answer), and a
 * kept-alive connection left idle is closed after `timeout http-keep-alive`.
 * Deno.serve alone applied none of them (a partial head waited forever).
 */
import { once } from 'node:events';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deno, haproxy, type RuntimeUnderTest } from '../conformance/runtimes.ts';
import { startEchoBackend, type EchoBackend } from '../helpers/echo-backend.ts';
import { freePort } from '../helpers/ports.ts';

const CONFIG = `
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    timeout http-request 300ms
    timeout http-keep-alive 400ms
listen app
    bind 127.0.0.1:\${PORT}
    server s1 127.0.0.1:\${S1}
`;

let backend: EchoBackend;
beforeAll(async () => {
  backend = await startEchoBackend('s1');
});
afterAll(async () => {
  await backend?.close();
});

/** Writes `bytes` on a new connection and resolves with all it received once the proxy closed it. */
async function untilClosed(port: number, bytes: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
  const closed = once(socket, 'close');
  if (bytes !== '') socket.write(bytes);
  await closed;
  return received;
}

async function observe(runtime: RuntimeUnderTest): Promise<{ partial: string; pipelined: string[]; idle: string[] }> {
  const port = await freePort();
  const running = await runtime.start(CONFIG, { PORT: String(port), S1: String(backend.port) }, [port]);
  try {
    const [partial, pipelined, idle] = await Promise.all([
      untilClosed(port, 'GET / HTTP/1.1\r\nHost: a\r\n'),
      untilClosed(port, 'GET /one HTTP/1.1\r\nHost: a\r\n\r\nGET /two HTTP/1.1\r\n'),
      untilClosed(port, 'GET /one HTTP/1.1\r\nHost: a\r\n\r\n'),
    ]);
    const statusLines = (text: string) => text.match(/^HTTP\/1\.1 \d{3} [^\r]*/gm) ?? [];
    // Header names are lower case on edge-balancer's pages (README), capitalised in haproxy's.
    return { partial: partial.toLowerCase(), pipelined: statusLines(pipelined), idle: statusLines(idle) };
  } finally {
    await running.close();
  }
}

describe('Deno raw front: client timeouts, as haproxy', () => {
  it('408 page for a late head (new or pipelined), idle kept-alive connections closed', async () => {
    const reference = await observe(haproxy);
    expect(reference.partial).toMatch(/^http\/1\.1 408 request time-out\r\n[^]*<h1>408 request time-out<\/h1>/);
    expect(reference.pipelined).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 408 Request Time-out']);
    expect(reference.idle).toEqual(['HTTP/1.1 200 OK']);
    expect(await observe(deno)).toEqual(reference);
  });
});
