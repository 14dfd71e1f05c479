/**
 * `maxconn` on a TLS bind: at the limit haproxy stops accepting, so the next
 * client's handshake waits in the listen queue and completes, and its request
 * is served, once a connection closes. edge-balancer counts TLS connections
 * at the TCP level, before the handshake, the same way.
 */
import { connect, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeCertificates, type TestCertificates } from './certificates.ts';
import { runTlsOnBoth, type TlsProxy } from './tls-harness.ts';

let certs: TestCertificates;
beforeAll(() => {
  certs = makeCertificates();
});
afterAll(() => certs.remove());

const LIMIT = 2;

/** A kept-alive HTTPS/1.1 connection; `request()` resolves with the status of one GET. */
function holdTls(port: number): { socket: TLSSocket; request(): Promise<number> } {
  const socket = connect({ host: '127.0.0.1', port, servername: 'a.test', rejectUnauthorized: false });
  socket.on('error', () => {});
  let buffer = Buffer.alloc(0);
  let waiting: ((status: number) => void) | undefined;
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    const end = buffer.indexOf('\r\n\r\n');
    if (end < 0 || !waiting) return;
    const head = buffer.subarray(0, end).toString();
    const length = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
    if (buffer.length < end + 4 + length) return;
    buffer = buffer.subarray(end + 4 + length);
    const resolve = waiting;
    waiting = undefined;
    resolve(Number(head.split(' ')[1]));
  });
  return {
    socket,
    request: () =>
      new Promise<number>((resolve) => {
        waiting = resolve;
        socket.write('GET / HTTP/1.1\r\nhost: a.test\r\n\r\n');
      }),
  };
}

async function overTheLimit({ tlsPort }: TlsProxy) {
  const held = Array.from({ length: LIMIT }, () => holdTls(tlsPort));
  try {
    const firstStatuses = await Promise.all(held.map((c) => c.request()));
    const extra = holdTls(tlsPort);
    held.push(extra);
    let handshakeDone = false;
    extra.socket.once('secureConnect', () => (handshakeDone = true));
    const extraAnswer = extra.request();
    // Round trips on the held connections leave time for a wrongly accepted handshake.
    for (let round = 0; round < 3; round++) for (const connection of held.slice(0, LIMIT)) await connection.request();
    const waitedWhileFull = !handshakeDone;
    held[0]!.socket.destroy();
    return { firstStatuses, waitedWhileFull, extraStatus: await extraAnswer };
  } finally {
    for (const connection of held) connection.socket.destroy();
  }
}

it(`frontend maxconn ${LIMIT} on a TLS bind: the next handshake waits, then completes when one closes`, async () => {
  const config = `defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 5s
listen app
    bind 127.0.0.1:\${TLS_PORT} ssl crt ${certs.a}
    maxconn ${LIMIT}
    server s1 127.0.0.1:\${S1}
`;
  const { haproxy, edge } = await runTlsOnBoth(config, ['s1'], overTheLimit);
  expect(haproxy).toEqual({ firstStatuses: [200, 200], waitedWhileFull: true, extraStatus: 200 });
  expect(edge).toEqual(haproxy);
});
