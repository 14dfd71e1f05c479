/**
 * HTTP/2 connections as haproxy 2.6 serves them, on a plain bind (prior
 * knowledge: a connection that opens with the HTTP/2 preface) and on a TLS
 * bind whose ALPN chose `h2` (./tls-front.ts): each stream is an ordinary
 * request for the same handler (forwarded to the
 * server in HTTP/1.1, Host taken from `:authority`, cookie fields joined into
 * one `cookie` line, as haproxy does).
 *
 * Node's HTTP/1 parser stops at the preface (`HPE_PAUSED_H2_UPGRADE`, a
 * clientError carrying the bytes read); the connection is then handed to a
 * node:http2 server with those bytes put back. The hand-over touches two
 * internals, both checked by test/websocket/h2c.differential.test.ts: the
 * parser must stop consuming the socket, and the socket must read again.
 */
import type { RequestListener } from 'node:http';
import { createServer, type Http2ServerRequest, type Http2ServerResponse, type ServerHttp2Session } from 'node:http2';
import type { Socket } from 'node:net';

/** Connection-specific fields HTTP/2 forbids (RFC 9113 §8.2.2). */
const NOT_IN_H2 = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te']);

export class Http2AsHttp1 {
  readonly #server = createServer();
  readonly #sessions = new Set<ServerHttp2Session>();

  /** `handler()` is read per stream, so a reload's handler applies to the next ones. */
  constructor(handler: () => RequestListener, idleMs: () => number | undefined) {
    this.#server.on('session', (session: ServerHttp2Session) => {
      this.#sessions.add(session);
      session.once('close', () => this.#sessions.delete(session));
      const ms = idleMs();
      if (ms) session.setTimeout(ms, () => session.close());
    });
    this.#server.on('request', (request: Http2ServerRequest, response: Http2ServerResponse) => {
      asHttp1Request(request);
      asHttp1Response(response);
      handler()(request as never, response as never);
    });
  }

  /** Takes over `socket`, whose HTTP/1 parser stopped at the preface after reading `bytes`. */
  takeOver(socket: Socket, bytes: Buffer): void {
    const internal = socket as Socket & { parser?: { unconsume(): void }; _handle?: { readStart(): void; reading: boolean } };
    internal.parser?.unconsume();
    socket.removeAllListeners('data');
    socket.removeAllListeners('end');
    // Paused, the bytes put back wait in the socket's buffer, where the HTTP/2
    // session reads them when it starts; then the socket must read on.
    socket.pause();
    socket.unshift(bytes);
    this.#server.emit('connection', socket);
    // Marked as reading too, or the socket's own stream (which read these
    // bytes itself when the raw front had the connection) starts the read
    // again and fails (EALREADY): the session owns the handle now.
    if (internal._handle) {
      internal._handle.reading = true;
      internal._handle.readStart();
    }
  }

  /** Serves `socket`, a TLS connection whose ALPN chose `h2`. */
  serve(socket: Socket): void {
    this.#server.emit('connection', socket);
  }

  /** GOAWAY to every session: streams in progress finish, no new ones. */
  close(): void {
    for (const session of this.#sessions) session.close();
  }

  destroy(): void {
    for (const session of this.#sessions) session.destroy();
  }
}

/**
 * The request as the HTTP/1 path reads it: header lines with `host` from
 * `:authority` first and no pseudo-headers, one `cookie` line (RFC 9113
 * §8.2.3 allows several), and a body whenever the stream did not end with
 * its headers (HTTP/2 needs no Content-Length).
 */
function asHttp1Request(request: Http2ServerRequest): void {
  const raw = request.rawHeaders;
  const lines: string[] = [];
  const cookies: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    if (name === ':authority') lines.unshift('host', raw[i + 1]!);
    else if (name === 'cookie') cookies.push(raw[i + 1]!);
    else if (!name.startsWith(':')) lines.push(name, raw[i + 1]!);
  }
  if (cookies.length > 0) lines.push('cookie', cookies.join('; '));
  Object.defineProperty(request, 'rawHeaders', { value: lines });
  const headers = request.headers as Record<string, string | string[] | undefined>;
  if (!request.stream.endAfterHeaders && headers['content-length'] === undefined) headers['transfer-encoding'] = 'chunked';
}

/** `writeHead(status, flat lines)` as the HTTP/1 path calls it, into HTTP/2 fields. */
function asHttp1Response(response: Http2ServerResponse): void {
  response.sendDate = false;
  const writeHead = response.writeHead.bind(response);
  response.writeHead = ((status: number, ...rest: unknown[]) => {
    const flat = rest.find(Array.isArray) as string[] | undefined;
    const fields: Record<string, string | string[]> = {};
    for (let i = 0; flat && i + 1 < flat.length; i += 2) {
      const name = flat[i]!.toLowerCase();
      if (NOT_IN_H2.has(name)) continue;
      const value = flat[i + 1]!;
      const seen = fields[name];
      fields[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
    }
    return writeHead(status, fields);
  }) as typeof response.writeHead;
}
