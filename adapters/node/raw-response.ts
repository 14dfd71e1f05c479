/**
 * The responses of one raw front connection (./raw-connection.ts), written
 * to the socket in the bytes node:http would write (src/http1/response-head.ts
 * frames them): the head leaves with the first body bytes, and a body whole
 * when written (the usual small response) leaves with its head in one
 * `socket.write`. It is the BodySink an UpstreamBody writes into: chunked
 * encoding when the head has no length, trailers after the last chunk,
 * back-pressure through the socket's `drain`. Reused by each response.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { frameResponse, pageHead, type ExchangeFacts, type ResponseFraming } from '../../src/http1/response-head.ts';
import type { ProxyOutcome } from '../../src/proxy/proxy-request.ts';
import type { BodySink, UpstreamBody } from './upstream-body.ts';

/** Bodies up to this size are copied behind the head into one buffer; bigger ones are written as they are. */
const COPY_LIMIT_BYTES = 16 * 1024;

const nodeReason = (status: number): string | undefined => STATUS_CODES[status];

export class RawResponse implements BodySink {
  readonly #socket: Socket;
  readonly #finished: (last: boolean) => void;
  #last = false;
  #onDone: (() => void) | undefined;
  #body: UpstreamBody | null = null;
  /** The head not written yet ('' once it is). */
  #head = '';
  #chunked = false;
  #hasBody = false;
  #trailers = '';
  #open = false;
  /** The body's drain listener (UpstreamBody's resume), for the current response only. */
  #drain: (() => void) | undefined;

  /** `finished`: the response's last bytes are queued on the socket; `last`: the connection closes after it. */
  constructor(socket: Socket, finished: (last: boolean) => void) {
    this.#socket = socket;
    this.#finished = finished;
  }

  answer(outcome: ProxyOutcome<UpstreamBody>, exchange: ExchangeFacts): void {
    if (outcome.kind === 'page') {
      outcome.serverBody?.destroy();
      this.start(frameResponse(pageHead(outcome.page), exchange, nodeReason));
      this.end(Buffer.from(outcome.page.body));
      return;
    }
    this.start(frameResponse(outcome.head, exchange, nodeReason));
    this.#onDone = outcome.onDone;
    this.#body = outcome.body;
    if (outcome.body) outcome.body.pipeTo(this, outcome.onChunk);
    else this.end();
  }

  /** An outcome for a client that left meanwhile. */
  discard(outcome: ProxyOutcome<UpstreamBody>): void {
    if (outcome.kind === 'page') return void outcome.serverBody?.destroy();
    outcome.body?.destroy();
    outcome.onDone();
  }

  /** The connection closed: as node:http's response 'close', the server's body stops and the request's books close. */
  abandon(): void {
    const done = this.#onDone;
    this.#onDone = undefined;
    this.#body?.destroy();
    this.#body = null;
    done?.();
  }

  /** The socket drained (its owner listens, once per connection). */
  drained(): void {
    this.#drain?.();
  }

  start(framing: ResponseFraming): void {
    this.#last = framing.last;
    this.#head = framing.head;
    this.#chunked = framing.chunked;
    this.#hasBody = framing.hasBody;
    this.#trailers = '';
    this.#drain = undefined;
    this.#open = true;
  }

  write(chunk: Buffer): boolean {
    if (!this.#open) return false;
    if (!this.#hasBody || chunk.byteLength === 0) return this.#flushHead();
    const prefix = this.#takeHead() + (this.#chunked ? `${chunk.byteLength.toString(16)}\r\n` : '');
    return this.#send(prefix, chunk, this.#chunked ? '\r\n' : '');
  }

  end(chunk?: Buffer): void {
    if (!this.#open) return;
    this.#open = false;
    let prefix = this.#takeHead();
    let suffix = '';
    const body = this.#hasBody && chunk && chunk.byteLength > 0 ? chunk : undefined;
    if (body && this.#chunked) {
      prefix += `${body.byteLength.toString(16)}\r\n`;
      suffix = '\r\n';
    }
    if (this.#hasBody && this.#chunked) suffix += `0\r\n${this.#trailers}\r\n`;
    this.#send(prefix, body, suffix);
    const done = this.#onDone;
    this.#onDone = undefined;
    this.#body = null;
    done?.();
    this.#finished(this.#last);
  }

  /** The server's body failed: the client's response is cut (node:http destroys the socket too). */
  destroy(): void {
    this.#open = false;
    this.#socket.destroy();
  }

  addTrailers(trailers: [string, string][]): void {
    // Written only in a chunked body, as node:http does.
    for (const [name, value] of trailers) this.#trailers += `${name}: ${value}\r\n`;
  }

  on(_event: 'drain', listener: () => void): void {
    this.#drain = listener;
  }

  #takeHead(): string {
    const head = this.#head;
    this.#head = '';
    return head;
  }

  #flushHead(): boolean {
    const head = this.#takeHead();
    return head === '' ? true : this.#socket.write(head, 'latin1');
  }

  /** `prefix` and `suffix` are latin1 framing; one write unless the body is big. */
  #send(prefix: string, body: Buffer | undefined, suffix: string): boolean {
    const socket = this.#socket;
    if (!body) return prefix + suffix === '' ? true : socket.write(prefix + suffix, 'latin1');
    if (prefix === '' && suffix === '') return socket.write(body);
    if (body.byteLength > COPY_LIMIT_BYTES) {
      socket.cork();
      if (prefix !== '') socket.write(prefix, 'latin1');
      let flowing = socket.write(body);
      if (suffix !== '') flowing = socket.write(suffix, 'latin1');
      socket.uncork();
      return flowing;
    }
    const out = Buffer.allocUnsafe(prefix.length + body.byteLength + suffix.length);
    out.write(prefix, 0, 'latin1');
    body.copy(out, prefix.length);
    if (suffix !== '') out.write(suffix, prefix.length + body.byteLength, 'latin1');
    return socket.write(out);
  }
}
