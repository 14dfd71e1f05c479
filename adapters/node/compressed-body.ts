/**
 * `compression` on the Node fast path: the server's body goes through zlib on
 * its way to the client. Each chunk is sync-flushed, as HAProxy flushes every
 * block it compresses, so a stream's events (SSE, slow chunks) reach the
 * client as they come; the end finishes the stream. Back-pressure runs from
 * the client through zlib to undici (UpstreamBody waits for zlib's `drain`).
 */
import type { ServerResponse } from 'node:http';
import { pipeline, Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { constants, createDeflate, createDeflateRaw, createGzip, type Gzip } from 'node:zlib';
import type { BodyCoding } from '../../src/proxy/compression.ts';
import type { BodySink, UpstreamBody } from './upstream-body.ts';

/** Level 1: HAProxy's default `tune.comp.maxlevel`, cheap on the CPU. */
const FLUSH_EVERY_CHUNK = { flush: constants.Z_SYNC_FLUSH, level: 1 };

/** A zlib stream for `coding` (`raw-deflate`: bare deflate, sent as `deflate`). */
export function createCompressor(coding: BodyCoding): Gzip {
  if (coding === 'gzip') return createGzip(FLUSH_EVERY_CHUNK);
  if (coding === 'deflate') return createDeflate(FLUSH_EVERY_CHUNK);
  return createDeflateRaw(FLUSH_EVERY_CHUNK);
}

/**
 * Writes `body` compressed to `response`. `onServerChunk` counts what goes
 * into zlib, `onChunk` what the client receives (bout: compressed bytes, as
 * haproxy counts them).
 */
export function pipeCompressed(
  body: UpstreamBody,
  response: ServerResponse,
  coding: BodyCoding,
  onChunk: (bytes: number) => void,
  onServerChunk: (bytes: number) => void = () => {},
): void {
  const zlib = createCompressor(coding);
  zlib.on('data', (chunk: Buffer) => onChunk(chunk.byteLength));
  // A zlib failure (it should not happen on valid input) cuts the response, as a server failure does.
  zlib.on('error', () => response.destroy());
  zlib.pipe(response);
  // The client went away (or the response is over): zlib's memory goes now, not at the next GC.
  response.once('close', () => zlib.destroy());
  const sink: BodySink = {
    write: (chunk) => zlib.write(chunk),
    end: (chunk) => (chunk ? zlib.end(chunk) : zlib.end()),
    destroy: () => {
      zlib.destroy();
      response.destroy();
    },
    addTrailers: (trailers) => response.addTrailers(trailers),
    on: (event, listener) => zlib.on(event, listener),
  };
  body.pipeTo(sink, onServerChunk);
}

/**
 * The same transform for a Fetch body (BalancerDeps.compressBody: the Hono
 * app on Node), since Node's `CompressionStream` does not flush per chunk.
 */
export function compressWebBody(body: ReadableStream<Uint8Array>, coding: BodyCoding): ReadableStream<Uint8Array> {
  const zlib = createCompressor(coding);
  // A failing body errors the compressed stream; a cancelled one stops the body.
  pipeline(Readable.fromWeb(body as NodeReadableStream<Uint8Array>), zlib, () => {});
  return Readable.toWeb(zlib) as unknown as ReadableStream<Uint8Array>;
}
