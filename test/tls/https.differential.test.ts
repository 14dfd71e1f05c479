/**
 * HTTP over TLS on haproxy 2.6 and on edge-balancer (Node), compared on what
 * the client and the server observe: the redirect to HTTPS, the headers the
 * rules set from `ssl_fc*` and `option forwardfor`, cookie persistence over
 * HTTP/2, and a 1 MiB upload over HTTP/2.
 */
import { request as httpRequest } from 'node:http';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { EchoReply } from '../helpers/echo-backend.ts';
import { makeCertificates, type TestCertificates } from './certificates.ts';
import { http2Request, http2Session, httpsGet, type Answer } from './tls-clients.ts';
import { runTlsOnBoth } from './tls-harness.ts';

let certs: TestCertificates;
beforeAll(() => {
  certs = makeCertificates();
});
afterAll(() => certs.remove());

const config = () => `defaults
    mode http
    timeout connect 5s
    timeout client 5s
    timeout server 5s
frontend web
    bind 127.0.0.1:\${PORT}
    bind 127.0.0.1:\${TLS_PORT} ssl crt ${certs.certDir} alpn h2,http/1.1
    http-request redirect scheme https code 301 unless { ssl_fc }
    http-request set-header X-Forwarded-Proto https if { ssl_fc }
    http-request set-header X-SNI %[ssl_fc_sni]
    http-request set-header X-ALPN %[ssl_fc_alpn]
    http-request set-header X-TLS %[ssl_fc_protocol]
    option forwardfor
    default_backend app
backend app
    cookie SRV insert indirect nocache
    server s1 127.0.0.1:\${S1} cookie s1
    server s2 127.0.0.1:\${S2} cookie s2
`;

/** The header lines the server saw, for the names the rules touch. */
function seen(answer: Answer): [string, string][] {
  const reply = JSON.parse(answer.body) as EchoReply;
  const names = ['host', 'x-forwarded-proto', 'x-forwarded-for', 'x-sni', 'x-alpn', 'x-tls', 'cookie'];
  return reply.headers.filter(([name]) => names.includes(name.toLowerCase())).map(([name, value]) => [name.toLowerCase(), value]);
}

function plainGet(port: number, path: string, host: string): Promise<{ status: number; location?: string; length?: string }> {
  return new Promise((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port, path, headers: { host }, agent: false }, (response) => {
      response.resume();
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, ...(response.headers.location ? { location: response.headers.location } : {}), ...(response.headers['content-length'] ? { length: response.headers['content-length'] } : {}) }),
      );
    })
      .on('error', reject)
      .end();
  });
}

describe('HTTP and HTTPS on one frontend', () => {
  it('plain HTTP is redirected to https (301, port and query kept, empty body)', async () => {
    const { haproxy, edge } = await runTlsOnBoth(config(), ['s1', 's2'], async ({ port }) => [
      await plainGet(port, '/shop/cart?id=7', 'a.test:8080'),
      await plainGet(port, '/', 'b.test'),
    ]);
    expect(haproxy).toEqual([
      { status: 301, location: 'https://a.test:8080/shop/cart?id=7', length: '0' },
      { status: 301, location: 'https://b.test/', length: '0' },
    ]);
    expect(edge).toEqual(haproxy);
  });

  it('HTTPS/1.1: the server sees X-Forwarded-Proto https (the client\'s own replaced), X-Forwarded-For appended, ssl_fc_sni/alpn/protocol', async () => {
    const { haproxy, edge } = await runTlsOnBoth(config(), ['s1', 's2'], async ({ tlsPort }) => {
      const answer = await httpsGet(tlsPort, '/h1', { ca: certs.ca, servername: 'b.test', headers: { 'x-forwarded-proto': 'http', 'x-forwarded-for': '203.0.113.9' } });
      return { status: answer.status, seen: seen(answer) };
    });
    expect(haproxy.status).toBe(200);
    expect(haproxy.seen).toEqual([
      ['host', 'b.test'],
      ['x-forwarded-for', '203.0.113.9'],
      ['x-forwarded-proto', 'https'],
      ['x-sni', 'b.test'],
      ['x-alpn', 'http/1.1'],
      ['x-tls', 'TLSv1.3'],
      ['x-forwarded-for', '127.0.0.1'],
    ]);
    expect(edge).toEqual(haproxy);
  });
});

describe('client timeouts over TLS', () => {
  it('a TLS connection that sends no request gets the 408 page after timeout http-request, as on a plain bind', async () => {
    const withTimeout = config().replace('    timeout client 5s\n', '    timeout client 5s\n    timeout http-request 300ms\n');
    const { haproxy, edge } = await runTlsOnBoth(withTimeout, ['s1', 's2'], async ({ tlsPort }) =>
      new Promise<string>((resolve) => {
        const socket = tlsConnect({ host: '127.0.0.1', port: tlsPort, servername: 'a.test', rejectUnauthorized: false });
        let received = '';
        socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
        socket.on('error', () => {});
        socket.on('close', () => resolve(received.split('\r\n')[0]!));
      }),
    );
    expect(haproxy).toBe('HTTP/1.1 408 Request Time-out');
    expect(edge).toBe(haproxy);
  });
});

describe('WebSocket over TLS', () => {
  it('wss: the upgrade takes the same path as on a plain bind (greeting, echo, persistence cookie on the 101)', async () => {
    const { haproxy, edge } = await runTlsOnBoth(config(), ['s1', 's2'], async ({ tlsPort }) => {
      // ws passes these TLS options on to tls.connect (its types list only some of them).
      const tlsOptions = { ca: certs.ca, servername: 'a.test', checkServerIdentity: () => undefined };
      const socket = new WebSocket(`wss://127.0.0.1:${tlsPort}/chat`, { headers: { host: 'a.test' }, ...(tlsOptions as object) });
      const cookie = new Promise<string>((resolve) => socket.once('upgrade', (response) => resolve(String(response.headers['set-cookie'] ?? ''))));
      const messages: string[] = [];
      await new Promise<void>((resolve, reject) => {
        socket.on('message', (data) => {
          messages.push(String(data));
          if (messages.length === 1) socket.send('ping over tls');
          else socket.close();
        });
        socket.once('close', () => resolve());
        socket.once('error', reject);
      });
      return { messages: messages.map((m) => m.replace(/s[12]$/, 'SERVER')), cookie: (await cookie).replace(/s[12]/, 'SERVER') };
    });
    expect(haproxy).toEqual({ messages: ['hello from SERVER', 'ping over tls'], cookie: 'SRV=SERVER; path=/' });
    expect(edge).toEqual(haproxy);
  });
});

describe('HTTP/2 over TLS', () => {
  it('is forwarded as HTTP/1.1 with Host from :authority, the same headers, and cookie persistence across streams', async () => {
    const { haproxy, edge } = await runTlsOnBoth(config(), ['s1', 's2'], async ({ tlsPort }) => {
      const session = await http2Session(tlsPort, certs.ca, 'a.test');
      try {
        const first = await http2Request(session, { ':path': '/first', ':authority': 'a.test' });
        const cookie = String(first.headers['set-cookie'] ?? '').split(';')[0]!;
        const server = (JSON.parse(first.body) as EchoReply).server;
        const next = await Promise.all([1, 2, 3, 4].map((i) => http2Request(session, { ':path': `/next/${i}`, ':authority': 'a.test', cookie, 'x-other': '1' })));
        return {
          status: first.status,
          cookie: cookie.replace(server, 'SERVER'),
          seen: seen(first),
          sticky: next.every((a) => (JSON.parse(a.body) as EchoReply).server === server),
          nextSetCookie: next.map((a) => a.headers['set-cookie'] ?? null),
        };
      } finally {
        session.close();
      }
    });
    expect(haproxy).toMatchObject({ status: 200, cookie: 'SRV=SERVER', sticky: true, nextSetCookie: [null, null, null, null] });
    expect(haproxy.seen).toContainEqual(['host', 'a.test']);
    expect(haproxy.seen).toContainEqual(['x-alpn', 'h2']);
    expect(edge).toEqual(haproxy);
  });

  it('a 1 MiB upload reaches the server whole', async () => {
    const body = Buffer.alloc(1024 * 1024, 'x');
    const { haproxy, edge } = await runTlsOnBoth(config(), ['s1', 's2'], async ({ tlsPort }) => {
      const session = await http2Session(tlsPort, certs.ca, 'a.test');
      try {
        const answer = await http2Request(session, { ':path': '/upload', ':authority': 'a.test' }, body);
        return { status: answer.status, bodyBytes: (JSON.parse(answer.body) as EchoReply).bodyBytes };
      } finally {
        session.close();
      }
    });
    expect(haproxy).toEqual({ status: 200, bodyBytes: 1024 * 1024 });
    expect(edge).toEqual(haproxy);
  });
});
