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
 * One connection per request, closed once the response is read: no pooling.
 */
import { UpstreamError, type RequestHead, type Upstream, type UpstreamOptions, type UpstreamResponse, type UpstreamTls } from '../deps.ts';

/** A connected byte stream (the shape of a Deno connection and of a Workers `connect()` socket). */
export interface ByteConnection {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  close(): void;
}

/**
 * Opens a connection (over TLS when `tls` is given, handshake done), or
 * throws an UpstreamError `refused`, `connect-timeout` (within `timeoutMs`
 * when given), `tls-handshake` or `tls-name-mismatch`.
 */
export type Connect = (host: string, port: number, timeoutMs: number | undefined, tls?: UpstreamTls) => Promise<ByteConnection>;

/** Largest response head read (haproxy's default `tune.bufsize` is 16 KiB). */
const MAX_HEAD_BYTES = 64 * 1024;
const encoder = new TextEncoder();
const latin1 = new TextDecoder('latin1');

export function createHttp1Upstream(connect: Connect): Upstream {
  return {
    async request(target, head, body, options) {
      const connection = await connect(target.host, target.port, options.connectTimeout, target.tls);
      return exchange(connection, head, body, options);
    },
  };
}

async function exchange(
  connection: ByteConnection,
  head: RequestHead,
  body: ReadableStream<Uint8Array> | null,
  options: UpstreamOptions,
): Promise<UpstreamResponse> {
  const input = new ByteReader(connection.readable.getReader());
  let closed = false;
  let timedOut = false;
  const close = () => {
    if (closed) return;
    closed = true;
    if (timer !== undefined) clearTimeout(timer);
    options.signal?.removeEventListener('abort', close);
    input.cancel();
    try {
      connection.close();
    } catch {
      // already closed by the peer
    }
  };
  // `timeout server`: until the response head, then between body reads.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    if (options.serverTimeout === undefined || closed) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => ((timedOut = true), close()), options.serverTimeout);
  };
  options.signal?.addEventListener('abort', close, { once: true });
  if (options.signal?.aborted) close();
  arm();
  try {
    const chunked = body !== null && !head.headers.some(([name]) => name.toLowerCase() === 'content-length');
    await writeRequest(connection.writable, head, body, chunked);
    let response: { status: number; headers: [string, string][] };
    do response = await readHead(input, arm);
    while (response.status < 200 && response.status !== 101);
    const { status, headers } = response;
    const length = framing(head.method, status, headers);
    if (length === 0) {
      close();
      return { status, headers, body: null };
    }
    return { status, headers, body: bodyStream(input, length, arm, close) };
  } catch (error) {
    close();
    if (timedOut) throw new UpstreamError('timeout', 'server timeout', { cause: error });
    if (error instanceof UpstreamError) throw error;
    throw new UpstreamError('reset', String(error), { cause: error });
  }
}

async function writeRequest(
  writable: WritableStream<Uint8Array>,
  head: RequestHead,
  body: ReadableStream<Uint8Array> | null,
  chunked: boolean,
): Promise<void> {
  const writer = writable.getWriter();
  let text = `${head.method} ${head.target} HTTP/1.1\r\n`;
  // Names in lower case, as HAProxy 2.6 writes them.
  for (const [name, value] of head.headers) text += `${name.toLowerCase()}: ${value}\r\n`;
  if (chunked) text += 'transfer-encoding: chunked\r\n';
  await writer.write(encoder.encode(`${text}\r\n`));
  if (body) {
    const reader = body.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      const chunk = read.value;
      if (chunk.byteLength === 0) continue;
      if (chunked) await writer.write(encoder.encode(`${chunk.byteLength.toString(16)}\r\n`));
      await writer.write(chunk);
      if (chunked) await writer.write(encoder.encode('\r\n'));
    }
    if (chunked) await writer.write(encoder.encode('0\r\n\r\n'));
  }
  writer.releaseLock();
}

/** A response head: status and header lines, names lower-cased as HAProxy 2.6 writes them. */
async function readHead(input: ByteReader, progress: () => void): Promise<{ status: number; headers: [string, string][] }> {
  let end: number;
  while ((end = input.indexOfHeadEnd()) < 0) {
    if (input.buffered > MAX_HEAD_BYTES) throw new UpstreamError('bad-response', 'response head too large');
    if (!(await input.fill())) throw new UpstreamError('bad-response', 'the server closed before a complete response head');
    progress();
  }
  const [statusLine = '', ...lines] = latin1.decode(input.take(end + 4)).slice(0, -4).split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(statusLine);
  if (!match) throw new UpstreamError('bad-response', `invalid status line: ${statusLine.slice(0, 80)}`);
  const headers: [string, string][] = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new UpstreamError('bad-response', 'invalid response header line');
    headers.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
  }
  return { status: Number(match[1]), headers };
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

function bodyStream(input: ByteReader, length: number | 'chunked' | 'close', progress: () => void, close: () => void): ReadableStream<Uint8Array> {
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
            close();
            controller.close();
          }
        } catch (error) {
          close();
          controller.error(error);
        }
      },
      cancel: close,
    },
    { highWaterMark: 0 },
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

/** Bytes read from the connection and not consumed yet. */
class ByteReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  #bytes: Uint8Array = new Uint8Array(0);

  constructor(reader: ReadableStreamDefaultReader<Uint8Array>) {
    this.#reader = reader;
  }

  get buffered(): number {
    return this.#bytes.byteLength;
  }

  /** Reads more; false at the end of the stream. */
  async fill(): Promise<boolean> {
    const { done, value } = await this.#reader.read();
    if (done) return false;
    if (this.#bytes.byteLength === 0) this.#bytes = value;
    else {
      const joined = new Uint8Array(this.#bytes.byteLength + value.byteLength);
      joined.set(this.#bytes);
      joined.set(value, this.#bytes.byteLength);
      this.#bytes = joined;
    }
    return true;
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
    this.#reader.cancel().catch(() => {});
  }
}
