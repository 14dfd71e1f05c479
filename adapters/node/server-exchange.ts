/**
 * One request to a server and its response, for adapters/node/raw-upstream.ts:
 * writes the request on a ServerConnection, hears the response from its
 * parser and hands the head (and the body as an UpstreamBody) to the one
 * promise `request()` returns. It is also the body's source (pause, resume,
 * abort) and the client's abort listener, so a request costs this object and
 * no closures.
 *
 * Failures are undici's, as src/ expects them: before the head the promise
 * rejects with the UpstreamError (refused, connect-timeout, timeout, reset,
 * bad-response); after it the body fails and the client's response is cut.
 * A kept connection the server closed as the request went out (nothing came
 * back) sends the request again, once, on a new connection: only requests
 * that may be sent twice take kept connections (src/proxy/http1-client.ts's
 * rule, shared through IdleConnections).
 */
import type { RequestHead, UpstreamOptions, UpstreamResponse, UpstreamTarget } from '../../src/deps.ts';
import type { UpstreamError } from '../../src/deps.ts';
import type { ResponseEvents } from '../../src/http1/response-parser.ts';
import type { ConnectionUser, ServerConnection } from './server-connection.ts';
import { requestHeadText, writeRequestBody, type RequestHeadText } from './server-request.ts';
import { UpstreamBody, type BodySource } from './upstream-body.ts';
import { upstreamError } from './upstream-errors.ts';

/** Where an exchange finds connections: the raw upstream's pool. */
export interface ConnectionPool {
  /** A connection for `exchange` (a kept one only when `mayTakeKept`). */
  connectionFor(exchange: ServerExchange, mayTakeKept: boolean): ServerConnection;
  keep(connection: ServerConnection): void;
}

export class ServerExchange implements ResponseEvents, BodySource, ConnectionUser, EventListenerObject {
  readonly pool: ConnectionPool;
  readonly target: UpstreamTarget;
  readonly head: RequestHead;
  readonly options: UpstreamOptions;
  /** Sent on a kept connection, it may be sent again on a new one if that connection went stale. */
  readonly resendable: boolean;
  readonly #requestBody: ReadableStream<Uint8Array> | null;
  readonly #resolve: (response: UpstreamResponse<UpstreamBody>) => void;
  readonly #reject: (error: Error) => void;
  #connection: ServerConnection | undefined;
  #bodyReader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  #body: UpstreamBody | null = null;
  /** The response head, from the parser until it is handed over. */
  #response: UpstreamResponse<UpstreamBody> | undefined;
  /** The head was handed over, or the promise rejected. */
  #settled = false;
  /** The connection was released or closed. */
  #over = false;
  #keep = false;
  /** The request's head text and framing, made once (a resend writes it again). */
  #request: RequestHeadText | undefined;
  #requestWritten = false;

  constructor(
    pool: ConnectionPool,
    target: UpstreamTarget,
    head: RequestHead,
    body: ReadableStream<Uint8Array> | null,
    options: UpstreamOptions,
    resendable: boolean,
    resolve: (response: UpstreamResponse<UpstreamBody>) => void,
    reject: (error: Error) => void,
  ) {
    this.pool = pool;
    this.target = target;
    this.head = head;
    this.#requestBody = body;
    this.options = options;
    this.resendable = resendable;
    this.#resolve = resolve;
    this.#reject = reject;
    const signal = options.signal;
    if (signal?.aborted) {
      this.#settled = this.#over = true;
      reject(upstreamError(abortReason(signal)));
      return;
    }
    let request: RequestHeadText;
    try {
      request = requestHeadText(target, head, body !== null);
    } catch (error) {
      this.#settled = this.#over = true;
      reject(error as Error);
      return;
    }
    this.#request = request;
    signal?.addEventListener('abort', this, { once: true });
    this.#send(pool.connectionFor(this, resendable));
  }

  #send(connection: ServerConnection): void {
    this.#connection = connection;
    connection.carry(this);
    connection.parser.start(this.head.method, this);
    const body = this.#requestBody;
    const { text, chunked } = this.#request!;
    connection.socket.write(text, 'latin1');
    if (!body) {
      this.#requestWritten = true;
      return;
    }
    this.#bodyReader = body.getReader();
    writeRequestBody(connection.socket, this.#bodyReader, chunked).then(
      () => this.#requestBodyWritten(connection),
      (error: unknown) => this.#requestBodyFailed(connection, error),
    );
  }

  onResponseHead(status: number, headers: [string, string][], keepAlive: boolean): void {
    if (this.#over) return;
    this.#keep = keepAlive && !this.#request!.close;
    // As undici: a Content-Length: 0 body is an empty body, not none.
    const noBody = this.head.method === 'HEAD' || status === 204 || status === 304;
    if (!noBody) this.#body = new UpstreamBody(this);
    this.#response = { status, headers, body: this.#body };
  }

  /**
   * The head is handed over once the chunk it came in is parsed: a body that
   * is bad in that same chunk (a bad chunk size) is then a 502, as haproxy
   * answers, not a response cut after its head.
   */
  chunkParsed(): void {
    if (this.#settled || !this.#response) return;
    this.#settled = true;
    this.#resolve(this.#response);
  }

  onResponseBody(chunk: Uint8Array): void {
    // Over already: the client left while this chunk's bytes were being parsed.
    if (this.#over) return;
    if (!this.#body!.data(chunk as Buffer)) this.#connection!.pause();
  }

  onResponseEnd(trailers: [string, string][] | undefined): void {
    if (this.#over) return;
    this.#body?.end(trailers);
    const connection = this.#connection!;
    this.#finish(this.#keep && this.#requestWritten && !connection.parser.extraBytes);
  }

  connectionFailed(error: UpstreamError, timedOut: boolean): void {
    if (this.#over) return;
    const connection = this.#connection!;
    if (!this.#settled && this.resendable && connection.reused && !connection.received && !timedOut) {
      // The server closed the kept connection as the request went out: nothing came back, send it again.
      connection.reused = false;
      this.#send(this.pool.connectionFor(this, false));
      return;
    }
    this.#finish(false);
    this.#cancelRequestBody(error);
    if (this.#settled) queueMicrotask(() => this.#body?.fail());
    else {
      this.#settled = true;
      this.#reject(error);
    }
  }

  /** BodySource: the client's response drained. */
  resume(): void {
    if (!this.#over) this.#connection!.resume();
  }

  /** BodySource: the client went away before the body's end; the connection goes with it. */
  abort(reason?: Error): void {
    if (this.#over) return;
    this.#finish(false);
    this.#cancelRequestBody(reason);
    if (!this.#settled) {
      this.#settled = true;
      this.#reject(upstreamError(reason ?? new DOMException('This operation was aborted', 'AbortError')));
    } else this.#body?.fail();
  }

  /** The client left (`options.signal`, `option abortonclose`). */
  handleEvent(): void {
    this.abort(abortReason(this.options.signal!));
  }

  #requestBodyWritten(connection: ServerConnection): void {
    if (connection !== this.#connection) return;
    this.#requestWritten = true;
    // The response may have ended before the request did: its connection was not kept then.
  }

  #requestBodyFailed(connection: ServerConnection, error: unknown): void {
    if (connection !== this.#connection || this.#over) return;
    // The client's body failed (it left mid-upload): the server's half-sent request is dropped.
    connection.close();
    this.connectionFailed(upstreamError(error), false);
  }

  #cancelRequestBody(reason: unknown): void {
    this.#bodyReader?.cancel(reason).catch(() => {});
  }

  #finish(keep: boolean): void {
    if (this.#over) return;
    this.#over = true;
    this.options.signal?.removeEventListener('abort', this);
    const connection = this.#connection!;
    if (keep) {
      connection.release();
      this.pool.keep(connection);
    } else connection.close();
  }
}

function abortReason(signal: AbortSignal): Error {
  return (signal.reason as Error | undefined) ?? new DOMException('This operation was aborted', 'AbortError');
}
