/**
 * Requests that never become requests get HAProxy's pages, then the
 * connection is closed: a malformed request line, HTTP/0.9, an oversized
 * target, invalid or conflicting Content-Length, an unknown transfer coding,
 * a space in a header name → 400, a request head still incomplete after `timeout
 * http-request` → 408. Same bytes on haproxy and on edge-balancer, on Node
 * and on Deno (its raw front answers these itself: Deno.serve would send a
 * bare 400 and keep some connections open), with a malformed request
 * pipelined after a good one: the good one's answer comes first.
 */
import { connect } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { runOn, type ProxyKind, type ProxyUnderTest } from './harness.ts';

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

/** Far beyond `timeout http-request`: a proxy that has not closed by then keeps the connection open. */
const DEADLINE_MS = 3_000;

/** Writes `bytes` on a new connection; what came back, and whether the proxy closed the connection. */
function sendRaw(port: number, bytes: string): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const deadline = setTimeout(() => {
      socket.destroy();
      resolve({ text, closed: false });
    }, DEADLINE_MS);
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(deadline);
      resolve({ text, closed: true });
    });
    socket.write(bytes, 'latin1');
  });
}

/** Status code and body; the status line's reason phrase and header case may differ (see README). */
function page({ text, closed }: { text: string; closed: boolean }) {
  const [head = '', body = ''] = text.split('\r\n\r\n', 2);
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), connectionClose: /^connection: close$/im.test(head), body, closed };
}

/** The statuses of every answer on the connection, in order, and the last one's page. */
function answers({ text, closed }: { text: string; closed: boolean }) {
  const statuses = [...text.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => Number(m[1]));
  return { statuses, last: page({ text: text.slice(text.lastIndexOf('HTTP/1.1 ')), closed }) };
}

type Seen = Awaited<ReturnType<typeof scenario>>;

async function scenario({ port }: ProxyUnderTest) {
  return {
    garbage: page(await sendRaw(port, 'GARBAGE\r\n\r\n')),
    http09: page(await sendRaw(port, 'GET /\r\n\r\n')),
    longTarget: page(await sendRaw(port, `GET /${'a'.repeat(70_000)} HTTP/1.1\r\nHost: a\r\n\r\n`)),
    invalidContentLength: page(await sendRaw(port, 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4x\r\n\r\nabcd')),
    conflictingContentLengths: page(await sendRaw(port, 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd')),
    unknownTransferCoding: page(await sendRaw(port, 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\nabcd')),
    spaceInHeaderName: page(await sendRaw(port, 'GET / HTTP/1.1\r\nHost: a\r\nX A: b\r\n\r\n')),
    stalled: page(await sendRaw(port, 'GET / HTTP/1.1\r\nHost: a\r\n')),
    headerLines102: page(await sendRaw(port, `GET / HTTP/1.1\r\nHost: a\r\n${'X-H: v\r\n'.repeat(101)}\r\n`)),
    pipelinedGarbage: answers(await sendRaw(port, 'GET / HTTP/1.1\r\nHost: a\r\n\r\nGARBAGE\r\n\r\n')),
    pipelinedBadContentLength: answers(await sendRaw(port, 'GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\nPOST / HTTP/1.1\r\nHost: a\r\nContent-Length: x\r\n\r\n')),
  };
}

const seen = new Map<ProxyKind, Seen>();
beforeAll(async () => {
  for (const kind of ['haproxy', 'edge-balancer', 'edge-balancer-deno'] as const) seen.set(kind, await runOn(kind, config, ['s1'], scenario));
}, 60_000);

describe('client errors: haproxy vs edge-balancer', () => {
  it('haproxy: 400 for garbage…, 408 for a stalled head, after the answers to the requests before', () => {
    const haproxy = seen.get('haproxy')!;
    expect(haproxy.garbage).toMatchObject({ status: 400, connectionClose: true, closed: true });
    expect(haproxy.stalled).toMatchObject({ status: 408, connectionClose: true });
    expect(haproxy.pipelinedGarbage.statuses).toEqual([200, 400]);
    expect(haproxy.pipelinedBadContentLength.statuses).toEqual([200, 200, 400]);
  });

  it.each(['edge-balancer', 'edge-balancer-deno'] as const)('%s answers the same, page for page', (kind) => {
    expect(seen.get(kind)).toEqual(seen.get('haproxy'));
  });
});
