/**
 * Keep-alive in the HTTP/1.1 client Deno forwards with
 * (src/proxy/http1-client.ts): a connection is reused once its response was
 * read to the end, never when the server said close, sent more than the
 * response, or the exchange ended early; a kept connection the server closed
 * costs no request. Run over node:net against raw servers that count their
 * connections.
 */
import { once } from 'node:events';
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RequestHead, UpstreamResponse } from '../../src/deps.ts';
import { createHttp1Upstream, type ByteConnection, type Http1Upstream } from '../../src/proxy/http1-client.ts';

interface Exchange {
  /** 0 for the server's first connection, 1 for the second… */
  readonly connection: number;
  /** The request's place on its connection, from 0. */
  readonly request: number;
  readonly head: string;
}

interface CountingServer {
  readonly port: number;
  /** Connections accepted so far. */
  connections(): number;
  /** Every socket, to close one from the test. */
  readonly sockets: Socket[];
}

const servers: Server[] = [];
const serverSockets: Socket[] = [];
const upstreams: Http1Upstream[] = [];
afterEach(async () => {
  for (const upstream of upstreams.splice(0)) upstream.closeIdle();
  for (const socket of serverSockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A server answering each request head (bodies are not read) with what `answer` writes on the socket. */
async function countingServer(answer: (socket: Socket, exchange: Exchange) => void): Promise<CountingServer> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    const connection = sockets.push(socket) - 1;
    serverSockets.push(socket);
    let buffered = '';
    let request = 0;
    socket.on('data', (data: Buffer) => {
      buffered += data.toString('latin1');
      for (let end = buffered.indexOf('\r\n\r\n'); end >= 0; end = buffered.indexOf('\r\n\r\n')) {
        const head = buffered.slice(0, end);
        buffered = buffered.slice(end + 4);
        answer(socket, { connection, request: request++, head });
      }
    });
    socket.on('error', () => {});
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as { port: number }).port, connections: () => sockets.length, sockets };
}

/** `read(buffer)` over a web stream, as a Deno connection offers it. */
function readInto(readable: ReadableStream<Uint8Array>): (buffer: Uint8Array) => Promise<number | null> {
  const reader = readable.getReader();
  let left: Uint8Array = new Uint8Array(0);
  return async (buffer) => {
    if (left.byteLength === 0) {
      const { done, value } = await reader.read();
      if (done) return null;
      left = value;
    }
    const count = Math.min(buffer.byteLength, left.byteLength);
    buffer.set(left.subarray(0, count));
    left = left.subarray(count);
    return count;
  };
}

type ReadStyle = 'readable' | 'read(buffer)';
let readStyle: ReadStyle = 'readable';

function nodeUpstream(): Http1Upstream {
  const style = readStyle;
  const upstream = createHttp1Upstream(async (host, port) => {
    const socket = netConnect(port, host);
    await once(socket, 'connect');
    const { readable, writable } = Duplex.toWeb(socket) as unknown as ByteConnection;
    const read = style === 'read(buffer)' ? { read: readInto(readable) } : {};
    return { readable, writable, ...read, close: () => socket.destroy() };
  });
  upstreams.push(upstream);
  return upstream;
}

const target = (port: number) => ({ host: '127.0.0.1', port, close: false });
const get: RequestHead = { method: 'GET', target: '/', headers: [['host', 'x']] };
const text = async (response: UpstreamResponse) => (response.body ? await new Response(response.body).text() : '');
const ok = (body: string, extra = '') => `HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n${extra}\r\n${body}`;

describe.each<ReadStyle>(['readable', 'read(buffer)'])('http1-client keep-alive, reading with %s', (style) => {
  beforeEach(() => {
    readStyle = style;
  });

  it('sends ten sequential requests over one connection', async () => {
    const server = await countingServer((socket, { request }) => socket.write(ok(`answer ${request}`)));
    const upstream = nodeUpstream();
    const bodies: string[] = [];
    for (let i = 0; i < 10; i++) bodies.push(await text(await upstream.request(target(server.port), get, null, {})));
    expect(bodies).toEqual(Array.from({ length: 10 }, (_, i) => `answer ${i}`));
    expect(server.connections()).toBe(1);
  });

  it('reuses a connection after a chunked body and after a bodiless 204', async () => {
    const server = await countingServer((socket, { request }) =>
      socket.write(request % 2 ? 'HTTP/1.1 204 No Content\r\n\r\n' : 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n'),
    );
    const upstream = nodeUpstream();
    const answers: string[] = [];
    for (let i = 0; i < 4; i++) answers.push(await text(await upstream.request(target(server.port), get, null, {})));
    expect(answers).toEqual(['abc', '', 'abc', '']);
    expect(server.connections()).toBe(1);
  });

  it('does not lose the next request when the server closed the idle kept connection', async () => {
    const server = await countingServer((socket, { connection }) => socket.write(ok(`connection ${connection}`)));
    const upstream = nodeUpstream();
    expect(await text(await upstream.request(target(server.port), get, null, {}))).toBe('connection 0');
    const closed = once(server.sockets[0]!, 'close');
    server.sockets[0]!.end();
    await closed;
    expect(await text(await upstream.request(target(server.port), get, null, {}))).toBe('connection 1');
  });

  it('sends a request again on a new connection when the kept one closes as it goes out, once', async () => {
    // The second request on the first connection is dropped with the connection: a close that crossed it.
    const server = await countingServer((socket, { connection, request }) =>
      connection === 0 && request === 1 ? socket.destroy() : socket.write(ok(`connection ${connection}`)),
    );
    const upstream = nodeUpstream();
    expect(await text(await upstream.request(target(server.port), get, null, {}))).toBe('connection 0');
    expect(await text(await upstream.request(target(server.port), get, null, {}))).toBe('connection 1');
    expect(server.connections()).toBe(2);
  });

  it('gives a request with a body, or a POST, a connection of its own', async () => {
    const server = await countingServer((socket) => socket.write(ok('fine')));
    const upstream = nodeUpstream();
    await text(await upstream.request(target(server.port), get, null, {}));
    const post: RequestHead = { method: 'POST', target: '/', headers: [['content-length', '0']] };
    await text(await upstream.request(target(server.port), post, null, {}));
    expect(server.connections()).toBe(2);
    // Both were kept afterwards: the next two GETs need no new connection.
    await Promise.all([0, 1].map(async () => text(await upstream.request(target(server.port), get, null, {}))));
    expect(server.connections()).toBe(2);
  });

  it('does not reuse a connection the server said it closes, an HTTP/1.0 one, one after `option httpclose` or a request asking to close', async () => {
    // The server keeps its sockets open: only the client's decision shows.
    const server = await countingServer((socket, { request }) =>
      socket.write(request === 0 ? ok('a', 'Connection: close\r\n') : ok('b')),
    );
    const upstream = nodeUpstream();
    await text(await upstream.request(target(server.port), get, null, {}));
    await text(await upstream.request(target(server.port), get, null, {}));
    expect(server.connections()).toBe(2);

    const old = await countingServer((socket) => socket.write('HTTP/1.0 200 OK\r\ncontent-length: 1\r\n\r\nx'));
    await text(await upstream.request(target(old.port), get, null, {}));
    await text(await upstream.request(target(old.port), get, null, {}));
    expect(old.connections()).toBe(2);

    const httpclose = await countingServer((socket) => socket.write(ok('c')));
    await text(await upstream.request({ ...target(httpclose.port), close: true }, get, null, {}));
    await text(await upstream.request({ ...target(httpclose.port), close: true }, get, null, {}));
    expect(httpclose.connections()).toBe(2);

    const asksToClose = await countingServer((socket) => socket.write(ok('d')));
    const head: RequestHead = { ...get, headers: [...get.headers, ['Connection', 'close']] };
    await text(await upstream.request(target(asksToClose.port), head, null, {}));
    await text(await upstream.request(target(asksToClose.port), head, null, {}));
    expect(asksToClose.connections()).toBe(2);
  });

  it('does not reuse a connection that carried more than the response', async () => {
    // A server that answers twice (a pipelining bug, or a smuggled response): the extra answer must not reach the next request.
    const server = await countingServer((socket, { connection }) =>
      socket.write(ok(`first ${connection}`) + ok('smuggled')),
    );
    const upstream = nodeUpstream();
    expect(await text(await upstream.request(target(server.port), get, null, {}))).toBe('first 0');
    expect(await text(await upstream.request(target(server.port), get, null, {}))).toBe('first 1');
  });

  it('does not reuse a connection whose response body was abandoned', async () => {
    const server = await countingServer((socket, { connection }) =>
      socket.write(connection === 0 ? ok('x'.repeat(200_000)) : ok(`connection ${connection}`)),
    );
    const upstream = nodeUpstream();
    const reader = (await upstream.request(target(server.port), get, null, {})).body!.getReader();
    await reader.read();
    await reader.cancel();
    expect(await text(await upstream.request(target(server.port), get, null, {}))).toBe('connection 1');
  });

  it('does not reuse a connection whose response body timed out (`timeout server`)', async () => {
    // The first connection's body stops half-way; the rest would come after the timeout.
    const server = await countingServer((socket, { connection }) =>
      socket.write(connection === 0 ? 'HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nhalf' : ok(`connection ${connection}`)),
    );
    const upstream = nodeUpstream();
    const stalled = await upstream.request(target(server.port), get, null, { serverTimeout: 50 });
    await expect(text(stalled)).rejects.toThrow();
    server.sockets[0]!.write('-the rest');
    expect(await text(await upstream.request(target(server.port), get, null, {}))).toBe('connection 1');
  });

  it('does not reuse a connection whose request body failed half-way', async () => {
    const server = await countingServer((socket, { connection }) => socket.write(ok(`connection ${connection}`)));
    const upstream = nodeUpstream();
    const failing = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('part'));
        controller.error(new Error('client went away'));
      },
    });
    const post: RequestHead = { method: 'POST', target: '/', headers: [] };
    await expect(upstream.request(target(server.port), post, failing, {})).rejects.toThrow();
    expect(await text(await upstream.request(target(server.port), get, null, {}))).toBe('connection 1');
  });
});
