/**
 * HAProxy's default (layer 4) check on Workers: a TCP connect through
 * `cloudflare:sockets`, closed at once; for `ssl`/`check-ssl` servers a TLS
 * connection the platform verifies (its public roots: `ca-file` is not used).
 */
import { connect } from 'cloudflare:sockets';
import type { TcpProbe } from '../../src/index.ts';

export const workersTcpProbe: TcpProbe = {
  async connect(host, port, timeoutMs, tls) {
    const started = Date.now();
    const socket = connect({ hostname: host, port }, { secureTransport: tls ? 'on' : 'off', allowHalfOpen: false });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    try {
      const outcome = await Promise.race([socket.opened.then(() => 'open' as const), timeout]);
      if (outcome === 'timeout') return { ok: false, status: 'L4TOUT', info: 'Connection timeout', durationMs: Date.now() - started };
      return { ok: true, status: tls ? 'L6OK' : 'L4OK', durationMs: Date.now() - started };
    } catch (error) {
      const info = error instanceof Error ? error.message : String(error);
      if (tls && /tls|ssl|certificate|handshake/i.test(info)) return { ok: false, status: 'L6RSP', info: 'SSL handshake failure', durationMs: Date.now() - started };
      return { ok: false, status: 'L4CON', info, durationMs: Date.now() - started };
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      socket.close().catch(() => {});
    }
  },
};
