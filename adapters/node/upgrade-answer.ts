/**
 * Ordinary HTTP answers on a socket Node handed to the `upgrade` event (a
 * page, a stats answer, a server that declined the upgrade): written through
 * a ServerResponse, after which the socket goes back to the HTTP server.
 */
import { ServerResponse, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { ResponseHead } from '../../src/deps.ts';
import type { ErrorResponse } from '../../src/proxy/error-pages.ts';

/**
 * Answers on the socket Node handed over with an ordinary response (`write`
 * returns whether the connection must close after it); then, unless it
 * closes, gives the socket back to the HTTP server with the bytes the client
 * sent after its request, so pipelined requests are read and answered.
 */
export function answerAsHttp(
  request: IncomingMessage,
  socket: Socket,
  head: Buffer,
  server: Server,
  write: (response: ServerResponse) => boolean,
): void {
  if (socket.destroyed) return;
  const response = new ServerResponse(request);
  response.sendDate = false;
  response.assignSocket(socket);
  let close = false;
  response.once('finish', () => {
    response.detachSocket(socket);
    if (close || request.httpVersion === '1.0') return void socket.end();
    if (head.length > 0) socket.unshift(head);
    server.emit('connection', socket);
  });
  close = write(response);
}

export function flat(head: ResponseHead): string[] {
  const out: string[] = [];
  for (const [name, value] of head.headers) out.push(name, value);
  return out;
}

export function closes(head: ResponseHead): boolean {
  return head.headers.some(([name, value]) => name.toLowerCase() === 'connection' && /(^|,)\s*close\s*(,|$)/i.test(value));
}

export function sendPage(page: ErrorResponse, response: ServerResponse): boolean {
  // HAProxy's status line carries the page's title (`400 Bad request`), not Node's reason.
  const reason = page.reason ?? /<h1>\d{3} ([^<]*)<\/h1>/.exec(page.body)?.[1];
  const lines = page.headers.flatMap(([name, value]) => [name, value]);
  if (reason) response.writeHead(page.status, reason, lines);
  else response.writeHead(page.status, lines);
  response.end(page.body);
  return closes(page);
}

/**
 * A request with a body is not upgraded (haproxy removes its Upgrade line):
 * Node's parser handed it to `upgrade` all the same, so its head is written
 * again without the Upgrade line, in front of what followed it, and the
 * socket goes back to the HTTP server, which reads it as an ordinary request.
 */
export function replayWithoutUpgrade(request: IncomingMessage, socket: Socket, rest: Buffer, server: Server): void {
  let head = `${request.method} ${request.url} HTTP/${request.httpVersion}\r\n`;
  const raw = request.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i]!.toLowerCase() !== 'upgrade') head += `${raw[i]}: ${raw[i + 1]}\r\n`;
  socket.unshift(Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), rest]));
  server.emit('connection', socket);
}
