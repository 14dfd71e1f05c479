/**
 * A server's response straight from undici's dispatcher to the client's
 * ServerResponse. undici's `request()` API wraps each response in a Readable,
 * a header object and a promise callback, and piping that Readable to the
 * client adds a dozen listeners per request; measured, that glue was the
 * largest part of the distance to a bare proxy loop. This handler does what
 * `request()` does for the proxy (same errors, same back-pressure, same abort
 * on a client that went away) and hands the body on as an UpstreamBody.
 *
 * It implements undici's dispatch handler callbacks onConnect … onError, the
 * ones undici's core calls itself (the newer onRequestStart interface is an
 * adapter over them that parses the head into an object on every response).
 */
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { UpstreamBody } from './upstream-body.ts';

export interface UpstreamHead {
  readonly status: number;
  readonly headers: [string, string][];
  /** null when the response has no body (HEAD, 204, 304). */
  readonly body: UpstreamBody | null;
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
    if (!noBody) this.#body = new UpstreamBody({ resume, abort: this.#abort! });
    this.#resolve({ status, headers: responseLines(raw), body: this.#body ?? null });
    return true;
  }

  onData(chunk: Buffer): boolean {
    return this.#body ? this.#body.data(chunk) : true;
  }

  /**
   * `trailers`: the chunked body's trailer fields, names and values in turn
   * (buffers at run time, whatever undici's types say); haproxy forwards them.
   */
  onComplete(trailers: string[] | null): void {
    const raw = trailers?.map((t) => (typeof t === 'string' ? Buffer.from(t, 'latin1') : (t as Buffer)));
    this.#body?.end(raw?.length ? responseLines(raw) : undefined);
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
