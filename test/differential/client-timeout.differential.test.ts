/**
 * `timeout client` is inactivity on the client's side only: a request whose
 * server takes longer than it still gets its answer, while a connection that
 * goes quiet is closed. Same traffic on haproxy and on edge-balancer.
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
    timeout client 300ms
    timeout server 5s
listen app
    bind 127.0.0.1:\${PORT}
    server s1 127.0.0.1:\${S1}
`;

describe('timeout client: haproxy vs edge-balancer', () => {
  it('a slow server is not the client timing out; an idle connection or a stalled request body is closed', async () => {
    const { haproxy, edge } = await runOnBoth(config, ['s1'], async ({ port }) => {
      const slow = await send(port, '/?delay=900');
      // Connected, sends nothing: closed by the proxy once timeout client has passed.
      const idle = connect(port, '127.0.0.1');
      idle.resume();
      await once(idle, 'connect');
      await once(idle, 'close');
      // Sends 2 of the 10 body bytes it announced, then goes quiet mid-request.
      const stalled = connect(port, '127.0.0.1');
      stalled.resume();
      stalled.write('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nab');
      await once(stalled, 'close');
      // Meanwhile and afterwards, others are served.
      const other = await send(port, '/');
      return { slowStatus: slow.status, idleClosed: idle.destroyed, stalledClosed: stalled.destroyed, otherStatus: other.status };
    });
    expect(haproxy).toEqual({ slowStatus: 200, idleClosed: true, stalledClosed: true, otherStatus: 200 });
    expect(edge).toEqual(haproxy);
  });
});
