/**
 * The response head in HTTP/1.1 bytes, exactly as Node's http server writes
 * it for `writeHead(status, [reason,] lines)` with `sendDate = false`, so a
 * runtime writing to the socket itself puts the same bytes on the wire:
 * - the reason phrase a rule set, else the standard one (`unknown` when none);
 * - the lines in order, then, when no line is named Connection,
 *   `Connection: keep-alive` (with `Keep-Alive: timeout=N` unless the head
 *   has its own Keep-Alive line) or `Connection: close`;
 * - without Content-Length or Transfer-Encoding, a response that has a body
 *   is sent chunked (`Transfer-Encoding: chunked`).
 * A Connection line decides alone whether the connection is kept (a `close`
 * token closes it, anything else keeps it), as in Node.
 */
import type { ResponseHead } from '../deps.ts';
import type { ErrorResponse } from '../proxy/error-pages.ts';

export interface ResponseFraming {
  /** The status line and header lines, blank line included (latin1). */
  readonly head: string;
  /** The body goes in chunks (`size CRLF data CRLF`, ended by `0 CRLF trailers CRLF`). */
  readonly chunked: boolean;
  /** The connection closes after this response. */
  readonly last: boolean;
  /** Whether a body is written at all (not for HEAD, 204, 304, 1xx). */
  readonly hasBody: boolean;
}

export interface ExchangeFacts {
  readonly method: string;
  /** The client's request keeps the connection (HTTP/1.1 without `Connection: close`). */
  readonly keepAlive: boolean;
  /** The hint in `Keep-Alive: timeout=N` (Node's `keepAliveTimeout`); 0: no hint. */
  readonly keepAliveTimeoutMs: number;
}

const CLOSE_TOKEN = /(?:^|\W)close(?:$|\W)/i;
const CHUNKED_TOKEN = /(?:^|\W)chunked(?:$|\W)/i;

/** An error page's head: its status line carries the page's title (`400 Bad request`), as HAProxy's sendPage writes it. */
export function pageHead(page: ErrorResponse): ResponseHead {
  return { status: page.status, reason: page.reason ?? /<h1>\d{3} ([^<]*)<\/h1>/.exec(page.body)?.[1], headers: page.headers };
}

/** A page as HAProxy writes it on a connection it then closes (its lines as they are: `connection: close` among them). */
export function pageText(page: ErrorResponse): string {
  const { status, reason = '', headers } = pageHead(page);
  return `HTTP/1.1 ${status} ${reason}\r\n${headers.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n${page.body}`;
}

/** `reasonOf`: the runtime's standard reason phrase of a status (Node's STATUS_CODES). */
export function frameResponse(response: ResponseHead, exchange: ExchangeFacts, reasonOf: (status: number) => string | undefined): ResponseFraming {
  const { status } = response;
  let head = `HTTP/1.1 ${status} ${response.reason ?? reasonOf(status) ?? 'unknown'}\r\n`;
  const hasBody = exchange.method !== 'HEAD' && status !== 204 && status !== 304 && !(status >= 100 && status <= 199);
  let keepAlive = exchange.keepAlive;
  let last = false;
  let connection = false;
  let contentLength = false;
  let transferEncoding = false;
  let chunked = false;
  let keepAliveHint = true;
  for (const [name, value] of response.headers) {
    head += `${name}: ${value}\r\n`;
    if (name.length < 4 || name.length > 17) continue;
    switch (name.toLowerCase()) {
      case 'connection':
        connection = true;
        if (CLOSE_TOKEN.test(value)) last = true;
        else keepAlive = true;
        break;
      case 'transfer-encoding':
        transferEncoding = true;
        if (CHUNKED_TOKEN.test(value)) chunked = true;
        break;
      case 'content-length':
        contentLength = true;
        break;
      case 'keep-alive':
        keepAliveHint = false;
        break;
    }
  }
  // Node does not chunk a 204/304 and closes after it instead.
  if (chunked && (status === 204 || status === 304)) {
    chunked = false;
    keepAlive = false;
  }
  if (!connection) {
    if (keepAlive) {
      head += 'Connection: keep-alive\r\n';
      if (exchange.keepAliveTimeoutMs && keepAliveHint) head += `Keep-Alive: timeout=${Math.floor(exchange.keepAliveTimeoutMs / 1000)}\r\n`;
    } else {
      last = true;
      head += 'Connection: close\r\n';
    }
  }
  if (!contentLength && !transferEncoding) {
    if (hasBody) {
      head += 'Transfer-Encoding: chunked\r\n';
      chunked = true;
    } else chunked = false;
  }
  if (!hasBody) chunked = false;
  return { head: head + '\r\n', chunked, last, hasBody };
}
