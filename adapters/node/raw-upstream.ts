/**
 * The Node fast path's upstream for plain-HTTP servers, on `node:net`
 * sockets: a keep-alive pool per server address, the request written as one
 * latin1 string (adapters/node/server-request.ts), the response parsed by
 * src/http1/response-parser.ts as the bytes arrive, the body handed on as an
 * UpstreamBody. Measured (issue 17), undici's dispatcher cost a third of the
 * proxy's time per request with a raw front, and its WebAssembly parser is
 * the peak of the balancer's memory (issue 16); this does the same work with
 * a parser, a socket and one object per request.
 *
 * Servers reached over TLS keep going through undici (`tls` below): pools
 * there share a handshake's terms, which this pool does not model.
 */
import type { Upstream, UpstreamTarget, UpstreamOptions } from '../../src/deps.ts';
import { IdleConnections } from '../../src/proxy/idle-connections.ts';
import { ServerConnection } from './server-connection.ts';
import { abortReason, ServerExchange } from './server-exchange.ts';
import { requestHeadText, type RequestHeadText } from './server-request.ts';
import { upstreamError } from './upstream-errors.ts';
import type { UpstreamBody } from './upstream-body.ts';

/** Idle connections kept per server (and timeouts); more are closed when released. */
const MAX_IDLE_PER_SERVER = 128;
/** RFC 9110 §9.2.2: requests a client may send again when the connection failed before an answer. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

export interface RawUpstream extends Upstream<UpstreamBody> {
  /** Closes the idle connections (those in use close when their exchange ends). */
  closeIdle(): void;
}

/** `tls`: where requests to TLS servers go (undici's pools). */
export function createRawUpstream(tls: Upstream<UpstreamBody>): RawUpstream {
  const pool = new RawConnectionPool();
  return {
    request(target, head, body, options) {
      if (target.tls) return tls.request(target, head, body, options);
      const resendable = body === null && IDEMPOTENT.has(head.method);
      return new Promise((resolve, reject) => {
        if (options.signal?.aborted) return reject(upstreamError(abortReason(options.signal)));
        let request: RequestHeadText;
        try {
          request = requestHeadText(target, head, body !== null);
        } catch (error) {
          return reject(error);
        }
        new ServerExchange(pool, target, head, request, body, options, resendable, resolve, reject);
      });
    },
    closeIdle: () => pool.idle.closeAll(),
  };
}

/** Where an exchange finds connections. */
export interface ConnectionPool {
  /** A connection for `exchange` (a kept one only when `mayTakeKept`). */
  connectionFor(exchange: ServerExchange, mayTakeKept: boolean): ServerConnection;
  keep(connection: ServerConnection): void;
}

class RawConnectionPool implements ConnectionPool {
  readonly idle = new IdleConnections<ServerConnection>(MAX_IDLE_PER_SERVER);

  connectionFor(exchange: ServerExchange, mayTakeKept: boolean): ServerConnection {
    const { target, options } = exchange;
    const key = poolKey(target, options);
    const kept = mayTakeKept ? this.idle.take(key) : undefined;
    return kept ?? new ServerConnection(key, target.host, target.port, options.connectTimeout, options.serverTimeout);
  }

  keep(connection: ServerConnection): void {
    this.idle.keep(connection.poolKey, connection);
  }
}

/** Connections are shared by requests to one address with the same `timeout server` (their socket timer is set once). */
function poolKey(target: UpstreamTarget, options: UpstreamOptions): string {
  return `${target.host}|${target.port}|${options.serverTimeout ?? ''}`;
}
