/**
 * HTTP/2 with prior knowledge on a plain bind (issue 13): haproxy 2.6 detects
 * the preface and serves HTTP/2, forwarding each stream to the server in
 * HTTP/1.1 with Host from `:authority` and the cookie fields joined into one
 * line; edge-balancer on Node must do the same.
 */
import { connect } from 'node:http2';
import { describe, expect, it } from 'vitest';
import type { EchoReply } from '../helpers/echo-backend.ts';
import { runOnBoth } from './harness.ts';

const CONFIG = `
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
listen app
    bind 127.0.0.1:\${PORT}
    balance roundrobin
    option forwardfor
    cookie SERVERNAME insert indirect nocache
    server s1 127.0.0.1:\${S1} cookie s1
    server s2 127.0.0.1:\${S2} cookie s2
`;

interface Exchange {
  readonly path: string;
  readonly headers?: Record<string, string | string[]>;
  readonly body?: string;
}

describe('HTTP/2 prior knowledge: haproxy vs edge-balancer (Node)', () => {
  it('serves HTTP/2 on a plain bind: status, cookies, server, what the server saw, bodies both ways', async () => {
    const exchanges: Exchange[] = [
      { path: '/one' },
      { path: '/two?set-cookie=theme%3Ddark', headers: { cookie: ['a=1', 'SERVERNAME=s2', 'b=2'] } },
      { path: '/three', headers: { ':method': 'POST', 'content-type': 'text/plain', cookie: 'SERVERNAME=s1' }, body: 'x'.repeat(70_000) },
    ];
    const { haproxy, edge } = await runOnBoth(CONFIG, ['s1', 's2'], async ({ port }) => {
      const session = connect(`http://127.0.0.1:${port}`);
      try {
        const observed = [];
        for (const exchange of exchanges) {
          const stream = session.request({ ':path': exchange.path, ...exchange.headers }, { endStream: exchange.body === undefined });
          if (exchange.body !== undefined) stream.end(exchange.body);
          const head = await new Promise<Record<string, unknown>>((resolve, reject) => {
            stream.once('response', resolve);
            stream.once('error', reject);
          });
          let text = '';
          for await (const chunk of stream) text += (chunk as Buffer).toString();
          const reply = JSON.parse(text) as EchoReply;
          const saw = (name: string) => reply.headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);
          observed.push({
            status: head[':status'],
            setCookie: head['set-cookie'],
            server: reply.server,
            method: reply.method,
            url: reply.url,
            host: saw('host').map((h) => h.replace(/:\d+$/, ':PORT')),
            cookie: saw('cookie'),
            forwardedFor: saw('x-forwarded-for'),
            bodyBytes: reply.bodyBytes,
          });
        }
        return observed;
      } finally {
        session.close();
      }
    });
    expect(edge).toEqual(haproxy);
    expect(haproxy[0]).toMatchObject({ status: 200, setCookie: ['SERVERNAME=s1; path=/'], host: ['127.0.0.1:PORT'] });
    expect(haproxy[1]).toMatchObject({ server: 's2', cookie: ['a=1; b=2'] });
    expect(haproxy[2]).toMatchObject({ method: 'POST', bodyBytes: 70_000 });
  });
});
