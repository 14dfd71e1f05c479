/**
 * Writes one answer of the raw front (./raw-connection.ts) to the client's
 * connection, framed by src/http1/response-head.ts as the Node raw front
 * frames it: a body that came whole with the server's head (the usual small
 * answer) leaves with its head in one write; a streamed body goes chunk by
 * chunk, chunked when the head has no length. Reason phrases are HAProxy's.
 */
import { frameResponse, pageHead, type ExchangeFacts, type ResponseFraming } from '../../src/http1/response-head.ts';
import type { Http1Body } from '../../src/proxy/http1-client.ts';
import type { ProxyOutcome } from '../../src/proxy/proxy-request.ts';
import { reasonPhrase } from '../../src/rules/http-answer.ts';
import { latin1Into } from './latin1.ts';

/** Bodies up to this size are copied behind the head; bigger ones are written as they are. */
const COPY_LIMIT_BYTES = 16 * 1024;

/** Where an answer goes: a Deno connection's `write` (which may write part of what it is given). */
export interface ByteWriter {
  write(bytes: Uint8Array): Promise<number>;
}
const encoder = new TextEncoder();
const LAST_CHUNK = '0\r\n\r\n';

/** Writes the answer; true when the connection closes after it. Throws when the client's connection fails. */
export async function writeOutcome(conn: ByteWriter, outcome: ProxyOutcome<Http1Body>, exchange: ExchangeFacts): Promise<boolean> {
  if (outcome.kind === 'page') {
    cancel(outcome.serverBody);
    const framing = frameResponse(pageHead(outcome.page), exchange, reasonPhrase);
    await writeWhole(conn, framing, encoder.encode(outcome.page.body));
    return framing.last;
  }
  const framing = frameResponse(outcome.head, exchange, reasonPhrase);
  const { body } = outcome;
  try {
    if (!framing.hasBody || body === null) {
      cancel(body);
      await writeWhole(conn, framing, undefined);
    } else if (body instanceof Uint8Array) {
      outcome.onChunk(body.byteLength);
      await writeWhole(conn, framing, body);
    } else await writeStream(conn, framing, body, outcome.onChunk);
  } finally {
    outcome.onDone();
  }
  return framing.last;
}

/** Head and whole body: one write unless the body is big. */
async function writeWhole(conn: ByteWriter, framing: ResponseFraming, body: Uint8Array | undefined): Promise<void> {
  const end = framing.chunked ? LAST_CHUNK : '';
  if (!framing.hasBody || !body || body.byteLength === 0) return writeAll(conn, message(framing.head + end));
  await writeChunk(conn, framing.head, framing, body, end);
}

async function writeStream(conn: ByteWriter, framing: ResponseFraming, body: ReadableStream<Uint8Array>, onChunk: (bytes: number) => void): Promise<void> {
  const reader = body.getReader();
  let head = framing.head;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (value.byteLength === 0) continue;
      onChunk(value.byteLength);
      await writeChunk(conn, head, framing, value, '');
      head = '';
    }
  } catch (error) {
    void reader.cancel().catch(() => {});
    throw error;
  }
  const end = framing.chunked ? LAST_CHUNK : '';
  if (head + end !== '') await writeAll(conn, message(head + end));
}

/** `before` (the head, if it has not left yet), one chunk of the body in the response's framing, then `after`. */
async function writeChunk(conn: ByteWriter, before: string, framing: ResponseFraming, chunk: Uint8Array, after: string): Promise<void> {
  const prefix = before + (framing.chunked ? `${chunk.byteLength.toString(16)}\r\n` : '');
  const suffix = (framing.chunked ? '\r\n' : '') + after;
  if (chunk.byteLength <= COPY_LIMIT_BYTES) return writeAll(conn, message(prefix, chunk, suffix));
  if (prefix !== '') await writeAll(conn, message(prefix));
  await writeAll(conn, chunk);
  if (suffix !== '') await writeAll(conn, message(suffix));
}

/** latin1 framing around bytes, in one buffer. */
function message(prefix: string, body?: Uint8Array, suffix = ''): Uint8Array {
  const size = body?.byteLength ?? 0;
  const out = new Uint8Array(prefix.length + size + suffix.length);
  latin1Into(prefix, out, 0);
  if (body) out.set(body, prefix.length);
  latin1Into(suffix, out, prefix.length + size);
  return out;
}

export async function writeAll(conn: ByteWriter, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.byteLength; ) at += await conn.write(at === 0 ? bytes : bytes.subarray(at));
}

function cancel(body: Http1Body | null | undefined): void {
  if (body instanceof ReadableStream) void body.cancel().catch(() => {});
}
