/**
 * The response side of an exchange with a server (adapters/node/
 * server-exchange.ts has the request side): hears the parser, hands the head
 * and the body (an UpstreamBody) to the promise `request()` returned, and is
 * the body's source (pause, resume, abort). Failures are undici's: before
 * the head the promise rejects with the UpstreamError; after it the body
 * fails and the client's response is cut.
 */
import type { UpstreamResponse } from '../../src/deps.ts';
import type { ResponseEvents } from '../../src/http1/response-parser.ts';
import type { ServerConnection } from './server-connection.ts';
import { UpstreamBody, type BodySource } from './upstream-body.ts';
import { upstreamError } from './upstream-errors.ts';

export abstract class ExchangeResponse implements ResponseEvents, BodySource {
  readonly method: string;
  readonly #resolve: (response: UpstreamResponse<UpstreamBody>) => void;
  readonly #reject: (error: Error) => void;
  /** The request asked the server to close after it. */
  readonly #closeRequested: boolean;
  protected connection: ServerConnection | undefined;
  /** The whole request left (the connection may carry another then). */
  protected requestWritten = false;
  /** The head was handed over, or the promise rejected. */
  protected settled = false;
  /** The connection was released or closed. */
  protected over = false;
  #body: UpstreamBody | null = null;
  /** The response head, from the parser until it is handed over. */
  #response: UpstreamResponse<UpstreamBody> | undefined;
  #keep = false;

  constructor(method: string, closeRequested: boolean, resolve: (response: UpstreamResponse<UpstreamBody>) => void, reject: (error: Error) => void) {
    this.method = method;
    this.#closeRequested = closeRequested;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  /** Ends the exchange: the connection is kept for the next request or closed. */
  protected abstract finish(keep: boolean): void;

  onResponseHead(status: number, headers: [string, string][], keepAlive: boolean): void {
    if (this.over) return;
    this.#keep = keepAlive && !this.#closeRequested;
    // As undici: a Content-Length: 0 body is an empty body, not none.
    if (this.method !== 'HEAD' && status !== 204 && status !== 304) this.#body = new UpstreamBody(this);
    this.#response = { status, headers, body: this.#body };
  }

  /**
   * The head is handed over once the chunk it came in is parsed: a body that
   * is bad in that same chunk (a bad chunk size) is then a 502, as haproxy
   * answers, not a response cut after its head.
   */
  chunkParsed(): void {
    if (this.settled || !this.#response) return;
    this.settled = true;
    this.#resolve(this.#response);
  }

  onResponseBody(chunk: Uint8Array): void {
    // Over already: the client left while this chunk's bytes were being parsed.
    if (this.over) return;
    if (!this.#body!.data(asBuffer(chunk))) this.connection!.pause();
  }

  onResponseEnd(trailers: [string, string][] | undefined): void {
    if (this.over) return;
    this.#body?.end(trailers);
    this.finish(this.#keep && this.requestWritten && !this.connection!.parser.extraBytes);
  }

  /** BodySource: the client's response drained. */
  resume(): void {
    if (!this.over) this.connection!.resume();
  }

  /** BodySource: the client went away before the body's end; the connection goes with it. */
  abort(reason?: Error): void {
    if (this.over) return;
    this.finish(false);
    this.fail(upstreamError(reason ?? new DOMException('This operation was aborted', 'AbortError')));
  }

  /** The exchange failed: the promise rejects before the head; after it the body is cut. */
  protected fail(error: Error): void {
    if (!this.settled) {
      this.settled = true;
      this.#reject(error);
    } else queueMicrotask(() => this.#body?.fail());
  }
}

/**
 * Chunks are views of the socket's Buffers, except after a head or line the
 * parser had to join (a Uint8Array): the client's side wants Buffers (`copy`).
 */
function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}
