/**
 * An Upstream that speaks HTTP/1.1 itself over a byte connection, for
 * runtimes whose `fetch` cannot forward a request as it came: Deno's fetch
 * resolves dot segments in the target, adds `accept`, `accept-language`,
 * `user-agent` and `accept-encoding: gzip,br`, and decompresses the answer
 * while passing its Content-Encoding and Content-Length on (observed, Deno
 * 2.9: the client got 30 bytes of plain text labelled gzip). HAProxy passes
 * the target, the header lines and the body unchanged, so this client writes
 * the head as given and hands the body on as the server framed it (the
 * transfer coding removed, no content coding touched).
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

/** Largest response head read (haproxy's default `tune.bufsize` is 16 KiB). */
const MAX_HEAD_BYTES = 64 * 1024;
/** Bytes asked for by one read(), into a buffer each connection reuses (as much as Deno's readable reads at once). */
const READ_BUFFER_BYTES = 64 * 1024;
/** Idle connections kept per server; more are closed when released. */
const MAX_IDLE_PER_SERVER = 128;
/** RFC 9110 §9.2.2: requests a client may send again when the connection failed before an answer. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);
const encoder = new TextEncoder();
const latin1 = new TextDecoder('latin1');

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
          return await exchange(kept, target, head, body, options, release, deadlines);
        } catch (error) {
          if (!(error instanceof StaleConnection)) throw error;
          // The server closed the kept connection as the request went out: nothing came back, send it again.
        }
      }
      return exchange(await open(target, options), target, head, body, options, release, deadlines);
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

/** One connection to a server: its reader and writer live as long as it does. */
class ServerConnection implements KeptConnection {
  readonly input: ByteReader;
  /** Sends all of `bytes`. */
  readonly send: (bytes: Uint8Array) => Promise<void>;
  /** Has served a request already (a failure with nothing received then means it went stale). */
  reused = false;
  closed = false;
  readonly #connection: ByteConnection;

  constructor(connection: ByteConnection) {
    this.#connection = connection;
    this.input = new ByteReader(chunksOf(connection));
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

async function exchange(
  connection: ServerConnection,
  target: UpstreamTarget,
  head: RequestHead,
  body: ReadableStream<Uint8Array> | null,
  options: UpstreamOptions,
  release: (connection: ServerConnection) => void,
  deadlines: Deadlines,
): Promise<UpstreamResponse<Http1Body>> {
  const { input } = connection;
  const receivedBefore = input.received;
  let done = false;
  let timedOut = false;
  /** Ends the exchange: the connection is kept for the next request or closed. */
  const finish = (keep: boolean) => {
    if (done) return;
    done = true;
    if (waiting) deadlines.delete(wait);
    options.signal?.removeEventListener('abort', abort);
    if (keep && input.buffered === 0 && !connection.closed) {
      connection.reused = true;
      release(connection);
    } else connection.close();
  };
  const abort = () => finish(false);
  // `timeout server`: until the response head, then between body reads; each
  // read that brings bytes moves the deadline (one timer for all exchanges).
  let waiting = false;
  const wait: Deadline = {
    at: 0,
    expire: () => {
      timedOut = true;
      finish(false);
    },
  };
  const arm = () => {
    if (options.serverTimeout === undefined || done) return;
    wait.at = Date.now() + options.serverTimeout;
    if (waiting) return;
    waiting = true;
    deadlines.add(wait);
  };
  options.signal?.addEventListener('abort', abort, { once: true });
  if (options.signal?.aborted) abort();
  arm();
  try {
    const chunked = body !== null && !head.headers.some(([name]) => name.toLowerCase() === 'content-length');
    await writeRequest(connection.send, head, body, chunked);
    let response: ParsedHead;
    do response = await readHead(input, arm);
    while (response.status < 200 && response.status !== 101);
    const { status, headers } = response;
    const length = framing(head.method, status, headers);
    // The request's own `Connection: close` (a client's, `option httpclose`'s) makes the server close.
    const keep = length !== 'close' && status !== 101 && !target.close && response.keepAlive && !connectionListsToken(head.headers, 'close');
    if (length === 0) {
      finish(keep);
      return { status, headers, body: null };
    }
    return { status, headers, body: bodyStream(input, length, arm, finish, keep) };
  } catch (error) {
    const stale = connection.reused && input.received === receivedBefore && !timedOut && !options.signal?.aborted;
    finish(false);
    if (stale) throw new StaleConnection('kept connection closed by the server', { cause: error });
    if (timedOut) throw new UpstreamError('timeout', 'server timeout', { cause: error });
    if (error instanceof UpstreamError) throw error;
    throw new UpstreamError('reset', String(error), { cause: error });
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

interface ParsedHead {
  readonly status: number;
  /** Names lower-cased, as HAProxy 2.6 writes them. */
  readonly headers: [string, string][];
  /** HTTP/1.1 without `Connection: close`: the server keeps the connection open. */
  readonly keepAlive: boolean;
}

async function readHead(input: ByteReader, progress: () => void): Promise<ParsedHead> {
  let end: number;
  while ((end = input.indexOfHeadEnd()) < 0) {
    if (input.buffered > MAX_HEAD_BYTES) throw new UpstreamError('bad-response', 'response head too large');
    if (!(await input.fill())) throw new UpstreamError('bad-response', 'the server closed before a complete response head');
    progress();
  }
  const [statusLine = '', ...lines] = latin1.decode(input.take(end + 4)).slice(0, -4).split('\r\n');
  const match = /^HTTP\/1\.([01]) (\d{3})(?: |$)/.exec(statusLine);
  if (!match) throw new UpstreamError('bad-response', `invalid status line: ${statusLine.slice(0, 80)}`);
  const headers: [string, string][] = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new UpstreamError('bad-response', 'invalid response header line');
    headers.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
  }
  // An HTTP/1.0 server closes unless it says otherwise; kept simple: only HTTP/1.1 connections are reused.
  const keepAlive = match[1] === '1' && !connectionListsToken(headers, 'close');
  return { status: Number(match[2]), headers, keepAlive };
}

/** Body length: a byte count, 'chunked', 'close' (until the server closes), or 0 for none (RFC 9112 §6.3). */
function framing(method: string, status: number, headers: readonly (readonly [string, string])[]): number | 'chunked' | 'close' {
  if (method === 'HEAD' || status === 204 || status === 304 || status === 101) return 0;
  if (headers.some(([n, v]) => n === 'transfer-encoding' && /(?:^|,)\s*chunked\s*$/i.test(v))) return 'chunked';
  const length = headers.find(([n]) => n === 'content-length')?.[1];
  if (length !== undefined) {
    if (!/^\d+$/.test(length)) throw new UpstreamError('bad-response', 'invalid content-length');
    return Number(length);
  }
  return 'close';
}

function bodyStream(
  input: ByteReader,
  length: number | 'chunked' | 'close',
  progress: () => void,
  finish: (keep: boolean) => void,
  keep: boolean,
): Http1Body {
  if (typeof length === 'number' && input.buffered >= length) {
    // A small body usually arrives with its head: hand it over whole and free the connection now.
    const whole = input.take(length);
    finish(keep);
    return whole;
  }
  let remaining = typeof length === 'number' ? length : 0;
  let inChunk = false;
  /** The next bytes of the body, or undefined at its end. */
  const next = async (): Promise<Uint8Array | undefined> => {
    if (length === 'close') return input.buffered > 0 || (await input.fill()) ? input.take(input.buffered) : undefined;
    if (length === 'chunked' && !inChunk) {
      remaining = await readChunkSize(input, progress);
      if (remaining === 0) {
        await skipTrailers(input, progress);
        return undefined;
      }
      inChunk = true;
    }
    if (remaining === 0) return undefined;
    if (input.buffered === 0 && !(await input.fill())) throw new UpstreamError('reset', 'the server closed in the middle of the body');
    const bytes = input.take(Math.min(remaining, input.buffered));
    remaining -= bytes.byteLength;
    if (length === 'chunked' && remaining === 0) {
      await readLine(input, progress);
      inChunk = false;
    }
    return bytes;
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const bytes = await next();
          progress();
          if (bytes) controller.enqueue(bytes);
          else {
            finish(keep);
            controller.close();
          }
        } catch (error) {
          finish(false);
          controller.error(error);
        }
      },
      // The reader went away before the end: what is left of the body would poison the connection.
      cancel: () => finish(false),
    },
    // One chunk read ahead: the next read from the server overlaps the write of this one to the client.
    { highWaterMark: 1 },
  );
}

async function readLine(input: ByteReader, progress: () => void): Promise<string> {
  let end: number;
  while ((end = input.indexOfLineEnd()) < 0) {
    if (input.buffered > MAX_HEAD_BYTES) throw new UpstreamError('bad-response', 'chunk line too long');
    if (!(await input.fill())) throw new UpstreamError('reset', 'the server closed in the middle of the body');
    progress();
  }
  return latin1.decode(input.take(end + 2)).slice(0, -2);
}

async function readChunkSize(input: ByteReader, progress: () => void): Promise<number> {
  const line = await readLine(input, progress);
  const size = /^([0-9a-fA-F]{1,15})(?:[ \t;]|$)/.exec(line);
  if (!size) throw new UpstreamError('bad-response', 'invalid chunk size');
  return parseInt(size[1]!, 16);
}

async function skipTrailers(input: ByteReader, progress: () => void): Promise<void> {
  while ((await readLine(input, progress)) !== '');
}

/** A connection's bytes, one chunk per read (undefined at the end); `cancel` stops reading. */
interface ChunkSource {
  read(): Promise<Uint8Array | undefined>;
  cancel(): void;
}

function chunksOf(connection: ByteConnection): ChunkSource {
  if (connection.read) {
    let buffer = new Uint8Array(READ_BUFFER_BYTES);
    return {
      read: async () => {
        const count = await connection.read!(buffer);
        if (count === null) return undefined;
        // The chunk may still be on its way when the next read comes: a small one is copied out
        // and the buffer reused; a large one takes the buffer with it (copying it costs more).
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

/** Bytes read from the connection and not consumed yet. */
class ByteReader {
  readonly #source: ChunkSource;
  #bytes: Uint8Array = new Uint8Array(0);
  /** A read started ahead (an idle kept connection's), which the next fill() takes. */
  #ahead: Promise<Uint8Array | undefined> | undefined;
  /** Bytes read from the connection so far. */
  received = 0;

  constructor(source: ChunkSource) {
    this.#source = source;
  }

  get buffered(): number {
    return this.#bytes.byteLength;
  }

  /** Reads more; false at the end of the stream. */
  async fill(): Promise<boolean> {
    const read = this.#ahead ?? this.#source.read();
    this.#ahead = undefined;
    const value = await read;
    if (value === undefined) return false;
    this.received += value.byteLength;
    if (this.#bytes.byteLength === 0) this.#bytes = value;
    else {
      const joined = new Uint8Array(this.#bytes.byteLength + value.byteLength);
      joined.set(this.#bytes);
      joined.set(value, this.#bytes.byteLength);
      this.#bytes = joined;
    }
    return true;
  }

  readAhead(): Promise<unknown> {
    return (this.#ahead ??= this.#source.read());
  }

  take(count: number): Uint8Array {
    const taken = this.#bytes.subarray(0, count);
    this.#bytes = this.#bytes.subarray(count);
    return taken;
  }

  /** Offset of the `\r\n\r\n` that ends a head, or -1. */
  indexOfHeadEnd(): number {
    const b = this.#bytes;
    for (let i = 0; i + 3 < b.length; i++) if (b[i] === 13 && b[i + 1] === 10 && b[i + 2] === 13 && b[i + 3] === 10) return i;
    return -1;
  }

  indexOfLineEnd(): number {
    const b = this.#bytes;
    for (let i = 0; i + 1 < b.length; i++) if (b[i] === 13 && b[i + 1] === 10) return i;
    return -1;
  }

  cancel(): void {
    this.#source.cancel();
  }
}
