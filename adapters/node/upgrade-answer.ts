/**
 * Ordinary HTTP answers on a socket Node handed to the `upgrade` event (a
 * page, a stats answer, a server that declined the upgrade): written through
 * a ServerResponse, after which the socket goes back to the HTTP server.
 */
import { ServerResponse, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';

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
