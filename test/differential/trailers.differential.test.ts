/**
 * Trailers (issue 13), haproxy 2.6 vs edge-balancer (Node): the server's
 * `Trailer` header and trailer fields reach the client; the client's `TE`
 * reaches the server reduced to `trailers` when it lists it, else not at all.
 */
import { once } from 'node:events';
import { get } from 'node:http';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startEdge } from '../helpers/edge-balancer.ts';
import { startHaproxy } from '../helpers/haproxy.ts';
import { freePort } from '../helpers/ports.ts';

const CONFIG = `defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
listen app
    bind 127.0.0.1:\${PORT}
    server s1 127.0.0.1:\${S1}
`;

async function observe(kind: 'haproxy' | 'edge-balancer') {
  const seenTe: string[][] = [];
  // A raw server, so the chunked body and its trailer are exactly these bytes.
  const sockets = new Set<Socket>();
  const server = createServer((socket: Socket) => {
    sockets.add(socket);
    // The proxy's side may reset these when it stops at the end; what the
    // test compares was read by then.
    socket.on('error', () => {});
    let buffered = '';
    socket.on('data', (d: Buffer) => {
      buffered += d.toString('latin1');
      while (buffered.includes('\r\n\r\n')) {
        const head = buffered.slice(0, buffered.indexOf('\r\n\r\n'));
        buffered = buffered.slice(head.length + 4);
        seenTe.push(head.split('\r\n').filter((l) => /^te:/i.test(l)));
        socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n5\r\nhello\r\n0\r\nX-Checksum: abc\r\n\r\n');
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = await freePort();
  const env = { PORT: String(port), S1: String((server.address() as AddressInfo).port) };
  const proxy = kind === 'haproxy' ? await startHaproxy(CONFIG, [port], env) : await startEdge(CONFIG, env);
  try {
    const results = [];
    for (const te of ['gzip, trailers', 'gzip', undefined]) {
      const response = await new Promise<import('node:http').IncomingMessage>((resolve, reject) =>
        get({ host: '127.0.0.1', port, path: '/', agent: false, headers: te ? { te } : {} }, resolve).once('error', reject),
      );
      let body = '';
      for await (const chunk of response) body += (chunk as Buffer).toString();
      results.push({
        te,
        trailerHeader: response.headers.trailer,
        body,
        trailers: response.rawTrailers,
      });
    }
    return { results, seenTe };
  } finally {
    await (kind === 'haproxy' ? (proxy as { close(): Promise<void> }).close() : (proxy as { close(ms: number): Promise<void> }).close(0));
    for (const socket of sockets) socket.destroy();
    server.close();
  }
}

describe('trailers: haproxy vs edge-balancer (Node)', () => {
  it('forwards the Trailer header and the trailer fields, and TE reduced to trailers', async () => {
    const haproxy = await observe('haproxy');
    const edge = await observe('edge-balancer');
    expect(edge).toEqual(haproxy);
    expect(haproxy.results[0]).toMatchObject({ trailerHeader: 'X-Checksum', body: 'hello', trailers: ['x-checksum', 'abc'] });
    expect(haproxy.seenTe).toEqual([['te: trailers'], [], []]);
  });
});
