/** HAProxy's default (layer 4) health check: a TCP connect, closed at once. */
import { connect } from 'node:net';
import type { TcpProbe } from '../../src/deps.ts';

export const nodeTcpProbe: TcpProbe = {
  connect(host, port, timeoutMs) {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    return new Promise((resolve) => {
      const socket = connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        resolve({ ok: false, status: 'L4TOUT', info: 'Connection timeout', durationMs: elapsed() });
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.destroy();
        resolve({ ok: true, status: 'L4OK', durationMs: elapsed() });
      });
      socket.once('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        socket.destroy();
        const info = error.code === 'ECONNREFUSED' ? 'Connection refused' : (error.code ?? error.message);
        resolve({ ok: false, status: 'L4CON', info, durationMs: elapsed() });
      });
    });
  },
};
