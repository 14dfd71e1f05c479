/**
 * The raw front (adapters/node/raw-front.ts) serves ordinary proxied requests
 * on the socket and hands everything else to node:http at that request's
 * boundary. For each kind of request: which path served it (counted on
 * RawResponse.start) and that the bytes the client receives equal those of
 * the same request with the raw front off (node:http serving all).
 */
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as connectTls } from 'node:tls';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createNodeDeps } from '../../adapters/node/node-deps.ts';
import { RawResponse } from '../../adapters/node/raw-response.ts';
import { startBalancer, type RunningBalancer } from '../../adapters/node/serve.ts';
import { parseHaproxyConfig } from '../../src/config/index.ts';
import { freePort } from '../helpers/ports.ts';
import { selfSigned } from '../helpers/test-ca.ts';

const BIG = Buffer.alloc(1024 * 1024, 'x');

function backendHandler(request: import('node:http').IncomingMessage, response: import('node:http').ServerResponse): void {
  response.sendDate = false;
  const path = request.url ?? '/';
  if (path === '/echo') {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => response.end(Buffer.concat(chunks)));
    return;
  }
  request.resume();
  if (path.startsWith('/small') || path === '/stats-like') return void response.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100' }).end('y'.repeat(100));
  if (path === '/chunked') return void response.writeHead(200, { 'transfer-encoding': 'chunked' }).end('abc');
  if (path === '/trailers') {
    response.writeHead(200, { 'transfer-encoding': 'chunked', trailer: 'x-sum' });
    response.addTrailers({ 'x-sum': '42' });
    return void response.end('abc');
  }
  if (path === '/ka') return void response.writeHead(200, { 'content-length': '2', 'keep-alive': 'timeout=7' }).end('ok');
  if (path === '/close') return void response.writeHead(200, { 'content-length': '2', connection: 'close' }).end('ok');
  if (path === '/reason') return void response.writeHead(202, { 'content-length': '2' }).end('ok');
  if (path === '/204') return void response.writeHead(204).end();
  if (path === '/304') return void response.writeHead(304, { etag: '"a"' }).end();
  if (path === '/big') return void response.writeHead(200, { 'content-length': String(BIG.length) }).end(BIG);
  response.writeHead(404, { 'content-length': '0' }).end();
}

const CONFIG = `
defaults
    mode http
    timeout connect 5s
    timeout server 30s
    timeout client 30s
listen app
    bind 127.0.0.1:\${PORT}
    stats enable
    stats uri /stats
    http-request deny if { path /denied }
    http-response set-status 299 reason Fine if { status 202 }
    use_backend down if { path /down }
    server s1 127.0.0.1:\${S1}
backend down
    retries 0
    server s1 127.0.0.1:\${DEAD}
`;

let backend: Server;
let raw: RunningBalancer;
let plain: RunningBalancer;

async function start(rawFront: boolean, s1: number, dead: number, bindOptions = '', defaults = ''): Promise<RunningBalancer> {
  const env = { PORT: String(await freePort()), S1: String(s1), DEAD: String(dead) };
  const text = CONFIG.replace('bind 127.0.0.1:${PORT}', `bind 127.0.0.1:\${PORT}${bindOptions}`).replace('    timeout client 30s\n', `    timeout client 30s\n${defaults}`);
  const { config } = parseHaproxyConfig([{ file: 'test.cfg', text }], { env, readFile: (path) => readFileSync(path, 'utf8') });
  const quiet = { info() {}, warn() {}, access() {} };
  return startBalancer(config, { deps: createNodeDeps(quiet), rawFront, checks: false });
}

beforeAll(async () => {
  backend = createServer(backendHandler);
  backend.listen(0, '127.0.0.1');
  await once(backend, 'listening');
  const s1 = (backend.address() as AddressInfo).port;
  const dead = await freePort();
  raw = await start(true, s1, dead);
  plain = await start(false, s1, dead);
});

afterAll(async () => {
  await raw?.close(0);
  await plain?.close(0);
  backend?.closeAllConnections();
  await new Promise((resolve) => backend?.close(resolve));
});

/** Writes `pieces` one after the other on a fresh connection; resolves with all it received once it closes. */
async function exchange(port: number, pieces: readonly string[], halfClose = false): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  let answer = '';
  socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
  const closed = once(socket, 'close');
  for (const piece of pieces) await new Promise((resolve) => socket.write(piece, 'latin1', resolve));
  if (halfClose) socket.end();
  await closed;
  return answer;
}

const portOf = (balancer: RunningBalancer) => balancer.listeners[0]!.port;
const CLOSING = 'GET /small/last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
const get = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: x\r\n${extra}\r\n`;

/** What each request is, the raw responses the exchange should count (the closing request included), and whether bytes must equal. */
const TABLE: readonly { name: string; request: string; rawResponses: number; sameBytes?: boolean; closes?: boolean }[] = [
  { name: 'a small GET', request: get('/small'), rawResponses: 2 },
  { name: 'a chunked answer', request: get('/chunked'), rawResponses: 2 },
  { name: 'trailers', request: get('/trailers'), rawResponses: 2 },
  { name: "the server's Keep-Alive line", request: get('/ka'), rawResponses: 2 },
  // Connection is hop-by-hop: the client's connection stays open.
  { name: "the server's Connection: close", request: get('/close'), rawResponses: 2 },
  { name: 'HEAD', request: `HEAD /small HTTP/1.1\r\nHost: x\r\n\r\n`, rawResponses: 2 },
  { name: '204', request: get('/204'), rawResponses: 2 },
  { name: '304', request: get('/304'), rawResponses: 2 },
  { name: '1 MiB', request: get('/big'), rawResponses: 2 },
  { name: 'a rule-set reason phrase', request: get('/reason'), rawResponses: 2 },
  { name: 'a 503 page (server down)', request: get('/down'), rawResponses: 1, closes: true },
  { name: 'the client asks to close', request: get('/small', 'Connection: close\r\n'), rawResponses: 1, closes: true },
  { name: 'POST with Content-Length: 0', request: `POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n`, rawResponses: 2 },
  { name: 'a body (node:http)', request: `POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc`, rawResponses: 0 },
  { name: 'chunked body (node:http)', request: `POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n`, rawResponses: 0 },
  { name: 'HTTP/1.0 (node:http)', request: `GET /small HTTP/1.0\r\nHost: x\r\n\r\n`, rawResponses: 0 },
  { name: 'absolute form (node:http)', request: `GET http://x/small HTTP/1.1\r\nHost: x\r\n\r\n`, rawResponses: 0 },
  { name: 'no Host (node:http: 400)', request: `GET /small HTTP/1.1\r\n\r\n`, rawResponses: 0 },
  { name: 'two Hosts (node:http: 400)', request: `GET /small HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n`, rawResponses: 0 },
  { name: 'a deny (node:http)', request: get('/denied'), rawResponses: 0 },
  { name: 'the stats page (node:http)', request: get('/stats'), rawResponses: 0, sameBytes: false },
  { name: 'Expect (node:http)', request: get('/small', 'Expect: 100-continue\r\nContent-Length: 0\r\n'), rawResponses: 0 },
  { name: 'obs-fold (node:http: 400)', request: `GET /small HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n`, rawResponses: 0 },
  { name: 'a bare LF (node:http)', request: `GET /small HTTP/1.1\nHost: x\n\n`, rawResponses: 0 },
  { name: 'a space in the target (node:http: 400)', request: `GET /a b HTTP/1.1\r\nHost: x\r\n\r\n`, rawResponses: 0 },
  { name: 'an unknown method (node:http)', request: `FOO /small HTTP/1.1\r\nHost: x\r\n\r\n`, rawResponses: 0 },
  { name: 'HTTP/0.9 (node:http: 400)', request: `GET /small\r\n`, rawResponses: 0 },
];

describe('raw front: which path serves a request, and the same bytes as node:http', () => {
  for (const { name, request, rawResponses, sameBytes = true, closes = false } of TABLE) {
    it(name, async () => {
      const starts = vi.spyOn(RawResponse.prototype, 'start');
      // Then a request that closes (node:http answers a request pipelined after a close with a 400).
      const bytes = closes ? request : request + CLOSING;
      try {
        const viaRaw = await exchange(portOf(raw), [bytes]);
        expect(starts.mock.calls.length).toBe(rawResponses);
        starts.mockClear();
        const viaNode = await exchange(portOf(plain), [bytes]);
        expect(starts.mock.calls.length).toBe(0);
        expect(viaRaw.length).toBeGreaterThan(0);
        if (sameBytes) expect(viaRaw).toBe(viaNode);
        else expect(viaRaw.split('\r\n')[0]).toBe(viaNode.split('\r\n')[0]);
      } finally {
        starts.mockRestore();
      }
    });
  }
});

describe('raw front: connections', () => {
  it('pipelined requests split at any byte boundary get their answers in order', async () => {
    const bytes = get('/small/1') + get('/chunked') + get('/small/2') + CLOSING;
    const expected = await exchange(portOf(plain), [bytes]);
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 6 }), async (cuts) => {
        const at = [0, ...cuts.sort((a, b) => a - b), bytes.length];
        const pieces = at.slice(1).map((end, i) => bytes.slice(at[i], end));
        expect(await exchange(portOf(raw), pieces)).toBe(expected);
      }),
      { numRuns: 40 },
    );
  });

  it('a client that shuts down its sending side after its requests still gets every answer', async () => {
    const requests = get('/small/1') + get('/small/2');
    const viaRaw = await exchange(portOf(raw), [requests], true);
    expect(viaRaw).toBe(await exchange(portOf(plain), [requests], true));
    expect(viaRaw.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(2);
  });

  it('a malformed request after two good ones on one connection gets HAProxy\'s 400 page after their answers', async () => {
    const malformed = 'GET /a b HTTP/1.1\r\nHost: x\r\n\r\n';
    const answer = await exchange(portOf(raw), [get('/small/1') + get('/small/2') + malformed]);
    const good = await exchange(portOf(plain), [CLOSING]);
    const alone = await exchange(portOf(plain), [malformed]);
    expect(alone).toMatch(/^HTTP\/1\.1 400 Bad request\r\n[^]*<h1>400 Bad request<\/h1>/);
    expect(answer).toBe(good.replace('Connection: close', 'Connection: keep-alive').repeat(2) + alone);
  });

  it('the stats page on a connection that proxied first', async () => {
    const answer = await exchange(portOf(raw), [get('/small/1') + get('/stats', 'Connection: close\r\n')]);
    const [first, second] = answer.split(/(?=HTTP\/1\.1 )/);
    expect(first).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(second).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(second).toContain('<h1>Statistics</h1>');
  });

  it('a FIN in the middle of the next head: the answers, then what node:http answers to that part alone', async () => {
    const viaRaw = await exchange(portOf(raw), [get('/small/1') + 'GET /sm'], true);
    const first = await exchange(portOf(plain), [get('/small/1')], true);
    expect(viaRaw).toBe(first + (await exchange(portOf(plain), ['GET /sm'], true)));
  });
});

describe('raw front: graceful close', () => {
  it('closes an idle kept-alive connection at once and a busy one after its response', async () => {
    let release: (() => void) | undefined;
    let slowArrived: () => void = () => {};
    const arrived = new Promise<void>((resolve) => (slowArrived = resolve));
    const slow = createServer((request, response) => {
      response.sendDate = false;
      if (request.url !== '/slow') return void response.end('fast');
      release = () => response.end('slow answer');
      slowArrived();
    });
    slow.listen(0, '127.0.0.1');
    await once(slow, 'listening');
    const balancer = await start(true, (slow.address() as AddressInfo).port, await freePort());
    try {
      const idle = connect(portOf(balancer), '127.0.0.1');
      let idleAnswer = '';
      const answered = new Promise<void>((resolve) =>
        idle.on('data', (d: Buffer) => {
          idleAnswer += d.toString('latin1');
          if (idleAnswer.endsWith('fast')) resolve();
        }),
      );
      const idleClosed = once(idle, 'close');
      idle.write(get('/first'));
      await answered;

      const busy = connect(portOf(balancer), '127.0.0.1');
      let busyAnswer = '';
      busy.on('data', (d: Buffer) => (busyAnswer += d.toString('latin1')));
      const busyClosed = once(busy, 'close');
      busy.write(get('/slow'));
      await arrived;

      const closing = balancer.close(10_000);
      await idleClosed;
      expect(busyAnswer).toBe('');
      release!();
      await busyClosed;
      expect(busyAnswer).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nslow answer$/);
      await closing;
    } finally {
      await balancer.close(0);
      slow.closeAllConnections();
      await new Promise((resolve) => slow.close(resolve));
    }
  });
});

describe('raw front: the last response', () => {
  it('after a request that asks to close, what the client pipelined is not answered', async () => {
    const answer = await exchange(portOf(raw), [get('/small/1', 'Connection: close\r\n') + get('/small/2')]);
    expect(answer.match(/HTTP\/1\.1 /g)).toHaveLength(1);
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*Connection: close\r\n\r\ny{100}$/);
  });
});

describe('raw front: more connections', () => {
  it('serves the HTTP/1.1 requests of a TLS bind, and hands the connection over there too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'raw-front-tls-'));
    selfSigned(dir, 'site', '/CN=localhost');
    writeFileSync(join(dir, 'site.both.pem'), readFileSync(join(dir, 'site.pem'), 'utf8') + readFileSync(join(dir, 'site.key'), 'utf8'));
    const tlsBalancer = await start(true, (backend.address() as AddressInfo).port, await freePort(), ` ssl crt ${join(dir, 'site.both.pem')}`);
    const starts = vi.spyOn(RawResponse.prototype, 'start');
    try {
      const socket = connectTls({ port: portOf(tlsBalancer), host: '127.0.0.1', servername: 'localhost', rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
      let answer = '';
      socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
      const closed = once(socket, 'close');
      socket.end(get('/small/1') + get('/stats') + CLOSING);
      await closed;
      expect(answer.match(/HTTP\/1\.1 200 OK\r\n/g)).toHaveLength(3);
      expect(answer).toContain('<h1>Statistics</h1>');
      expect(starts.mock.calls.length).toBe(1);
    } finally {
      starts.mockRestore();
      await tlsBalancer.close(0);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers a flood of pipelined requests in order, reading no faster than it answers', async () => {
    const count = 2000;
    const requests = Array.from({ length: count }, (_, i) => get(`/small/${i}`)).join('') + CLOSING;
    expect(requests.length).toBeGreaterThan(64 * 1024);
    const answer = await exchange(portOf(raw), [requests]);
    expect(answer.match(/HTTP\/1\.1 200 OK\r\n/g)).toHaveLength(count + 1);
    expect(answer).toBe(await exchange(portOf(plain), [requests]));
  });
});

describe('raw front: timeout http-request', () => {
  it('runs for a next head pipelined behind an answer, from that answer on: 408 page', async () => {
    const strict = await start(true, (backend.address() as AddressInfo).port, await freePort(), '', '    timeout http-request 300ms\n');
    try {
      const answer = await exchange(portOf(strict), [get('/small/1') + 'GET /sm']);
      const [first, second] = answer.split(/(?=HTTP\/1\.1 )/);
      expect(first).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*y{100}$/);
      expect(second).toMatch(/^HTTP\/1\.1 408 Request Time-out\r\n/);
    } finally {
      await strict.close(0);
    }
  });
});
