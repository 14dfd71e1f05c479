/**
 * The request-target reaches the backend as the client sent it: HAProxy does
 * not normalise dot-segments or double slashes, and an HTTP/1.0 request
 * without Host is served. Same traffic on haproxy and on edge-balancer.
 */
import { connect } from 'node:net';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { send } from '../helpers/http-client.ts';
import { runOnBoth } from './harness.ts';

const config = `
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
listen app
    bind 127.0.0.1:\${PORT}
    option httpclose
    server s1 127.0.0.1:\${S1}
`;

/** One raw request on its own connection; resolves with the whole answer once the proxy closes. */
async function rawExchange(port: number, request: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  let answer = '';
  socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
  socket.end(request);
  await once(socket, 'close');
  return answer;
}

describe('request-target: haproxy vs edge-balancer', () => {
  it('dot-segments, double slashes and odd escapes are forwarded unchanged', async () => {
    const targets = ['/a/../b?x=1', '//double//slash', '/%zz/./c', '/p;q?r=%2F'];
    const { haproxy, edge } = await runOnBoth(config, ['s1'], async ({ port, backends }) => {
      const seen: string[] = [];
      for (const target of targets) {
        const arrived = backends[0]!.nextRequest();
        await send(port, target);
        seen.push((await arrived).url);
      }
      return seen;
    });
    expect(haproxy).toEqual(targets);
    expect(edge).toEqual(haproxy);
  });

  it('HTTP/1.0 without Host is served; HTTP/1.1 without Host is a 400', async () => {
    const { haproxy, edge } = await runOnBoth(config, ['s1'], async ({ port }) => {
      const http10 = await rawExchange(port, 'GET /old HTTP/1.0\r\n\r\n');
      const http11 = await rawExchange(port, 'GET /new HTTP/1.1\r\nConnection: close\r\n\r\n');
      const status = (answer: string) => Number(/^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1]);
      return { http10: status(http10), servedBy: /"server":"(\w+)"/.exec(http10)?.[1], http11: status(http11) };
    });
    expect(haproxy).toEqual({ http10: 200, servedBy: 's1', http11: 400 });
    expect(edge).toEqual(haproxy);
  });
});
