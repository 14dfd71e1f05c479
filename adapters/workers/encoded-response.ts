/**
 * Bodies byte for byte on Workers (issue 15 item 4). workerd decodes a
 * server's compressed body unless the fetch says `encodeResponseBody:
 * 'manual'` (workers-deps.ts does), and encodes what a Worker returns per its
 * Content-Encoding unless the Response says `encodeBody: 'manual'`; a stream
 * body also loses its Content-Length unless it is a FixedLengthStream. So a
 * proxied response leaves as the server sent it.
 */

export function asSentByServer(response: Response): Response {
  if (encodedByPlatform.has(response)) return response;
  const encoded = response.headers.has('content-encoding');
  const length = response.headers.get('content-length');
  const known = length !== null && /^\d+$/.test(length) ? Number(length) : undefined;
  if (!response.body || (!encoded && known === undefined)) return response;
  let body: ReadableStream<Uint8Array> = response.body;
  if (known !== undefined) {
    const fixed = new FixedLengthStream(known);
    // A body shorter or longer than announced errors the stream: the client's response is cut, as on haproxy.
    body.pipeTo(fixed.writable).catch(() => {});
    body = fixed.readable;
  }
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers, encodeBody: 'manual' });
}

/** Responses `compression` asked the platform to encode (BalancerDeps.platformEncodes). */
const encodedByPlatform = new WeakSet<Response>();

/**
 * `compression` on Workers: the balancer decided to compress and edited the
 * head (Content-Encoding, Vary, weak ETag); workerd encodes the body per that
 * Content-Encoding, re-negotiated with the client's real Accept-Encoding
 * (gzip, br, or none for a client that accepts neither), since the Worker
 * only sees a normalised `br, gzip`.
 */
export function encodeOnPlatform(response: Response): Response {
  encodedByPlatform.add(response);
  return response;
}
