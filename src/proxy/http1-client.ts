/**
 * An Upstream that speaks HTTP/1.1 itself over a byte connection, for
 * runtimes whose `fetch` cannot forward a request as it came: Deno's fetch
 * resolves dot segments in the target, adds `accept`, `accept-language`,
 * `user-agent` and `accept-encoding: gzip,br`, and decompresses the answer
 * while passing its Content-Encoding and Content-Length on (observed, Deno
 * 2.9: the client got 30 bytes of plain text labelled gzip). HAProxy passes
 * the target, the header lines and the body unchanged, so this client writes
 * the head as given and hands the body on as the server framed it (the
 * transfer coding removed, no content coding touched). Responses are parsed
 * by src/http1/response-parser.ts, as on Node: the framing rules are
 * undici's, and what undici refuses is haproxy's 502 here too.
 *
 * Connections to a server are kept alive and reused (haproxy's default
 * `option http-keep-alive` with `http-reuse safe`): a connection goes back to
 * the pool once its response was read to the end, unless the server said
 * `close` (or answered HTTP/1.0, or delimited the body by closing), the
 * request asked for it (`option httpclose`, a client's `Connection: close`),
 * or bytes beyond the response arrived. A server may close an idle connection
 * at any time, so only requests that can be sent twice take a kept one (no
 * body, an idempotent method); if the server closed it as the request went
 * out and nothing came back, the request is sent again, once, on a new
 * connection (undici's way; haproxy's `safe` instead sends the requests a
 * client could not retry on a connection of their own). Every other request
 * gets a new connection, kept afterwards like the others.
 */
import type { ServerTls } from '../config/types.ts';
import { UpstreamError, type RequestHead, type Upstream, type UpstreamOptions, type UpstreamResponse, type UpstreamTarget, type UpstreamTls } from '../deps.ts';
import { ResponseParser, type ResponseEvents } from '../http1/response-parser.ts';
import { connectionListsToken } from './upgrade.ts';
import { Deadlines, type Deadline } from './deadlines.ts';
import { IdleConnections, type KeptConnection } from './idle-connections.ts';
import { streamOf } from './responses.ts';

/** A connected byte stream (the shape of a Deno connection and of a Workers `connect()` socket). */
export interface ByteConnection {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  /**
   * Reads into `buffer`: the count, or null at the end (a Deno connection's
   * `read`). Used instead of `readable` when present: Deno's readable
   * allocates 64 KiB for every read, however small the answer.
   */
  read?(buffer: Uint8Array): Promise<number | null>;
  /**
   * Writes some of `bytes`: the count written (a Deno connection's `write`).
   * Used instead of `writable` when present: one call, no stream machinery.
   */
  write?(bytes: Uint8Array): Promise<number>;
  close(): void;
}

/**
 * Opens a connection (over TLS when `tls` is given, handshake done), or
 * throws an UpstreamError `refused`, `connect-timeout` (within `timeoutMs`
 * when given), `tls-handshake` or `tls-name-mismatch`.
 */
export type Connect = (host: string, port: number, timeoutMs: number | undefined, tls?: UpstreamTls) => Promise<ByteConnection>;

/**
 * A response body as the client reads it: the bytes themselves when the whole
 * body arrived with the head (the usual small answer: no stream to build or
 * to read), else a stream.
 */
export type Http1Body = Uint8Array | ReadableStream<Uint8Array>;

export interface Http1Upstream extends Upstream {
  /** The same connections, the body handed on as Http1Body (a front end that can send bytes as they are). */
  readonly native: Upstream<Http1Body>;
  /** Closes the idle kept connections (those in use close when their exchange ends). */
  closeIdle(): void;
}

/** Numbers for TLS settings objects (one per server and configuration), so pool keys stay short. */
const tlsIds = new WeakMap<ServerTls, number>();
let lastTlsId = 0;

/** Which kept connections a request may take: same address, and for TLS the same settings and SNI. */
function poolKey(target: UpstreamTarget): string {
  if (!target.tls) return `${target.host}|${target.port}`;
  let id = tlsIds.get(target.tls.settings);
  if (id === undefined) tlsIds.set(target.tls.settings, (id = ++lastTlsId));
  return `${target.host}|${target.port}|tls${id}|${target.tls.servername ?? ''}`;
}

/** Bytes asked for by one read(), into a buffer each connection reuses (as much as Deno's readable reads at once). */
const READ_BUFFER_BYTES = 64 * 1024;
/** Idle connections kept per server; more are closed when released. */
const MAX_IDLE_PER_SERVER = 128;
/** RFC 9110 §9.2.2: requests a client may send again when the connection failed before an answer. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);
const encoder = new TextEncoder();

export function createHttp1Upstream(connect: Connect): Http1Upstream {
  const idle = new IdleConnections<ServerConnection>(MAX_IDLE_PER_SERVER);
  const deadlines = new Deadlines();
  const open = async (target: UpstreamTarget, options: UpstreamOptions) =>
    new ServerConnection(await connect(target.host, target.port, options.connectTimeout, target.tls));
  const native: Upstream<Http1Body> = {
    async request(target, head, body, options) {
      const server = poolKey(target);
      const resendable = body === null && IDEMPOTENT.has(head.method);
      const kept = resendable ? idle.take(server) : undefined;
      const release = (connection: ServerConnection) => idle.keep(server, connection);
      if (kept) {
        try {
          return await new ServerExchange(kept, options, release, deadlines).run(target, head, body);
        } catch (error) {
          if (!(error instanceof StaleConnection)) throw error;
          // The server closed the kept connection as the request went out: nothing came back, send it again.
        }
      }
      return new ServerExchange(await open(target, options), options, release, deadlines).run(target, head, body);
    },
  };
  return {
    native,
    async request(target, head, body, options) {
      const response = await native.request(target, head, body, options);
      return response.body instanceof Uint8Array ? { ...response, body: streamOf(response.body) } : (response as UpstreamResponse);
    },
    closeIdle: () => idle.closeAll(),
  };
}

/** A kept connection failed before any byte of the answer: the request may be sent again on a new one. */
class StaleConnection extends Error {}

/** One connection to a server: its reader, writer and response parser live as long as it does. */
class ServerConnection implements KeptConnection {
  readonly input: ChunkReader;
  /** Sends all of `bytes`. */
  readonly send: (bytes: Uint8Array) => Promise<void>;
  readonly parser = new ResponseParser();
  /** Has served a request already (a failure with nothing received then means it went stale). */
  reused = false;
  closed = false;
  readonly #connection: ByteConnection;

  constructor(connection: ByteConnection) {
    this.#connection = connection;
    this.input = new ChunkReader(chunksOf(connection));
    this.send = sendingTo(connection);
  }

  watchIdle(ended: () => void): void {
    this.input.readAhead().then(ended, ended);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.input.cancel();
    try {
      this.#connection.close();
    } catch {
      // already closed by the peer
    }
  }
}

interface ParsedHead {
  readonly status: number;
  /** Names lower-cased, as HAProxy 2.6 writes them. */
  readonly headers: [string, string][];
  /** The server keeps the connection open after this response (the parser's verdict). */
  readonly keepAlive: boolean;
}

/**
 * One request and its response on a connection: writes the request, feeds
 * what each read brings to the connection's parser, whose events land here,
 * and ends by keeping the connection for the next request or closing it.
 * Also the `timeout server` wait (a Deadline) and the abort listener.
 */
class ServerExchange implements ResponseEvents, Deadline, EventListenerObject {
  /** Deadline: when `timeout server` expires, moved on by every read that brings bytes. */
  at = 0;
  readonly #connection: ServerConnection;
  readonly #options: UpstreamOptions;
  readonly #release: (connection: ServerConnection) => void;
  readonly #deadlines: Deadlines;
  #head: ParsedHead | undefined;
  /** Body bytes parsed and not handed on yet (views into the reads' chunks, which chunksOf never reuses). */
  #body: Uint8Array[] = [];
  /** The parser saw the response's end. */
  #ended = false;
  /** The exchange is over (the connection kept or closed). */
  #done = false;
  #timedOut = false;
  #waiting = false;
  /** The connection may carry another request once this response was read to its end. */
  #keep = false;

  constructor(connection: ServerConnection, options: UpstreamOptions, release: (connection: ServerConnection) => void, deadlines: Deadlines) {
    this.#connection = connection;
    this.#options = options;
    this.#release = release;
    this.#deadlines = deadlines;
  }

  async run(target: UpstreamTarget, head: RequestHead, body: ReadableStream<Uint8Array> | null): Promise<UpstreamResponse<Http1Body>> {
    const connection = this.#connection;
    const { signal } = this.#options;
    const receivedBefore = connection.input.received;
    signal?.addEventListener('abort', this, { once: true });
    if (signal?.aborted) this.#finish(false);
    this.#arm();
    connection.parser.start(head.method, this);
    try {
      const chunked = body !== null && !head.headers.some(([name]) => name.toLowerCase() === 'content-length');
      await writeRequest(connection.send, head, body, chunked);
      while (!this.#head) {
        if (!(await this.#receive())) throw new UpstreamError('bad-response', 'the server closed before a complete response head');
      }
      const { status, headers, keepAlive } = this.#head;
      // The request's own `Connection: close` (a client's, `option httpclose`'s) makes the server close.
      this.#keep = keepAlive && !target.close && !connectionListsToken(head.headers, 'close');
      // A chunked body stays a stream even when it came whole: as bytes, Deno's HTTP server would send it with a Content-Length.
      if (!this.#ended || headers.some(([name]) => name === 'transfer-encoding')) return { status, headers, body: this.#bodyStream() };
      // A body that came whole with its head (the usual small answer): handed over as its bytes, the connection freed now.
      const whole = this.#body[0] ?? null;
      this.#body = [];
      this.#finish(this.#keep);
      return { status, headers, body: whole };
    } catch (error) {
      const stale = connection.reused && connection.input.received === receivedBefore && !this.#timedOut && !signal?.aborted;
      this.#finish(false);
      if (stale) throw new StaleConnection('kept connection closed by the server', { cause: error });
      throw this.#failure(error);
    }
  }

  onResponseHead(status: number, headers: [string, string][], keepAlive: boolean): void {
    this.#head = { status, headers, keepAlive };
  }

  onResponseBody(chunk: Uint8Array): void {
    this.#body.push(chunk);
  }

  /** Trailer fields are dropped: a Fetch Response has nowhere to put them (README, Trailers). */
  onResponseEnd(): void {
    this.#ended = true;
  }

  /** Deadline: `timeout server` passed without a byte from the server. */
  expire(): void {
    this.#timedOut = true;
    this.#finish(false);
  }

  /** The request's signal aborted (the client left). */
  handleEvent(): void {
    this.#finish(false);
  }

  /**
   * Reads the next bytes into the parser (which throws on a response undici
   * refuses); false when the server closed and that does not end the response.
   */
  async #receive(): Promise<boolean> {
    const connection = this.#connection;
    const bytes = await connection.input.read();
    // Closed under the read by a timeout or an abort: not the server's end of the response.
    if (this.#done) throw new UpstreamError('reset', 'the exchange with the server ended');
    if (bytes === undefined) return connection.parser.close();
    this.#arm();
    connection.parser.feed(bytes);
    return true;
  }

  #bodyStream(): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          try {
            while (this.#body.length === 0 && !this.#ended) {
              if (!(await this.#receive())) throw new UpstreamError('reset', 'the server closed in the middle of the body');
            }
            for (const chunk of this.#body) controller.enqueue(chunk);
            this.#body = [];
            if (this.#ended) {
              this.#finish(this.#keep);
              controller.close();
            }
          } catch (error) {
            this.#finish(false);
            controller.error(this.#failure(error));
          }
        },
        // The reader went away before the end: what is left of the body would poison the connection.
        cancel: () => this.#finish(false),
      },
      // One chunk read ahead: the next read from the server overlaps the write of this one to the client.
      { highWaterMark: 1 },
    );
  }

  /** `timeout server`: until the response head, then between body reads; one timer for all exchanges. */
  #arm(): void {
    const { serverTimeout } = this.#options;
    if (serverTimeout === undefined || this.#done) return;
    this.at = Date.now() + serverTimeout;
    if (this.#waiting) return;
    this.#waiting = true;
    this.#deadlines.add(this);
  }

  /** What a failed exchange throws: the timeout when it expired, else the UpstreamError it was. */
  #failure(error: unknown): UpstreamError {
    if (this.#timedOut) return new UpstreamError('timeout', 'server timeout', { cause: error });
    if (error instanceof UpstreamError) return error;
    return new UpstreamError('reset', String(error), { cause: error });
  }

  /** Ends the exchange: the connection is kept for the next request or closed. */
  #finish(keep: boolean): void {
    if (this.#done) return;
    this.#done = true;
    if (this.#waiting) this.#deadlines.delete(this);
    this.#options.signal?.removeEventListener('abort', this);
    const connection = this.#connection;
    // Bytes after the response's end: the connection cannot carry another one.
    if (keep && !connection.parser.extraBytes && !connection.closed) {
      connection.reused = true;
      this.#release(connection);
    } else connection.close();
  }
}

async function writeRequest(
  send: (bytes: Uint8Array) => Promise<void>,
  head: RequestHead,
  body: ReadableStream<Uint8Array> | null,
  chunked: boolean,
): Promise<void> {
  let text = `${head.method} ${head.target} HTTP/1.1\r\n`;
  // Names in lower case, as HAProxy 2.6 writes them.
  for (const [name, value] of head.headers) text += `${name.toLowerCase()}: ${value}\r\n`;
  if (chunked) text += 'transfer-encoding: chunked\r\n';
  await send(encoder.encode(`${text}\r\n`));
  if (body) {
    const reader = body.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      const chunk = read.value;
      if (chunk.byteLength === 0) continue;
      if (chunked) await send(encoder.encode(`${chunk.byteLength.toString(16)}\r\n`));
      await send(chunk);
      if (chunked) await send(encoder.encode('\r\n'));
    }
    if (chunked) await send(encoder.encode('0\r\n\r\n'));
  }
}

/** How a connection is written to: its own `write` until all is sent, else its writable stream. */
function sendingTo(connection: ByteConnection): (bytes: Uint8Array) => Promise<void> {
  if (connection.write) {
    const write = connection.write.bind(connection);
    return async (bytes) => {
      // A write may take only part of the bytes (a full socket buffer).
      for (let sent = await write(bytes); sent < bytes.byteLength; sent += await write(bytes.subarray(sent)));
    };
  }
  const writer = connection.writable.getWriter();
  return (bytes) => writer.write(bytes);
}

/** A connection's bytes, one chunk per read (undefined at the end); `cancel` stops reading. */
interface ChunkSource {
  read(): Promise<Uint8Array | undefined>;
  cancel(): void;
}

/**
 * Every chunk is memory of its own, never overwritten by a later read: the
 * parser hands the body on as views into the chunks it was fed.
 */
function chunksOf(connection: ByteConnection): ChunkSource {
  if (connection.read) {
    let buffer = new Uint8Array(READ_BUFFER_BYTES);
    return {
      read: async () => {
        const count = await connection.read!(buffer);
        if (count === null) return undefined;
        // A small chunk is copied out and the buffer reused; a large one
        // takes the buffer with it (copying it costs more).
        if (count < READ_BUFFER_BYTES / 8) return buffer.slice(0, count);
        const chunk = buffer.subarray(0, count);
        buffer = new Uint8Array(READ_BUFFER_BYTES);
        return chunk;
      },
      cancel: () => {}, // closing the connection ends a pending read
    };
  }
  const reader = connection.readable.getReader();
  return {
    read: async () => (await reader.read()).value,
    cancel: () => void reader.cancel().catch(() => {}),
  };
}

/** A connection's chunks as they come, counted, with one read that may start ahead (an idle kept connection's). */
class ChunkReader {
  readonly #source: ChunkSource;
  /** A read started ahead, which the next read() takes. */
  #ahead: Promise<Uint8Array | undefined> | undefined;
  /** Bytes read from the connection so far. */
  received = 0;

  constructor(source: ChunkSource) {
    this.#source = source;
  }

  /** The next chunk, or undefined at the end of the stream. */
  async read(): Promise<Uint8Array | undefined> {
    const read = this.#ahead ?? this.#source.read();
    this.#ahead = undefined;
    const chunk = await read;
    if (chunk !== undefined) this.received += chunk.byteLength;
    return chunk;
  }

  readAhead(): Promise<unknown> {
    return (this.#ahead ??= this.#source.read());
  }

  cancel(): void {
    this.#source.cancel();
  }
}
