/**
 * One request to a server (adapters/node/raw-upstream.ts), the request side:
 * writes it on a ServerConnection, its body after it, listens for the client
 * leaving; server-response.ts is the response side. One object per request,
 * no closures. A kept connection that went stale (closed as the request went
 * out, nothing came back) sends the request again, once, on a new connection
 * (src/proxy/http1-client.ts's rule).
 */
import type { RequestHead, UpstreamOptions, UpstreamResponse, UpstreamTarget } from '../../src/deps.ts';
import type { UpstreamError } from '../../src/deps.ts';
import type { ConnectionUser, ServerConnection } from './server-connection.ts';
import { RequestBodyPump, type RequestBodyOwner } from './request-body-pump.ts';
import type { ConnectionPool } from './raw-upstream.ts';
import type { RequestHeadText } from './server-request.ts';
import { ExchangeResponse } from './server-response.ts';
import type { UpstreamBody } from './upstream-body.ts';
import { upstreamError } from './upstream-errors.ts';

export class ServerExchange extends ExchangeResponse implements ConnectionUser, RequestBodyOwner, EventListenerObject {
  readonly target: UpstreamTarget;
  readonly options: UpstreamOptions;
  readonly #pool: ConnectionPool;
  /** The request's head text and framing, made once (a resend writes it again). */
  readonly #request: RequestHeadText;
  readonly #requestBody: ReadableStream<Uint8Array> | null;
  /** Sent on a kept connection, it may be sent again on a new one if that connection went stale. */
  readonly #resendable: boolean;
  #bodyPump: RequestBodyPump | undefined;

  constructor(
    pool: ConnectionPool,
    target: UpstreamTarget,
    head: RequestHead,
    request: RequestHeadText,
    body: ReadableStream<Uint8Array> | null,
    options: UpstreamOptions,
    resendable: boolean,
    resolve: (response: UpstreamResponse<UpstreamBody>) => void,
    reject: (error: Error) => void,
  ) {
    super(head.method, request.close, resolve, reject);
    this.#pool = pool;
    this.target = target;
    this.options = options;
    this.#request = request;
    this.#requestBody = body;
    this.#resendable = resendable;
    options.signal?.addEventListener('abort', this, { once: true });
    this.#send(pool.connectionFor(this, resendable));
  }

  #send(connection: ServerConnection): void {
    this.connection = connection;
    connection.carry(this);
    connection.parser.start(this.method, this);
    connection.socket.write(this.#request.text, 'latin1');
    const body = this.#requestBody;
    if (!body) this.requestWritten = true;
    // Requests with a body are never resent: one pump, on this connection.
    else this.#bodyPump = new RequestBodyPump(connection.socket, body, this.#request.chunked, this);
  }

  connectionFailed(error: UpstreamError, timedOut: boolean): void {
    if (this.over) return;
    const connection = this.connection!;
    if (!this.settled && this.#resendable && connection.reused && !connection.received && !timedOut) {
      // The server closed the kept connection as the request went out: nothing came back, send it again.
      this.#send(this.#pool.connectionFor(this, false));
      return;
    }
    this.finish(false);
    this.fail(error);
  }

  /** The client left (`options.signal`, `option abortonclose`). */
  handleEvent(): void {
    this.abort(abortReason(this.options.signal!));
  }

  /** RequestBodyOwner. The response may have ended before the request did: its connection was not kept then. */
  requestBodyWritten(): void {
    this.requestWritten = true;
  }

  /** RequestBodyOwner: the client's body failed (it left mid-upload); the half-sent request is dropped. */
  requestBodyFailed(error: unknown): void {
    if (this.over) return;
    this.connection!.close();
    this.connectionFailed(upstreamError(error), false);
  }

  protected finish(keep: boolean): void {
    if (this.over) return;
    this.over = true;
    this.options.signal?.removeEventListener('abort', this);
    const connection = this.connection!;
    if (keep) {
      connection.release();
      this.#pool.keep(connection);
    } else {
      connection.close();
      this.#bodyPump?.cancel(new Error('the exchange with the server ended'));
    }
  }
}

export function abortReason(signal: AbortSignal): Error {
  return (signal.reason as Error | undefined) ?? new DOMException('This operation was aborted', 'AbortError');
}
