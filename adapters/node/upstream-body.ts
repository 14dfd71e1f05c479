/**
 * A server's response straight from undici's dispatcher to the client's
 * ServerResponse. undici's `request()` API wraps each response in a Readable,
 * a header object and a promise callback, and piping that Readable to the
 * client adds a dozen listeners per request; measured, that glue was the
 * largest part of the distance to a bare proxy loop. This handler does what
 * `request()` does for the proxy (same head, same errors, same back-pressure,
 * same abort on a client that went away) with the chunks written directly.
 *
 * It implements undici's dispatch handler callbacks onConnect … onError, the
 * ones undici's core calls itself (the newer onRequestStart interface is an
 * adapter over them that parses the head into an object on every response).
 */
import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';

/** What undici's `request()` buffers before it stops reading a body nobody consumes yet. */
const UNREAD_LIMIT_BYTES = 64 * 1024;

export interface UpstreamHead {
  readonly status: number;
  readonly headers: [string, string][];
  /** null when the response has no body (HEAD, 204, 304). */
  readonly body: UpstreamBody | null;
}

/**
 * The body of one response. Chunks that arrive before the proxy's decisions
 * are made (a small response usually arrives whole with its head) are held
 * until `pipeTo` hands them on.
 */
export class UpstreamBody {
  readonly #resume: () => void;
  readonly #abort: (reason?: Error) => void;
  #held: Buffer[] = [];
  #heldBytes = 0;
  #ended = false;
  #failed = false;
  #out: ServerResponse | undefined;
  #onChunk: ((bytes: number) => void) | undefined;
  #resumesOnDrain = false;

  constructor(resume: () => void, abort: (reason?: Error) => void) {
    this.#resume = resume;
    this.#abort = abort;
  }

  /**
   * Writes the body to `out`, counting each chunk with `onChunk`; ends `out`
   * with the body, destroys it if the server's body fails.
   */
  pipeTo(out: ServerResponse, onChunk: (bytes: number) => void): void {
    this.#out = out;
    this.#onChunk = onChunk;
    const held = this.#held;
    this.#held = [];
    if (this.#failed) {
      out.destroy();
      return;
    }
    const last = held.length - 1;
    let flowing = true;
    for (let i = 0; i < last; i++) flowing = this.#write(held[i]!);
    if (this.#ended) {
      // The whole body is here: head and body leave in one write.
      if (last >= 0) {
        onChunk(held[last]!.byteLength);
        out.end(held[last]);
      } else out.end();
      return;
    }
    if (last >= 0) flowing = this.#write(held[last]!);
    // Holding the limit paused undici's parser: go on now, or once the client drained.
    if (this.#heldBytes >= UNREAD_LIMIT_BYTES) {
      if (flowing) this.#resume();
      else this.#resumeOnDrain();
    }
  }

  /** Stops the server's body (the client went away): undici drops that connection. */
  destroy(): void {
    if (this.#ended || this.#failed) return;
    this.#failed = true;
    this.#abort();
  }

  /** A chunk from undici; false pauses its parser until `#resume`. */
  data(chunk: Buffer): boolean {
    if (this.#out) {
      if (this.#write(chunk)) return true;
      this.#resumeOnDrain();
      return false;
    }
    this.#held.push(chunk);
    this.#heldBytes += chunk.byteLength;
    return this.#heldBytes < UNREAD_LIMIT_BYTES;
  }

  end(): void {
    this.#ended = true;
    this.#out?.end();
  }

  /** The server's body failed (reset, `timeout server`): the client's response is cut. */
  fail(): void {
    if (this.#ended || this.#failed) return;
    this.#failed = true;
    this.#out?.destroy();
  }

  #write(chunk: Buffer): boolean {
    this.#onChunk!(chunk.byteLength);
    return this.#out!.write(chunk);
  }

  #resumeOnDrain(): void {
    if (this.#resumesOnDrain) return;
    this.#resumesOnDrain = true;
    // undici's resume does nothing unless the parser is paused, so one listener serves every pause.
    this.#out!.on('drain', this.#resume);
  }
}

/**
 * Response header lines from undici's raw buffers, in the server's order with
 * repeated names where the server put them, as haproxy forwards them; names
 * lower-cased as HAProxy 2.6 writes them, values as latin1.
 */
export function responseLines(raw: readonly Buffer[]): [string, string][] {
  const lines: [string, string][] = new Array(raw.length >> 1);
  for (let i = 0, n = 0; i + 1 < raw.length; i += 2, n++) {
    lines[n] = [raw[i]!.toString('latin1').toLowerCase(), raw[i + 1]!.toString('latin1')];
  }
  return lines;
}

/**
 * One request's dispatch handler: resolves with the head once the final
 * (non-1xx) head arrived, rejects with undici's error before that.
 */
export class ProxyHandler implements Dispatcher.DispatchHandler {
  readonly #method: string;
  readonly #requestBody: Readable | null;
  readonly #resolve: (head: UpstreamHead) => void;
  readonly #reject: (error: Error) => void;
  #abort: ((reason?: Error) => void) | undefined;
  #reason: Error | undefined;
  #body: UpstreamBody | undefined;
  #settled = false;

  constructor(
    method: string,
    requestBody: Readable | null,
    resolve: (head: UpstreamHead) => void,
    reject: (error: Error) => void,
    signal: AbortSignal | undefined,
  ) {
    this.#method = method;
    this.#requestBody = requestBody;
    this.#resolve = resolve;
    this.#reject = reject;
    if (signal?.aborted) this.#reason = abortReason(signal);
    else signal?.addEventListener('abort', () => this.#cancel(abortReason(signal)), { once: true });
  }

  onConnect(abort: (reason?: Error) => void): void {
    if (this.#reason) return abort(this.#reason);
    this.#abort = abort;
  }

  onHeaders(status: number, raw: Buffer[], resume: () => void): boolean {
    if (status < 200) return true;
    this.#settled = true;
    const noBody = this.#method === 'HEAD' || status === 204 || status === 304;
    if (!noBody) this.#body = new UpstreamBody(resume, this.#abort!);
    this.#resolve({ status, headers: responseLines(raw), body: this.#body ?? null });
    return true;
  }

  onData(chunk: Buffer): boolean {
    return this.#body ? this.#body.data(chunk) : true;
  }

  onComplete(): void {
    this.#body?.end();
  }

  onError(error: Error): void {
    // As request() does: the request body is destroyed, and the failure
    // reported once the parser's current work is over.
    const requestBody = this.#requestBody;
    if (requestBody && !requestBody.destroyed) {
      requestBody.on('error', () => {});
      requestBody.destroy(error);
    }
    if (this.#settled) {
      queueMicrotask(() => this.#body?.fail());
      return;
    }
    this.#settled = true;
    queueMicrotask(() => this.#reject(error));
  }

  /** Not connected yet: onConnect aborts; later, undici reports the abort to onError. */
  #cancel(reason: Error): void {
    this.#reason = reason;
    this.#abort?.(reason);
  }
}

function abortReason(signal: AbortSignal): Error {
  return (signal.reason as Error | undefined) ?? new DOMException('This operation was aborted', 'AbortError');
}
