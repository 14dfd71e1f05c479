/**
 * The raw front gives a connection to node:http at a request boundary: every
 * response before is complete, the bytes it read and did not serve are put
 * back first, then node:http reads the socket as usual. A FIN already read
 * is passed on too (node:http ends the connection after its answers).
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { handedOverAtBoundary } from './client-errors.ts';

/** `unread`: the bytes not served, one character per byte. */
export function handOverToNodeHttp(socket: Socket, server: Server, unread: string, ended: boolean): void {
  // node:http's error pages may follow the raw front's complete answers.
  if (socket.bytesWritten > 0) handedOverAtBoundary(socket);
  // Paused by the raw front while a response was written; node:http may pause
  // it itself afterwards (the HTTP/2 preface: ./h2c.ts takes it over, paused).
  if (socket.isPaused()) socket.resume();
  server.emit('connection', socket);
  // Synchronously, before the socket's next read reaches node:http's parser.
  if (unread !== '') socket.emit('data', Buffer.from(unread, 'latin1'));
  if (ended) socket.emit('end');
}
