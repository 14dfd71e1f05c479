/**
 * HAProxy's default (layer 4) health check: a TCP connect, closed at once;
 * over TLS (`check-ssl`, or `ssl`) the handshake must complete too: L6OK,
 * or L6RSP "SSL handshake failure" as haproxy 2.6 reports a refused
 * certificate and a plain server alike.
 */
import { connect } from 'node:net';
import { connect as connectTls } from 'node:tls';
import type { TcpProbe } from '../../src/deps.ts';
import { tlsConnectOptions } from './tls-connect-options.ts';

export const nodeTcpProbe: TcpProbe = {
  connect(host, port, timeoutMs, tls) {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    return new Promise((resolve) => {
      const socket = tls ? connectTls({ host, port, ...tlsConnectOptions(tls) }) : connect({ host, port });
      let connected = false;
      socket.once('connect', () => (connected = true));
      const done = (result: Awaited<ReturnType<TcpProbe['connect']>>) => {
        clearTimeout(timer);
        socket.destroy();
        resolve(result);
      };
      const timer = setTimeout(() => {
        done(connected && tls ? { ok: false, status: 'L6TOUT', durationMs: elapsed() } : { ok: false, status: 'L4TOUT', info: 'Connection timeout', durationMs: elapsed() });
      }, timeoutMs);
      socket.once(tls ? 'secureConnect' : 'connect', () => done({ ok: true, status: tls ? 'L6OK' : 'L4OK', durationMs: elapsed() }));
      socket.once('error', (error: NodeJS.ErrnoException) => {
        if (connected && tls) return done({ ok: false, status: 'L6RSP', info: 'SSL handshake failure', durationMs: elapsed() });
        const info = error.code === 'ECONNREFUSED' ? 'Connection refused' : (error.code ?? error.message);
        done({ ok: false, status: 'L4CON', info, durationMs: elapsed() });
      });
    });
  },
};
