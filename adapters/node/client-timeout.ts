/**
 * The client side's timeouts after a connection's first request head, as
 * haproxy 2.6 applies them (the first head's `timeout http-request` is
 * client-errors.ts's timer):
 * - `timeout client`: a connection that makes no progress for that long is
 *   closed. Inactivity counts only while the proxy waits on the client, not
 *   while the server is still preparing the response (`timeout server`'s
 *   business).
 * - A kept-alive connection idle between requests is closed after the shorter
 *   of `timeout client` and the keep-alive limit (`timeout http-keep-alive`,
 *   else `http-request`, else `client`). Node's own keepAliveTimeout closes a
 *   second later than it says, so the sweep does it.
 * - Once the next request's first bytes arrive, its head must be complete
 *   within `timeout http-request`, or it gets HAProxy's 408 page: a head that
 *   trickles in byte by byte makes progress, so `timeout client` alone would
 *   never cut it.
 * Node's socket timeout is re-armed on every read and write (measured: about
 * 12 % of the proxy's throughput), so instead a sweep looks at each
 * connection's byte counters ten times per timeout.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ClientLimits } from '../../src/http1/client-limits.ts';
import { answerRequestTimeout } from './client-errors.ts';

const SWEEP_MS = 10;

interface Watched {
  progress: number;
  since: number;
  /** The exchange in progress on this connection, if any. */
  request?: IncomingMessage;
  response?: ServerResponse;
  /** Bytes read when the last response finished; more since, the next head has begun. */
  readWhenAnswered?: number;
  /** When the sweep first saw the next head's bytes. */
  nextHeadSince?: number;
}


/**
 * Starts the sweep; returns a function that stops it. `limits()` is read at
 * each sweep (a reload may change them; undefined: no limit).
 */
export function enforceClientTimeout(server: Server, limits: () => ClientLimits): () => void {
  const watched = new Map<Socket, Watched>();
  server.on('connection', (socket: Socket) => {
    watched.set(socket, { progress: 0, since: Date.now() });
    socket.once('close', () => watched.delete(socket));
  });
  // An upgraded connection is the upgrade handler's (timeout server until the
  // 101, then the tunnel's own timeout); answered without a 101, the socket
  // comes back through 'connection' and is watched again.
  server.on('upgrade', (_request: IncomingMessage, socket: Socket) => watched.delete(socket));
  // An HTTP/2 connection (prior knowledge) has its own idle limit (./h2c.ts).
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (error.code === 'HPE_PAUSED_H2_UPGRADE') watched.delete(socket);
  });
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const entry = watched.get(request.socket);
    if (!entry) return;
    entry.request = request;
    entry.response = response;
    entry.nextHeadSince = undefined;
    response.once('finish', () => {
      if (entry.response !== response) return;
      entry.response = undefined;
      entry.readWhenAnswered = request.socket.bytesRead;
    });
  });
  // Ten sweeps per timeout (bounded to 10 ms – 1 s): a connection is cut at
  // most two sweeps late (progress is seen one sweep late, silence is too),
  // 600 ms for `timeout client 3s`. A sweep only reads counters, so it is cheap.
  let every = 0;
  const sweep = setInterval(
    () => {
      const { client = Infinity, httpRequest = Infinity, keepAlive = Infinity } = limits();
      const idleLimit = Math.min(client, keepAlive);
      const shortest = Math.min(idleLimit, httpRequest);
      if (shortest === Infinity) return;
      if (++every * SWEEP_MS < Math.min(1000, shortest / 10)) return;
      every = 0;
      const now = Date.now();
      for (const [socket, entry] of watched) {
        const progress = socket.bytesRead + socket.bytesWritten;
        // The whole request is in and no answer has started: the server's turn, not the client's.
        const waitingForServer = entry.response !== undefined && !entry.response.headersSent && entry.request!.complete;
        // Answered and the whole request read (a body may still be coming after an early answer): between requests.
        const betweenRequests = entry.response === undefined && entry.request?.complete === true;
        if (betweenRequests && entry.nextHeadSince === undefined && socket.bytesRead !== entry.readWhenAnswered) entry.nextHeadSince = now;
        if (betweenRequests && entry.nextHeadSince !== undefined && now - entry.nextHeadSince >= httpRequest) {
          answerRequestTimeout(socket);
        } else if (progress !== entry.progress || waitingForServer) {
          entry.progress = progress;
          entry.since = now;
        } else if (now - entry.since >= (betweenRequests ? idleLimit : client)) {
          socket.destroy();
        }
      }
    },
    SWEEP_MS,
  );
  sweep.unref();
  return () => clearInterval(sweep);
}
