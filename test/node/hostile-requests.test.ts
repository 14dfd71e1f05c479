/**
 * Requests that haproxy 2.6 repairs and forwards, edge-balancer refuses with
 * HAProxy's 400 page, because a proxy and a server that read ambiguous
 * framing differently is how requests get smuggled (see README, "Stricter
 * than HAProxy"). None of them reaches the server.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoBackend, type EchoBackend } from '../helpers/echo-backend.ts';
import { startEdge, type RunningEdge } from '../helpers/edge-balancer.ts';
import { sendRaw } from '../helpers/http-client.ts';
import { freePort } from '../helpers/ports.ts';

let backend: EchoBackend;
let edge: RunningEdge;
let port: number;

beforeAll(async () => {
  backend = await startEchoBackend('s1');
  edge = await startEdge(
    'defaults\n    mode http\n    timeout client 5s\n    timeout server 5s\nlisten app\n    bind 127.0.0.1:${PORT}\n    option httpclose\n    cookie SERVERNAME insert indirect nocache\n    server s1 127.0.0.1:${S1} cookie s1\n',
    { S1: String(backend.port), PORT: String(await freePort()) },
  );
  port = edge.listeners[0]!.port;
});
afterAll(async () => {
  await edge?.close(0);
  await backend?.close();
});

const statusOf = (answer: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);

describe('hostile requests through the Node adapter', () => {
  it.each([
    ['Content-Length and Transfer-Encoding together', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'],
    ['two Content-Length lines', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nContent-Length: 4\r\n\r\nabcd'],
    ['an obs-fold continuation line', 'GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n'],
    ['a control character in a header value', 'GET / HTTP/1.1\r\nHost: a\r\nX-A: b\u0001c\r\n\r\n'],
  ])('%s: HAProxy\'s 400 page, nothing forwarded', async (_name, request) => {
    const before = backend.requests.length;
    const answer = await sendRaw(port, request);
    expect(statusOf(answer)).toBe(400);
    expect(answer).toContain('<h1>400 Bad request</h1>');
    expect(backend.requests.length).toBe(before);
  });

  it('CONNECT is not tunnelled: 405', async () => {
    const answer = await sendRaw(port, 'CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n');
    expect(statusOf(answer)).toBe(405);
    expect(answer).toContain('<h1>405 Method Not Allowed</h1>');
  });

  it('hop-by-hop headers, and those named in Connection, never reach the server', async () => {
    const arrived = backend.nextRequest();
    await sendRaw(port, 'GET / HTTP/1.1\r\nHost: a\r\nConnection: X-Secret, keep-alive\r\nX-Secret: 1\r\nKeep-Alive: 5\r\nTE: trailers\r\nUpgrade: h2c\r\nX-Kept: yes\r\n\r\n');
    const lines = (await arrived).headers;
    const names = lines.map(([name]) => name.toLowerCase());
    expect(names).toContain('x-kept');
    for (const hop of ['x-secret', 'keep-alive', 'upgrade']) expect(names).not.toContain(hop);
    // TE only as the proxy's `te: trailers` (the client takes trailer fields), as haproxy sends it.
    expect(lines.filter(([name]) => name.toLowerCase() === 'te')).toEqual([['te', 'trailers']]);
  });

  it('arbitrary header lines and cookies always get an HTTP answer, and the balancer keeps serving', async () => {
    const token = fc.string({ unit: fc.constantFrom(...'abcXYZ-_=;,~ !#$%&*+.^`|\'"'.split('')), minLength: 1, maxLength: 12 });
    const value = fc.string({ unit: fc.integer({ min: 0x09, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 40 });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(token, value), { maxLength: 6 }), value, async (headers, cookie) => {
        const lines = headers.map(([name, v]) => `${name}: ${v}\r\n`).join('');
        const answer = await sendRaw(port, `GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\nCookie: SERVERNAME=${cookie}\r\n${lines}\r\n`);
        expect([200, 400]).toContain(statusOf(answer));
      }),
      { numRuns: 150 },
    );
    expect(statusOf(await sendRaw(port, 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n'))).toBe(200);
  });
});
