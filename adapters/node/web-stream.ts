/** Node stream → web stream, for the parts of src/ that speak the Fetch API. */
import type { Readable } from 'node:stream';

/**
 * A pull-based web stream over a Node stream (Node 20's Readable.toWeb can
 * enqueue into an already-cancelled controller — an uncaught
 * ERR_INVALID_STATE — when a consumer cancels while data is still arriving).
 * `onCancel` decides what cancelling does to the Node stream.
 */
function pullStream(source: Readable, onCancel: (chunks: AsyncIterator<Uint8Array>) => Promise<unknown> | void): ReadableStream<Uint8Array> {
  const chunks = source[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { value, done } = await chunks.next();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      async cancel() {
        await onCancel(chunks);
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * A server's response body. Cancelling ends the iterator, which destroys the
 * body and swallows undici's "Request aborted" that destroying it directly
 * would emit.
 */
export function toWebStream(body: Readable): ReadableStream<Uint8Array> {
  return pullStream(body, (chunks) => chunks.return?.());
}

/**
 * A client's request body. Cancelling it (the request failed before the body
 * was needed) drains the rest instead of destroying the socket, which still
 * has to carry the error page.
 */
export function requestBodyStream(request: Readable): ReadableStream<Uint8Array> {
  return pullStream(request, () => {
    request.on('data', () => {});
  });
}
