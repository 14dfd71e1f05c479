/**
 * What a client gets when its request never becomes one, as HAProxy answers
 * it: a malformed request gets HAProxy's 400 page, a request head not complete
 * within `timeout http-request` its 408 page, then the connection is closed.
 * Node would send bare responses of its own (and checks its header timeout
 * only every 30 s), so both are handled here on the raw socket. Two requests
 * Node would accept are refused the same way: HTTP/0.9 (`GET /` without a
 * version, which haproxy rejects with 400) and CONNECT, which is not
 * tunnelled here (405; haproxy passes it to the server). Heads Node parses but
 * haproxy refuses (too many header lines, Host missing, repeated or contradicted
 * by an absolute-form target) are the admission step's to refuse, on every
 * runtime: src/admission/refused-request-head.ts.
 */
import type { IncomingMessage, RequestListener, Server } from 'node:http';
import type { Socket } from 'node:net';
import { pageText } from '../../src/http1/response-head.ts';
import { builtinErrorResponse } from '../../src/proxy/error-pages.ts';

/** The page as raw HTTP/1.1 bytes; the reason phrase is the page's title, as in HAProxy's. */
function rawErrorPage(status: 400 | 405 | 408): string {
  return pageText(builtinErrorResponse(status));
}

/** Bytes the raw front had written when it handed a connection over, at a request boundary. */
const writtenBeforeHandOver = new WeakMap<Socket, number>();

/** The raw front hands `socket` over to node:http with every response before complete. */
export function handedOverAtBoundary(socket: Socket): void {
  writtenBeforeHandOver.set(socket, socket.bytesWritten);
}

function answerAndClose(socket: Socket, status: 400 | 405 | 408): void {
  // Only a connection on which nothing was sent yet (by node:http: the raw
  // front's answers are complete) can still take a response; end() closes
  // it once the page is flushed.
  if (socket.writable && socket.bytesWritten === (writtenBeforeHandOver.get(socket) ?? 0)) socket.end(rawErrorPage(status));
  else socket.destroy();
}

/**
 * HAProxy's 408 page on a kept-alive connection whose next request head is
 * late (client-timeout.ts); the previous response is complete, so the page
 * can follow it. The connection closes after it.
 */
export function answerRequestTimeout(socket: Socket): void {
  if (socket.writable) socket.end(rawErrorPage(408));
  else socket.destroy();
}

/**
 * `httpRequestTimeoutMs()` is read per connection, so a reloaded configuration
 * applies to new ones. A connection that opens with the HTTP/2 preface goes
 * to `onHttp2Preface` with the bytes read (./h2c.ts), not to a 400.
 */
export function answerClientErrors(
  server: Server,
  httpRequestTimeoutMs: () => number | undefined,
  onHttp2Preface?: (socket: Socket, bytes: Buffer) => void,
): void {
  // Armed when the connection opens, disarmed when its first request head is complete.
  const pending = new WeakMap<Socket, NodeJS.Timeout>();
  server.on('clientError', (error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Socket) => {
    if (error.code === 'HPE_PAUSED_H2_UPGRADE' && onHttp2Preface && error.rawPacket) {
      clearTimeout(pending.get(socket));
      return onHttp2Preface(socket, error.rawPacket);
    }
    answerAndClose(socket, error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400);
  });
  server.on('connection', (socket: Socket) => {
    const timeoutMs = httpRequestTimeoutMs();
    if (!timeoutMs) return;
    const timer = setTimeout(() => answerAndClose(socket, 408), timeoutMs);
    pending.set(socket, timer);
    socket.once('close', () => clearTimeout(timer));
  });
  const headComplete = (request: import('node:http').IncomingMessage) => {
    const timer = pending.get(request.socket);
    if (timer) clearTimeout(timer);
  };
  server.on('request', headComplete);
  server.on('upgrade', headComplete);
}

/** Wraps the request handler: HTTP/0.9 never reaches it. Also answers CONNECT. */
export function refuseUnsupportedRequests(server: Server, handler: RequestListener): RequestListener {
  server.on('connect', (request: IncomingMessage, socket: Socket) => answerAndClose(socket, 405));
  return (request, response) => {
    if (request.httpVersionMajor === 0) answerAndClose(request.socket, 400);
    else handler(request, response);
  };
}
