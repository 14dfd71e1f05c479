/**
 * The HTTP/1.1 client Deno forwards with (src/proxy/http1-client.ts), run
 * here over node:net against raw servers: what goes out is the head as given,
 * what comes back is the body as the server framed it, failures are the
 * UpstreamErrors the retry policy and the error pages expect.
 */
import { once } from 'node:events';
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../src/deps.ts';
import { createHttp1Upstream, type ByteConnection } from '../../src/proxy/http1-client.ts';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A server that records what it received and, once a full head (and `bodyBytes`) arrived, writes `answer`. */
async function rawServer(answer: string | Buffer | null, bodyBytes = 0): Promise<{ port: number; received: () => string }> {
  let received = '';
  const server = createServer((socket: Socket) => {
    socket.on('data', (d: Buffer) => {
      received += d.toString('latin1');
      const end = received.indexOf('\r\n\r\n');
      if (end >= 0 && received.length - end - 4 >= bodyBytes && answer !== null) {
        socket.end(answer);
        answer = null;
      }
    });
    socket.on('error', () => {});
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as { port: number }).port, received: () => received };
}

const upstream = createHttp1Upstream(async (host, port) => {
  const socket = netConnect(port, host);
  await once(socket, 'connect');
  const { readable, writable } = Duplex.toWeb(socket);
  return { readable, writable, close: () => socket.destroy() } as unknown as ByteConnection;
});

const target = (port: number) => ({ host: '127.0.0.1', port, close: false });
const text = async (body: ReadableStream<Uint8Array> | null) => (body ? Buffer.from(await new Response(body).arrayBuffer()) : null);

describe('http1-client', () => {
  it('writes the target and header lines as given (names in lower case), and reads a Content-Length body', async () => {
    const server = await rawServer('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\nhello');
    const head = { method: 'GET', target: '/a/../b?%2e', headers: [['Host', 'x'], ['X-F', '1'], ['x-f', '2']] as [string, string][] };
    const response = await upstream.request(target(server.port), head, null, {});
    expect(server.received()).toBe('GET /a/../b?%2e HTTP/1.1\r\nhost: x\r\nx-f: 1\r\nx-f: 2\r\n\r\n');
    expect(response.status).toBe(200);
    expect(response.headers).toEqual([['content-length', '5'], ['set-cookie', 'a=1'], ['set-cookie', 'b=2']]);
    expect((await text(response.body))!.toString()).toBe('hello');
  });

  it('passes a gzipped body byte for byte and removes only the chunked framing', async () => {
    const gzip = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xcb, 0x48, 0xcd, 0xc9, 0xc9, 7, 0]);
    const chunked = Buffer.concat([
      Buffer.from('HTTP/1.1 200 OK\r\ncontent-encoding: gzip\r\ntransfer-encoding: chunked\r\n\r\n5;ext=1\r\n'),
      gzip.subarray(0, 5),
      Buffer.from(`\r\n${(gzip.length - 5).toString(16)}\r\n`),
      gzip.subarray(5),
      Buffer.from('\r\n0\r\ntrailer: x\r\n\r\n'),
    ]);
    const server = await rawServer(chunked);
    const response = await upstream.request(target(server.port), { method: 'GET', target: '/', headers: [] }, null, {});
    expect(response.headers).toContainEqual(['content-encoding', 'gzip']);
    expect(await text(response.body)).toEqual(gzip);
  });

  it('reads a body delimited by the close, none for HEAD or 204, and skips 1xx heads', async () => {
    const closeDelimited = await rawServer('HTTP/1.0 200 OK\r\n\r\nuntil the end');
    const response = await upstream.request(target(closeDelimited.port), { method: 'GET', target: '/', headers: [] }, null, {});
    expect((await text(response.body))!.toString()).toBe('until the end');
    const head = await rawServer('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 99\r\n\r\n');
    const headResponse = await upstream.request(target(head.port), { method: 'HEAD', target: '/', headers: [] }, null, {});
    expect([headResponse.status, headResponse.body]).toEqual([200, null]);
  });

  it('sends a body of unknown length chunked, one of known length as it is', async () => {
    const chunked = await rawServer('HTTP/1.1 204 No Content\r\n\r\n', 13);
    await upstream.request(target(chunked.port), { method: 'POST', target: '/', headers: [] }, new Blob(['abc']).stream(), { serverTimeout: 5000 });
    expect(chunked.received()).toBe('POST / HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n');
    const sized = await rawServer('HTTP/1.1 204 No Content\r\n\r\n', 3);
    await upstream.request(target(sized.port), { method: 'POST', target: '/', headers: [['Content-Length', '3']] }, new Blob(['abc']).stream(), { serverTimeout: 5000 });
    expect(sized.received()).toBe('POST / HTTP/1.1\r\ncontent-length: 3\r\n\r\nabc');
  });

  it('reads the head as src/http1/response-parser.ts does: names lower-cased, values trimmed, `…, chunked` framed as chunked', async () => {
    const server = await rawServer('HTTP/1.1 200 OK\r\nX-A:  1 \r\nTransfer-Encoding: gzip, Chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n');
    const response = await upstream.request(target(server.port), { method: 'GET', target: '/', headers: [] }, null, {});
    expect(response.headers).toEqual([['x-a', '1'], ['transfer-encoding', 'gzip, Chunked']]);
    expect((await text(response.body))!.toString()).toBe('abc');
  });

  it('refuses what the parser refuses (bad-response, haproxy 502), which this client once let through', async () => {
    const failure = (promise: Promise<unknown>) => promise.then(() => 'answered', (e: unknown) => (e instanceof UpstreamError ? e.failure : String(e)));
    const refused = [
      // A space before the colon (the name was trimmed).
      'HTTP/1.1 200 OK\r\nX-A : 1\r\nContent-Length: 0\r\n\r\n',
      // Content-Length with Transfer-Encoding (chunked won).
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 99\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
      // Two Content-Lengths (the first won).
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\nhello',
      // A head over 16 KiB (64 KiB were read).
      `HTTP/1.1 200 OK\r\nX-Big: ${'b'.repeat(20_000)}\r\nContent-Length: 0\r\n\r\n`,
    ];
    for (const answer of refused) {
      const server = await rawServer(answer);
      expect(await failure(upstream.request(target(server.port), { method: 'GET', target: '/', headers: [] }, null, {}))).toBe('bad-response');
    }
  });

  it('hands a body that came whole with its head over as bytes (`native`), a longer one as a stream', async () => {
    const small = await rawServer('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello');
    const whole = await upstream.native.request(target(small.port), { method: 'GET', target: '/', headers: [] }, null, {});
    expect(whole.body).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(whole.body as Uint8Array).toString()).toBe('hello');
    const size = 1024 * 1024;
    const large = await rawServer(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${size}\r\n\r\n`), Buffer.alloc(size, 'x')]));
    const streamed = await upstream.native.request(target(large.port), { method: 'GET', target: '/', headers: [] }, null, {});
    expect(streamed.body).toBeInstanceOf(ReadableStream);
    expect((await text(streamed.body as ReadableStream<Uint8Array>))!.length).toBe(size);
    // A chunked body stays a stream even when it came whole (Deno.serve keeps it chunked then).
    const chunked = await rawServer('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n');
    const chunks = await upstream.native.request(target(chunked.port), { method: 'GET', target: '/', headers: [] }, null, {});
    expect(chunks.body).toBeInstanceOf(ReadableStream);
    expect((await text(chunks.body as ReadableStream<Uint8Array>))!.toString()).toBe('abcde');
  });

  it('fails a body the server goes silent in with `timeout server`, even one that would end at the close', async () => {
    for (const answer of ['HTTP/1.1 200 OK\r\n\r\npart', 'HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\npart']) {
      // Answers part of the response, then says nothing more.
      const server = createServer((socket) => socket.on('error', () => {}).resume().write(answer));
      servers.push(server);
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const response = await upstream.request(target((server.address() as { port: number }).port), { method: 'GET', target: '/', headers: [] }, null, { serverTimeout: 50 });
      const error = await text(response.body).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(UpstreamError);
      expect((error as UpstreamError).failure).toBe('timeout');
    }
  });

  it('fails as the error pages expect: no head → bad-response (502), silence → timeout (504)', async () => {
    const closes = await rawServer('');
    const failure = (promise: Promise<unknown>) => promise.then(() => 'answered', (e: unknown) => (e instanceof UpstreamError ? e.failure : String(e)));
    expect(await failure(upstream.request(target(closes.port), { method: 'GET', target: '/', headers: [] }, null, {}))).toBe('bad-response');
    const silent = await rawServer(null);
    expect(await failure(upstream.request(target(silent.port), { method: 'GET', target: '/', headers: [] }, null, { serverTimeout: 50 }))).toBe('timeout');
    const garbage = await rawServer('SSH-2.0-OpenSSH\r\n\r\n');
    expect(await failure(upstream.request(target(garbage.port), { method: 'GET', target: '/', headers: [] }, null, {}))).toBe('bad-response');
    for (const line of ['no colon', ': no name']) {
      const bad = await rawServer(`HTTP/1.1 200 OK\r\nContent-Length: 0\r\n${line}\r\n\r\n`);
      expect(await failure(upstream.request(target(bad.port), { method: 'GET', target: '/', headers: [] }, null, {}))).toBe('bad-response');
    }
  });
});
