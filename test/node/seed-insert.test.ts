/**
 * The seed configuration end to end through the Node adapter, with real
 * backends on loopback: cookie insert/indirect/nocache, forwardfor, httpclose.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoBackend, type EchoBackend, type EchoReply } from '../helpers/echo-backend.ts';
import { startEdge, type RunningEdge } from '../helpers/edge-balancer.ts';
import { send, setCookieValue } from '../helpers/http-client.ts';
import { freePort } from '../helpers/ports.ts';

const SEED = `
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
listen appname
    bind 127.0.0.1:\${PORT}
    balance roundrobin
    option httpclose
    option forwardfor
    cookie SERVERNAME insert indirect nocache
    server apache-1 127.0.0.1:\${S1} cookie s1 check
    server apache-2 127.0.0.1:\${S2} cookie s2 check
`;

let backends: EchoBackend[];
let edge: RunningEdge;
let port: number;

beforeAll(async () => {
  backends = [await startEchoBackend('apache-1'), await startEchoBackend('apache-2')];
  edge = await startEdge(SEED, { PORT: String(await freePort()), S1: String(backends[0]!.port), S2: String(backends[1]!.port) });
  port = edge.listeners[0]!.port;
});

afterAll(async () => {
  await edge?.close(0);
  await Promise.all(backends?.map((b) => b.close()) ?? []);
});

const reply = (body: string) => JSON.parse(body) as EchoReply;
const seen = (r: EchoReply, name: string) => r.headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);

describe('seed config: cookie SERVERNAME insert indirect nocache', () => {
  it('alternates servers without a cookie and sets the cookie exactly as HAProxy does', async () => {
    const first = await send(port, '/');
    const second = await send(port, '/');
    expect([reply(first.body).server, reply(second.body).server]).toEqual(['apache-1', 'apache-2']);
    expect(first.all('set-cookie')).toEqual(['SERVERNAME=s1; path=/']);
    expect(second.all('set-cookie')).toEqual(['SERVERNAME=s2; path=/']);
  });

  it('keeps a client on its server for 20 requests and sends no Set-Cookie once it has one', async () => {
    const first = await send(port, '/');
    const cookie = setCookieValue(first, 'SERVERNAME')!;
    const server = reply(first.body).server;
    for (let i = 0; i < 20; i++) {
      const r = await send(port, `/page/${i}`, { headers: [['Cookie', cookie]] });
      expect(reply(r.body).server).toBe(server);
      expect(r.all('set-cookie')).toEqual([]);
    }
  });

  it('removes only its own cookie from what the server sees (indirect)', async () => {
    const r = await send(port, '/', { headers: [['Cookie', 'a=1; SERVERNAME=s2; b=2']] });
    expect(reply(r.body).server).toBe('apache-2');
    expect(seen(reply(r.body), 'cookie')).toEqual(['a=1; b=2']);
    const only = await send(port, '/', { headers: [['Cookie', 'SERVERNAME=s1']] });
    expect(seen(reply(only.body), 'cookie')).toEqual([]);
  });

  it('ignores an unknown server value: balanced normally, fresh cookie', async () => {
    const r = await send(port, '/', { headers: [['Cookie', 'SERVERNAME=s9']] });
    expect(r.all('set-cookie')).toHaveLength(1);
    expect(r.get('set-cookie')).toMatch(/^SERVERNAME=s[12]; path=\/$/);
  });

  it('adds Cache-Control: private only to a cacheable response that carries the cookie', async () => {
    const cacheable = await send(port, '/?cache-control=public%2C%20max-age%3D60');
    expect(cacheable.all('cache-control')).toEqual(['public, max-age=60', 'private']);
    const plain = await send(port, '/');
    expect(plain.all('cache-control')).toEqual([]);
    const pinned = await send(port, '/?cache-control=public%2C%20max-age%3D60', { headers: [['Cookie', 'SERVERNAME=s1']] });
    expect(pinned.all('cache-control')).toEqual(['public, max-age=60']);
  });

  it('adds X-Forwarded-For as a new line and closes connections (httpclose)', async () => {
    const r = await send(port, '/', { headers: [['X-Forwarded-For', '203.0.113.7']] });
    expect(seen(reply(r.body), 'x-forwarded-for')).toEqual(['203.0.113.7', '127.0.0.1']);
    expect(seen(reply(r.body), 'connection')).toEqual(['close']);
    expect(r.get('connection')).toBe('close');
  });

  it('passes Host and the request URI unchanged', async () => {
    const r = await send(port, '/a/b?x=1&y=%20', { headers: [['Host', 'www.example.com']] });
    expect(reply(r.body).url).toBe('/a/b?x=1&y=%20');
    expect(seen(reply(r.body), 'host')).toEqual(['www.example.com']);
  });

  it('logs one access line per request', async () => {
    const before = edge.access.length;
    await send(port, '/logged');
    const entry = edge.access[before]!;
    expect(edge.access.length).toBe(before + 1);
    expect(entry).toMatchObject({ frontend: 'appname', backend: 'appname', status: 200, method: 'GET', uri: '/logged' });
  });
});
