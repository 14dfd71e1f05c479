/**
 * How long an idle kept-alive connection waits for its next request:
 * `timeout http-keep-alive`, else `timeout http-request`, else `timeout
 * client` (HAProxy's order), and a shorter `timeout client` still closes it
 * first (observed on haproxy 2.6). The next request's head, once begun, must
 * be complete within `timeout http-request`, or it gets the 408 page. Same
 * configurations and traffic on haproxy and on edge-balancer. The timeouts
 * are far apart, so the outcomes do not depend on the machine's speed: closed
 * well before the longer timeout, or still open well after the shorter one.
 */
import { connect } from 'node:net';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { runOnBoth } from './harness.ts';

const config = (timeouts: string) => `
defaults
    mode http
    timeout connect 1s
    timeout server 5s
${timeouts}
listen app
    bind 127.0.0.1:\${PORT}
    server s1 127.0.0.1:\${S1}
`;

/** One request answered on a kept-alive connection, then silence: closed within `withinMs`? */
async function idleClosedWithin(port: number, withinMs: number): Promise<boolean> {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  const closed = once(socket, 'close').then(() => true);
  try {
    await once(socket, 'connect');
    socket.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    while (!received.includes('"server":"s1"')) await once(socket, 'data');
    return await Promise.race([closed, sleep(withinMs).then(() => false)]);
  } finally {
    socket.destroy();
  }
}

describe('idle kept-alive connections: haproxy vs edge-balancer', () => {
  const cases: [name: string, timeouts: string, withinMs: number, closed: boolean][] = [
    ['timeout http-keep-alive closes it, long before timeout client', '    timeout client 5s\n    timeout http-keep-alive 200ms', 1500, true],
    ['without it, timeout http-request does', '    timeout client 5s\n    timeout http-request 200ms', 1500, true],
    ['a shorter timeout client still closes it first', '    timeout client 200ms\n    timeout http-keep-alive 5s', 1500, true],
    ['timeout client alone keeps it open that long', '    timeout client 5s', 1500, false],
  ];
  for (const [name, timeouts, withinMs, closed] of cases) {
    it(name, async () => {
      const { haproxy, edge } = await runOnBoth(config(timeouts), ['s1'], ({ port }) => idleClosedWithin(port, withinMs));
      expect(haproxy).toBe(closed);
      expect(edge).toBe(haproxy);
    });
  }

  it('a next request head that trickles in gets the 408 page after timeout http-request', async () => {
    const trickled = config('    timeout client 5s\n    timeout http-request 300ms');
    const { haproxy, edge } = await runOnBoth(trickled, ['s1'], async ({ port }) => {
      const socket = connect(port, '127.0.0.1');
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
      const closed = once(socket, 'close');
      const head = `GET /two HTTP/1.1\r\nHost: a\r\nX-Slow: ${'a'.repeat(100)}`;
      // One byte every 100 ms: progress all along, so only http-request can end it (the head would take 10 s).
      let sent = 0;
      let trickle: NodeJS.Timeout | undefined;
      try {
        await once(socket, 'connect');
        socket.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
        while (!received.includes('"server":"s1"')) await once(socket, 'data');
        received = '';
        trickle = setInterval(() => {
          if (sent < head.length && socket.writable) socket.write(head[sent++]!);
        }, 100);
        const cut = await Promise.race([closed.then(() => true), sleep(3000).then(() => false)]);
        return { cut, status: /^HTTP\/1\.1 (\d{3})/.exec(received)?.[1], headSent: sent === head.length };
      } finally {
        clearInterval(trickle);
        socket.destroy();
      }
    });
    expect(haproxy).toEqual({ cut: true, status: '408', headSent: false });
    expect(edge).toEqual(haproxy);
  });
});
