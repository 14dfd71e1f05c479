/**
 * The Node fast path's upstream on raw sockets (adapters/node/raw-upstream.ts)
 * against real `net` servers on 127.0.0.1 that misbehave: what goes out is
 * the bytes undici sent, what comes back is the body as the server framed it,
 * failures are the UpstreamErrors src/'s retry policy and error pages expect.
 */
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createRawUpstream } from '../../adapters/node/raw-upstream.ts';
import type { BodySink, UpstreamBody } from '../../adapters/node/upstream-body.ts';
import { UpstreamError, type Upstream } from '../../src/deps.ts';

const servers: Server[] = [];
const sockets: Socket[] = [];
const tlsUnused: Upstream<UpstreamBody> = { request: () => Promise.reject(new Error('no TLS here')) };
const upstream = createRawUpstream(tlsUnused);

afterEach(async () => {
  upstream.closeIdle();
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A server calling `onHead(socket, received, index)` for each complete request head (index: the connection's). */
async function rawServer(onHead: (socket: Socket, head: string, connection: number) => void): Promise<{ port: number; heads: string[] }> {
  const heads: string[] = [];
  let connections = 0;
  const server = createServer((socket) => {
    sockets.push(socket);
    const connection = connections++;
    let received = '';
    socket.on('data', (d: Buffer) => {
      received += d.toString('latin1');
      let end: number;
      while ((end = received.indexOf('\r\n\r\n')) >= 0) {
        const head = received.slice(0, end + 4);
        received = received.slice(end + 4);
        heads.push(head);
        onHead(socket, head, connection);
      }
    });
    socket.on('error', () => {});
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as { port: number }).port, heads };
}

const target = (port: number, close = false) => ({ host: '127.0.0.1', port, close });
const get = (path = '/', headers: [string, string][] = []) => ({ method: 'GET', target: path, headers });

/** A client's response as a BodySink: collects the bytes; `paused` makes write() report a full buffer until `drain()`. */
class CollectingSink implements BodySink {
  chunks: Buffer[] = [];
  trailers: [string, string][] | undefined;
  ended = false;
  destroyed = false;
  paused = false;
  readonly #drainListeners: (() => void)[] = [];
  readonly done: Promise<void>;
  #settle!: () => void;
  constructor() {
    this.done = new Promise((resolve) => (this.#settle = resolve));
  }
  get text(): string {
    return Buffer.concat(this.chunks).toString('latin1');
  }
  get bytes(): number {
    return this.chunks.reduce((sum, c) => sum + c.byteLength, 0);
  }
  /** Every chunk was a Buffer (the raw front copies them with `copy`). */
  allBuffers = true;
  write(chunk: Buffer): boolean {
    this.allBuffers &&= Buffer.isBuffer(chunk);
    this.chunks.push(Buffer.from(chunk));
    return !this.paused;
  }
  end(chunk?: Buffer): void {
    if (chunk) this.allBuffers &&= Buffer.isBuffer(chunk);
    if (chunk) this.chunks.push(Buffer.from(chunk));
    this.ended = true;
    this.#settle();
  }
  destroy(): void {
    this.destroyed = true;
    this.#settle();
  }
  addTrailers(trailers: [string, string][]): void {
    this.trailers = trailers;
  }
  on(_event: 'drain', listener: () => void): void {
    this.#drainListeners.push(listener);
  }
  drain(): void {
    this.paused = false;
    for (const listener of this.#drainListeners) listener();
  }
}

async function bodyOf(body: UpstreamBody | null): Promise<CollectingSink> {
  const sink = new CollectingSink();
  if (body) {
    body.pipeTo(sink, () => {});
    await sink.done;
  }
  return sink;
}

async function failureOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UpstreamError);
  return (error as UpstreamError).failure;
}

describe('the raw upstream', () => {
  it("writes undici's bytes (host first, connection, lines as given, expect dropped) and reads a head split in pieces", async () => {
    // A server that trickles: the pieces 20 ms apart, so they arrive as reads of their own.
    const server = await rawServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nConte');
      setTimeout(() => socket.write('nt-Length: 5\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\nhel'), 20);
      setTimeout(() => socket.write('lo'), 40);
    });
    const head = get('/a/../b?%2e', [['X-F', '1'], ['Host', 'x'], ['Expect', '100-continue'], ['x-f', '2']]);
    const response = await upstream.request(target(server.port), head, null, {});
    expect(server.heads[0]).toBe('GET /a/../b?%2e HTTP/1.1\r\nhost: x\r\nconnection: keep-alive\r\nX-F: 1\r\nx-f: 2\r\n\r\n');
    expect(response.status).toBe(200);
    expect(response.headers).toEqual([['content-length', '5'], ['set-cookie', 'a=1'], ['set-cookie', 'b=2']]);
    // The head came in pieces (the parser joined them): the body is still handed on as Buffers.
    expect(await bodyOf(response.body)).toMatchObject({ text: 'hello', allBuffers: true });
  });

  it('sends connection: close for option httpclose and a request that asks for it, and keeps no such connection', async () => {
    const server = await rawServer((socket) => socket.write('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'));
    await upstream.request(target(server.port, true), get('/1'), null, {});
    await upstream.request(target(server.port), get('/2', [['connection', 'close']]), null, {});
    await upstream.request(target(server.port), get('/3'), null, {});
    await upstream.request(target(server.port), get('/4'), null, {});
    expect(server.heads.map((h) => /connection: (\S+)/.exec(h)?.[1])).toEqual(['close', 'close', 'keep-alive', 'keep-alive']);
    // Two new connections for the closing requests, then one kept for /3 and /4.
    expect(sockets.length).toBe(3);
  });

  it('streams a request body after the head, with its Content-Length, or chunked when the length is unknown', async () => {
    // Everything one connection received; answered once the body's end is there.
    let received = '';
    const server = createServer((socket) => {
      sockets.push(socket);
      socket.on('data', (d: Buffer) => {
        received += d.toString('latin1');
        if (received.endsWith('hello') || received.endsWith('0\r\n\r\n')) socket.write('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n');
      });
    });
    servers.push(server.listen(0, '127.0.0.1'));
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    const body = () =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(Buffer.from('hel'));
          controller.enqueue(Buffer.from('lo'));
          controller.close();
        },
      });
    await upstream.request(target(port), { method: 'POST', target: '/', headers: [['content-length', '5']] }, body(), {});
    expect(received).toBe(`POST / HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nconnection: keep-alive\r\ncontent-length: 5\r\n\r\nhello`);
    received = '';
    await upstream.request(target(port), { method: 'POST', target: '/', headers: [] }, body(), {});
    expect(received).toBe(`POST / HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nconnection: keep-alive\r\ntransfer-encoding: chunked\r\n\r\n3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n`);
  });

  it('refuses, as undici did (502), a head that would split into other lines: nothing reaches the server', async () => {
    const server = await rawServer((socket) => socket.write('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'));
    const send = (head: { method: string; target: string; headers: [string, string][] }) => failureOf(upstream.request(target(server.port), head, null, {}));
    expect(await send(get('/', [['x-a', 'v\r\nx-injected: 1']]))).toBe('bad-response');
    expect(await send(get('/', [['x-a\r\nx-injected', 'v']]))).toBe('bad-response');
    expect(await send(get('/a b HTTP/1.1\r\nx-injected: 1\r\nx:'))).toBe('bad-response');
    expect(await send({ method: 'GET /x', target: '/', headers: [] })).toBe('bad-response');
    expect(await send(get('*'))).toBe('bad-response');
    await upstream.request(target(server.port), get('/fine', [['x-a', 'caf\xe9\tok']]), null, {});
    expect(server.heads).toEqual([`GET /fine HTTP/1.1\r\nhost: 127.0.0.1:${server.port}\r\nconnection: keep-alive\r\nx-a: caf\xe9\tok\r\n\r\n`]);
  });

  it('forwards a chunked body without its framing, and its trailer fields', async () => {
    const server = await rawServer((socket) =>
      socket.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n1\r\n!\r\n0\r\nx-checksum: 42\r\n\r\n'),
    );
    const response = await upstream.request(target(server.port), get(), null, {});
    const sink = await bodyOf(response.body);
    expect(sink.text).toBe('hello!');
    expect(sink.trailers).toEqual([['x-checksum', '42']]);
  });

  it('reads a body delimited by the close', async () => {
    const server = await rawServer((socket) => socket.end('HTTP/1.0 200 OK\r\n\r\nuntil the end'));
    const response = await upstream.request(target(server.port), get(), null, {});
    const sink = await bodyOf(response.body);
    expect(sink).toMatchObject({ ended: true, destroyed: false });
    expect(sink.text).toBe('until the end');
  });

  it('sends a GET again, once, on a new connection when the server closed the kept one as it went out', async () => {
    const server = await rawServer((socket, _head, connection) => {
      // The first connection answers once, then closes on the next request without a word.
      if (connection === 0 && server.heads.length > 1) socket.destroy();
      else socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
    });
    await bodyOf((await upstream.request(target(server.port), get('/1'), null, {})).body);
    const again = await upstream.request(target(server.port), get('/2'), null, {});
    expect((await bodyOf(again.body)).text).toBe('ok');
    expect(server.heads.map((h) => h.split(' ')[1])).toEqual(['/1', '/2', '/2']);
  });

  it('does not send again what failed on a new connection: reset', async () => {
    const server = await rawServer((socket) => socket.destroy());
    expect(await failureOf(upstream.request(target(server.port), get(), null, {}))).toBe('reset');
    expect(server.heads.length).toBe(1);
  });

  it('a bad Content-Length, or a bad chunk size with the head, is a bad response (502); a bad chunk size later cuts the body', async () => {
    const badLength = await rawServer((socket) => socket.write('HTTP/1.1 200 OK\r\ncontent-length: 12abc\r\n\r\n'));
    expect(await failureOf(upstream.request(target(badLength.port), get(), null, {}))).toBe('bad-response');
    const badChunk = await rawServer((socket) => socket.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n'));
    expect(await failureOf(upstream.request(target(badChunk.port), get(), null, {}))).toBe('bad-response');
    let serverSocket!: Socket;
    const laterBadChunk = await rawServer((socket) => {
      serverSocket = socket;
      socket.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\r\n');
    });
    const response = await upstream.request(target(laterBadChunk.port), get(), null, {});
    // The head was handed over: now the bad chunk.
    serverSocket.write('zz\r\n');
    expect(await bodyOf(response.body)).toMatchObject({ destroyed: true, ended: false, text: 'ok' });
  });

  it('a refused connection is `refused`', async () => {
    const server = await rawServer(() => {});
    const port = server.port;
    await new Promise((resolve) => servers.pop()!.close(resolve));
    expect(await failureOf(upstream.request(target(port), get(), null, {}))).toBe('refused');
  });

  it('a server silent past timeout server is `timeout` (504), before the head and between body chunks', async () => {
    const silent = await rawServer(() => {});
    expect(await failureOf(upstream.request(target(silent.port), get(), null, { serverTimeout: 100 }))).toBe('timeout');
    const stalls = await rawServer((socket) => socket.write('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nhalf'));
    const response = await upstream.request(target(stalls.port), get(), null, { serverTimeout: 100 });
    expect(await bodyOf(response.body)).toMatchObject({ destroyed: true, ended: false });
  });

  it('the client leaving (signal) drops the connection, never reused', async () => {
    const server = await rawServer(() => {});
    const left = new AbortController();
    const pending = upstream.request(target(server.port), get(), null, { signal: left.signal });
    await once(servers[0]!, 'connection');
    left.abort();
    await failureOf(pending);
    await once(sockets[0]!, 'close');
  });

  it('back-pressure: a slow client pauses the server socket, and the whole body arrives once it drains', async () => {
    const size = 16 * 1024 * 1024;
    let serverStalled!: () => void;
    const stalled = new Promise<void>((resolve) => (serverStalled = resolve));
    let serverDrains = 0;
    const server = await rawServer((socket) => {
      socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${size}\r\n\r\n`);
      let sent = 0;
      const pump = () => {
        while (sent < size) {
          const chunk = Buffer.alloc(Math.min(64 * 1024, size - sent), 7);
          sent += chunk.byteLength;
          if (!socket.write(chunk)) {
            serverStalled();
            socket.once('drain', () => {
              serverDrains++;
              pump();
            });
            return;
          }
        }
      };
      pump();
    });
    const response = await upstream.request(target(server.port), get(), null, {});
    const sink = new CollectingSink();
    sink.paused = true;
    response.body!.pipeTo(sink, () => {});
    await stalled;
    // Paused: the server's socket stays full, no drain in a whole window (read on, it drains all the time).
    for (let windows = 0; ; windows++) {
      expect(windows).toBeLessThan(10);
      const drainsBefore = serverDrains;
      await new Promise((resolve) => setTimeout(resolve, 300));
      if (serverDrains === drainsBefore) break;
    }
    expect(sink.bytes).toBeLessThan(size);
    sink.drain();
    await sink.done;
    expect(sink).toMatchObject({ ended: true, destroyed: false });
    expect(sink.bytes).toBe(size);
  });
});
