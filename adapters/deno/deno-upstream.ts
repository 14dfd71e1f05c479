/**
 * Deno's Upstream: HTTP/1.1 written by src/proxy/http1-client.ts over
 * `Deno.connect` (and `Deno.startTls` for `ssl` servers), because Deno's
 * fetch rewrites what it forwards (resolves dot segments, adds
 * accept-encoding and other headers, decompresses bodies it then labels
 * still encoded: issue 15 items 3 and 4). The client keeps connections alive
 * and reads them with the connection's own `read` (a Deno.Conn has one),
 * into a buffer of its own, and writes it with its own `write`. WebSocket
 * upgrades go to Deno's WebSocket client (./websocket-upstream.ts).
 */
import { UpstreamError, type Upstream } from '../../src/deps.ts';
import { createHttp1Upstream, type Http1Body } from '../../src/proxy/http1-client.ts';
import { connectTlsTo } from './tls-connect.ts';
import { withWebSockets } from './websocket-upstream.ts';

export interface DenoUpstream extends Upstream {
  /** The same connections, a body that arrived whole handed on as its bytes (the fast path's, ./fast-path.ts). */
  readonly native: Upstream<Http1Body>;
}

export function createDenoUpstream(): DenoUpstream {
  const http1 = createHttp1Upstream(async (host, port, timeoutMs, tls) => {
    const timeout = timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs);
    try {
      return tls ? await connectTlsTo(host, port, tls, timeout) : await Deno.connect({ hostname: host, port, signal: timeout });
    } catch (error) {
      if (timeout?.aborted) throw new UpstreamError('connect-timeout', `connect to ${host}:${port} timed out`, { cause: error });
      if (error instanceof UpstreamError) throw error;
      throw new UpstreamError('refused', `connect to ${host}:${port}: ${String(error)}`, { cause: error });
    }
  });
  return { request: withWebSockets(http1).request, native: withWebSockets(http1.native) };
}
