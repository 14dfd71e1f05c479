/**
 * The node:http server of a listener, set as HAProxy behaves: it serves what
 * the raw front (./raw-front.ts) hands over (and every connection when the
 * raw front is off); it never listens itself.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { refuseUnsupportedRequests } from './client-errors.ts';

export function createNodeHttpServer(request: RequestListener, upgrade: (request: import('node:http').IncomingMessage, socket: Socket, head: Buffer) => void): Server {
  // An HTTP/1.0 request without Host is forwarded, as haproxy does; an
  // HTTP/1.1 one gets HAProxy's 400 page from client-errors.ts, not Node's.
  const server = createServer({ requireHostHeader: false });
  server.on('request', refuseUnsupportedRequests(server, (incoming, response) => {
    // HAProxy adds no Date line: the server's own, if it sent one, is forwarded.
    response.sendDate = false;
    request(incoming, response);
  }));
  server.on('upgrade', upgrade);
  // `timeout http-request` and `timeout client` are enforced by
  // client-errors.ts and client-timeout.ts, promptly and with HAProxy's pages.
  server.requestTimeout = 0;
  server.timeout = 0;
  // A client that shuts down its sending side after the request still reads
  // the answer: HAProxy aborts on that only with `option abortonclose`.
  // Node aborts such requests unless this long-standing flag is set.
  (server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  return server;
}
