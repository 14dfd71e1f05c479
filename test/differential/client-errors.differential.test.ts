/**
 * Requests that never become requests get HAProxy's pages, then the
 * connection is closed: a malformed request line, HTTP/0.9, an oversized
 * target, invalid or conflicting Content-Length, an unknown transfer coding,
 * a space in a header name → 400, a request head still incomplete after `timeout
 * http-request` → 408. Same bytes on haproxy and on edge-balancer.
 */
import { describe, expect, it } from 'vitest';
import { sendRaw } from '../helpers/http-client.ts';
import { runOnBoth } from './harness.ts';

const config = `
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    timeout http-request 300ms
listen app
    bind 127.0.0.1:\${PORT}
    server s1 127.0.0.1:\${S1}
`;

/** Status code and body; the status line's reason phrase and header case may differ (see README). */
function page(answer: string) {
  const [head = '', body = ''] = answer.split('\r\n\r\n', 2);
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), connectionClose: /^connection: close$/im.test(head), body };
}

describe('client errors: haproxy vs edge-balancer', () => {
  it('400 for garbage, HTTP/0.9, oversized or ambiguous framing; 408 for a request head that stalls', async () => {
    const { haproxy, edge } = await runOnBoth(config, ['s1'], async ({ port }) => ({
      garbage: page(await sendRaw(port, 'GARBAGE\r\n\r\n')),
      http09: page(await sendRaw(port, 'GET /\r\n\r\n')),
      longTarget: page(await sendRaw(port, `GET /${'a'.repeat(70_000)} HTTP/1.1\r\nHost: a\r\n\r\n`)),
      invalidContentLength: page(await sendRaw(port, 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4x\r\n\r\nabcd')),
      conflictingContentLengths: page(await sendRaw(port, 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd')),
      unknownTransferCoding: page(await sendRaw(port, 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\nabcd')),
      spaceInHeaderName: page(await sendRaw(port, 'GET / HTTP/1.1\r\nHost: a\r\nX A: b\r\n\r\n')),
      stalled: page(await sendRaw(port, 'GET / HTTP/1.1\r\nHost: a\r\n')),
    }));
    expect(haproxy.garbage).toMatchObject({ status: 400, connectionClose: true });
    expect(haproxy.stalled).toMatchObject({ status: 408, connectionClose: true });
    expect(edge).toEqual(haproxy);
  });
});
