/**
 * `timeout tarpit` and the answers of `deny`/`tarpit`/`return`, on haproxy
 * 2.6 and on edge-balancer (Node adapter): how long a tarpit holds the
 * request (the deciding section's `timeout tarpit`, else its `timeout
 * connect`), and the exact status line, headers and body of each answer —
 * `deny deny_status N` alone is HAProxy's page, `deny status N` or
 * `deny_status N` with more arguments an empty reply.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOn } from './harness.ts';

const CONFIG = `
defaults
    mode http
    timeout connect 1500ms
    timeout client 10s
    timeout server 10s

frontend www
    bind 127.0.0.1:\${PORT}
    timeout tarpit 300ms
    http-request tarpit if { path /tarpit-front }
    http-request deny status 299 if { path /deny-status }
    http-request deny deny_status 404 if { path /deny-page }
    http-request deny deny_status 404 hdr x-why blocked if { path /deny-hdr }
    http-request deny deny_status 422 if { path /deny-422 }
    http-request deny deny_status 200 if { path /deny-200 }
    http-request return status 421 if { path /return-421 }
    http-request return status 404 default-errorfiles if { path /return-page }
    use_backend slow if { path_beg /back }
    default_backend app

backend app
    server a1 127.0.0.1:\${S1}

backend slow
    timeout connect 700ms
    http-request tarpit deny_status 503 if { path /back-tarpit }
    server s1 127.0.0.1:\${S1}
`;

const PATHS = ['/deny-status', '/deny-page', '/deny-hdr', '/deny-422', '/deny-200', '/return-421', '/return-page', '/tarpit-front', '/back-tarpit'];

/** The raw response to one request (the connection kept open, as the client asked). */
function rawExchange(port: number, path: string): Promise<{ text: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect(port, '127.0.0.1', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: t\r\n\r\n`));
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
      const headEnd = text.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: (\d+)/i.exec(text);
      if (headEnd >= 0 && length && text.length - headEnd - 4 >= Number(length[1])) {
        const ms = performance.now() - started;
        socket.destroy();
        resolve({ text, ms });
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve({ text, ms: performance.now() - started }));
  });
}

const seen: Record<'haproxy' | 'edge-balancer', Map<string, { text: string; ms: number }>> = { haproxy: new Map(), 'edge-balancer': new Map() };

beforeAll(async () => {
  for (const kind of ['haproxy', 'edge-balancer'] as const) {
    await runOn(kind, CONFIG, ['app'], async (proxy) => {
      const results = await Promise.all(PATHS.map((path) => rawExchange(proxy.port, path)));
      PATHS.forEach((path, i) => seen[kind].set(path, results[i]!));
    });
  }
}, 30_000);

afterAll(() => {
  seen.haproxy.clear();
  seen['edge-balancer'].clear();
});

/**
 * Node adds `Connection: keep-alive` and `Keep-Alive: timeout=N` on a kept-alive
 * connection (a documented difference, see the README); the rest must match.
 */
const withoutNodeKeepAlive = (text: string) => text.replace(/\r\nConnection: keep-alive(?=\r\n)/, '').replace(/\r\nKeep-Alive: timeout=\d+(?=\r\n)/, '');

describe('deny / return answers, edge-balancer vs haproxy 2.6', () => {
  for (const path of PATHS) {
    it(`${path}: the same status line, headers and body`, () => {
      expect(withoutNodeKeepAlive(seen['edge-balancer'].get(path)!.text)).toBe(seen.haproxy.get(path)!.text);
    });
  }

  it('the answers differ from one another as HAProxy makes them differ', () => {
    const text = (path: string) => withoutNodeKeepAlive(seen['edge-balancer'].get(path)!.text);
    expect(text('/deny-status')).toBe('HTTP/1.1 299 Success\r\ncontent-length: 0\r\n\r\n');
    expect(text('/deny-page')).toMatch(/^HTTP\/1\.1 404 Not Found\r\ncontent-length: 83\r\n/);
    expect(text('/deny-hdr')).toBe('HTTP/1.1 404 Not Found\r\nx-why: blocked\r\ncontent-length: 0\r\n\r\n');
    expect(text('/deny-422')).toContain('<h1>422 Unprocessable Content</h1>');
  });
});

describe('timeout tarpit, edge-balancer vs haproxy 2.6', () => {
  it("a frontend rule holds the request for the frontend's timeout tarpit (300 ms)", () => {
    for (const kind of ['haproxy', 'edge-balancer'] as const) {
      const { ms } = seen[kind].get('/tarpit-front')!;
      expect(ms, kind).toBeGreaterThanOrEqual(290);
      expect(ms, kind).toBeLessThan(1200);
    }
  });

  it("a backend rule without timeout tarpit holds it for the backend's timeout connect (700 ms)", () => {
    for (const kind of ['haproxy', 'edge-balancer'] as const) {
      const { ms } = seen[kind].get('/back-tarpit')!;
      expect(ms, kind).toBeGreaterThanOrEqual(690);
      expect(ms, kind).toBeLessThan(1450);
    }
  });
});
