/**
 * HAProxy's default (layer 4) health check on Deno: a TCP connect, closed at
 * once; over TLS the handshake must complete too (L6OK, or L6RSP "SSL
 * handshake failure" as haproxy 2.6 reports it).
 */
import { UpstreamError, type TcpProbe } from '../../src/deps.ts';
import { connectTlsTo } from './tls-connect.ts';

export const denoTcpProbe: TcpProbe = {
  async connect(host, port, timeoutMs, tls) {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    // The signal abandons a connect still pending at the deadline (no socket is left behind).
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      const connection = tls ? await connectTlsTo(host, port, tls, timeout) : await Deno.connect({ hostname: host, port, signal: timeout });
      connection.close();
      return { ok: true, status: tls ? 'L6OK' : 'L4OK', durationMs: elapsed() };
    } catch (error) {
      if (timeout.aborted) return { ok: false, status: 'L4TOUT', info: 'Connection timeout', durationMs: elapsed() };
      if (error instanceof UpstreamError) return { ok: false, status: 'L6RSP', info: 'SSL handshake failure', durationMs: elapsed() };
      const refused = error instanceof Deno.errors.ConnectionRefused;
      return { ok: false, status: 'L4CON', info: refused ? 'Connection refused' : String(error), durationMs: elapsed() };
    }
  },
};
