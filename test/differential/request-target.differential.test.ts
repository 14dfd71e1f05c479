/**
 * The request-target reaches the backend as the client sent it: HAProxy does
 * not normalise dot-segments or double slashes, and an HTTP/1.0 request
 * without Host is served. Same traffic on haproxy and on edge-balancer.
 */
import { describe, expect, it } from 'vitest';
import { send, sendRaw } from '../helpers/http-client.ts';
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

  it('an HTTP/1.0 request without Host is forwarded, and answered even when the client has shut down its side', async () => {
    const { haproxy, edge } = await runOnBoth(config, ['s1'], async ({ port, backends }) => {
      const seen = [];
      for (const halfClose of [false, true]) {
        const arrived = backends[0]!.nextRequest();
        const answer = await sendRaw(port, 'GET /old HTTP/1.0\r\n\r\n', { halfClose });
        seen.push({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1]), url: (await arrived).url });
      }
      return seen;
    });
    expect(haproxy).toEqual([{ status: 200, url: '/old' }, { status: 200, url: '/old' }]);
    expect(edge).toEqual(haproxy);
  });
});
