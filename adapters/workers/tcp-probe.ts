/** HAProxy's default (layer 4) check on Workers: a TCP connect through `cloudflare:sockets`, closed at once. */
import { connect } from 'cloudflare:sockets';
import type { TcpProbe } from '../../src/index.ts';

export const workersTcpProbe: TcpProbe = {
  async connect(host, port, timeoutMs) {
    const started = Date.now();
    const socket = connect({ hostname: host, port });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    try {
      const outcome = await Promise.race([socket.opened.then(() => 'open' as const), timeout]);
      if (outcome === 'timeout') return { ok: false, status: 'L4TOUT', info: 'Connection timeout', durationMs: Date.now() - started };
      return { ok: true, status: 'L4OK', durationMs: Date.now() - started };
    } catch (error) {
      return { ok: false, status: 'L4CON', info: error instanceof Error ? error.message : String(error), durationMs: Date.now() - started };
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      socket.close().catch(() => {});
    }
  },
};
