/**
 * `timeout client`: a client connection that makes no progress for that long
 * is closed. HAProxy counts inactivity only while it waits on the client —
 * not while the server is still preparing the response — so a slow backend
 * is `timeout server`'s business. A kept-alive connection idle between
 * requests is closed after the shorter of `timeout client` and the keep-alive
 * limit (`timeout http-keep-alive`, else `http-request`, else `client`), as
 * haproxy 2.6 does; Node's own keepAliveTimeout closes a second later than
 * it says, so the sweep does it. Node's own socket timeout is re-armed on
 * every read and write (measured: about 12 % of the proxy's throughput), so
 * instead a sweep looks at each connection's byte counters ten times per
 * timeout.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

const SWEEP_MS = 10;

interface Watched {
  progress: number;
  since: number;
  /** The exchange in progress on this connection, if any. */
  request?: IncomingMessage;
  response?: ServerResponse;
}

export interface ClientLimits {
  /** `timeout client`. */
  readonly client?: number;
  /** How long a kept-alive connection waits for its next request. */
  readonly keepAlive?: number;
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
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const entry = watched.get(request.socket);
    if (!entry) return;
    entry.request = request;
    entry.response = response;
    response.once('finish', () => {
      if (entry.response === response) entry.response = undefined;
    });
  });
  // Ten sweeps per timeout (bounded to 10 ms – 1 s): a connection is cut at
  // most two sweeps late (progress is seen one sweep late, silence is too),
  // 600 ms for `timeout client 3s`. A sweep only reads counters, so it is cheap.
  let every = 0;
  const sweep = setInterval(
    () => {
      const { client = Infinity, keepAlive = Infinity } = limits();
      const idleLimit = Math.min(client, keepAlive);
      if (idleLimit === Infinity) return;
      if (++every * SWEEP_MS < Math.min(1000, idleLimit / 10)) return;
      every = 0;
      const now = Date.now();
      for (const [socket, entry] of watched) {
        const progress = socket.bytesRead + socket.bytesWritten;
        // The whole request is in and no answer has started: the server's turn, not the client's.
        const waitingForServer = entry.response !== undefined && !entry.response.headersSent && entry.request!.complete;
        // Answered and the whole request read (a body may still be coming after an early answer): waiting for the next request.
        const idle = entry.response === undefined && entry.request?.complete === true;
        if (progress !== entry.progress || waitingForServer) {
          entry.progress = progress;
          entry.since = now;
        } else if (now - entry.since >= (idle ? idleLimit : client)) {
          socket.destroy();
        }
      }
    },
    SWEEP_MS,
  );
  sweep.unref();
  return () => clearInterval(sweep);
}
