/** Turning response heads and bodies into Fetch `Response`s. */
import type { ResponseHead, WebSocketUpgrade } from '../deps.ts';
import type { ErrorResponse } from './error-pages.ts';

function toHeaders(lines: ResponseHead['headers']): Headers {
  const headers = new Headers();
  for (const [name, value] of lines) headers.append(name, value);
  return headers;
}

export function errorResponse(page: ErrorResponse): Response {
  return new Response(page.body, { status: page.status, ...statusText(page), headers: toHeaders(page.headers) });
}

/** A rule's reason phrase, as Fetch's `statusText` (HTTP/1 runtimes send it; HTTP/2 has none). */
function statusText(head: ResponseHead): { statusText?: string } {
  return head.reason === undefined ? {} : { statusText: head.reason };
}

/** Statuses whose responses have no body (Response rejects one). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * A body that is already whole (its bytes), handed to the runtime in one
 * piece: no stream to build and read. Its books close now, as the runtime
 * takes the bytes.
 */
export function bytesResponse(head: ResponseHead, bytes: Uint8Array, onChunk: (bytes: number) => void, onDone: () => void): Response {
  const empty = NULL_BODY.has(head.status);
  if (!empty) onChunk(bytes.byteLength);
  onDone();
  return new Response(empty ? null : (bytes as Uint8Array<ArrayBuffer>), { status: head.status, ...statusText(head), headers: toHeaders(head.headers) });
}

/** Bytes already at hand, as a stream of one chunk. */
export function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

/**
 * Streams the server's body to the client without buffering it. `onChunk`
 * sees each chunk's size; `onDone` runs once when the body ends, fails or the
 * client goes away.
 */
export function streamResponse(
  head: ResponseHead,
  body: ReadableStream<Uint8Array> | null,
  onChunk: (bytes: number) => void,
  onDone: () => void,
): Response {
  let done = false;
  const finish = () => {
    if (!done) {
      done = true;
      onDone();
    }
  };
  if (!body || NULL_BODY.has(head.status)) {
    finish();
    void body?.cancel().catch(() => {});
    return new Response(null, { status: head.status, ...statusText(head), headers: toHeaders(head.headers) });
  }
  const reader = body.getReader();
  const tracked = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { done: end, value } = await reader.read();
          if (end) {
            finish();
            controller.close();
          } else {
            onChunk(value.byteLength);
            controller.enqueue(value);
          }
        } catch (error) {
          finish();
          controller.error(error);
        }
      },
      cancel(reason) {
        finish();
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  return new Response(tracked, { status: head.status, ...statusText(head), headers: toHeaders(head.headers) });
}

/**
 * Workers' way: a 101 carrying the server's WebSocket (the `webSocket` member
 * of ResponseInit); the platform relays the frames. Their bytes and their end
 * are out of sight, so the books close now (docs/workers.md).
 */
export function acceptWebSocketAsWorkers(upgrade: WebSocketUpgrade): Response {
  upgrade.onClosed();
  return new Response(null, { status: 101, headers: toHeaders(upgrade.head.headers), webSocket: upgrade.server } as ResponseInit);
}
