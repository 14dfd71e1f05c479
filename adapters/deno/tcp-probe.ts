/** HAProxy's default (layer 4) health check on Deno: a TCP connect, closed at once. */
import type { TcpProbe } from '../../src/deps.ts';

export const denoTcpProbe: TcpProbe = {
  async connect(host, port, timeoutMs) {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    // The signal abandons a connect still pending at the deadline (no socket is left behind).
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      const connection = await Deno.connect({ hostname: host, port, signal: timeout });
      connection.close();
      return { ok: true, status: 'L4OK', durationMs: elapsed() };
    } catch (error) {
      if (timeout.aborted) return { ok: false, status: 'L4TOUT', info: 'Connection timeout', durationMs: elapsed() };
      const refused = error instanceof Deno.errors.ConnectionRefused;
      return { ok: false, status: 'L4CON', info: refused ? 'Connection refused' : String(error), durationMs: elapsed() };
    }
  },
};
