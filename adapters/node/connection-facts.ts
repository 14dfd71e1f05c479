/**
 * What the admission step learns of a request's connection on Node: `src`,
 * `src_port`, `dst`, `dst_port`, `req.ver` and, on a TLS bind, `ssl_fc*`.
 * Read from the socket, so node:http's requests and the raw front's
 * (./raw-connection.ts) get the same facts.
 */
import type { Socket } from 'node:net';
import type { ConnectionFacts } from '../../src/rules/transaction.ts';
import { tlsFactsOf } from './tls-front.ts';

/** A v4 address on a dual-stack socket shows as ::ffff:a.b.c.d; HAProxy logs and forwards a.b.c.d. */
function unmapped(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

export function clientAddressOf(socket: Socket): string {
  return unmapped(socket.remoteAddress ?? '');
}

/** `dst` / `dst_port`: the address and port this connection reached (the socket's local end). */
export function localEndOf(socket: Socket): { localAddress?: string; localPort?: number } {
  const { localAddress, localPort } = socket;
  return { localAddress: localAddress && unmapped(localAddress), localPort };
}

/** One object per request; the TLS part is computed once per connection (tls-front.ts). */
export function connectionFactsOf(socket: Socket, httpVersion: string, clientAddress = clientAddressOf(socket)): ConnectionFacts {
  return {
    clientAddress,
    clientPort: socket.remotePort,
    localAddress: socket.localAddress && unmapped(socket.localAddress),
    localPort: socket.localPort,
    httpVersion,
    tls: tlsFactsOf(socket),
  };
}
