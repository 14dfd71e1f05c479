/**
 * The byte transform of `compression` on the Fetch runtimes: the Web
 * `CompressionStream` (Deno, Workers, Node 20). Deno's flushes after every
 * chunk, as HAProxy does (each event of a stream reaches the client at once);
 * workerd's and Node's hold small chunks until their buffer fills, which is
 * why the Node adapter brings its own (BalancerDeps.compressBody).
 */
import type { BodyCoding } from './compression.ts';

/** HAProxy's `raw-deflate` is bare deflate (RFC 1951), sent as `Content-Encoding: deflate`. */
const FORMAT: Readonly<Record<BodyCoding, 'gzip' | 'deflate' | 'deflate-raw'>> = { gzip: 'gzip', deflate: 'deflate', 'raw-deflate': 'deflate-raw' };

export function compressWithStream(body: ReadableStream<Uint8Array>, coding: BodyCoding): ReadableStream<Uint8Array> {
  return body.pipeThrough(new CompressionStream(FORMAT[coding]) as unknown as ReadableWritablePair<Uint8Array, Uint8Array>);
}
