/**
 * What the admission step learns of a request's connection on Node: `src`,
 * `src_port`, `dst`, `dst_port`, `req.ver` and, on a TLS bind, `ssl_fc*`.
 * Read from the socket, so node:http's requests and the raw front's
 * (./raw-connection.ts) get the same facts.
 */
import type { Socket } from 'node:net';
import { unmappedAddress } from '../../src/proxy/ip-address.ts';
import type { ConnectionFacts } from '../../src/rules/transaction.ts';
import { tlsFactsOf } from './tls-front.ts';

export function clientAddressOf(socket: Socket): string {
  return unmappedAddress(socket.remoteAddress ?? '');
}

/** `dst` / `dst_port`: the address and port this connection reached (the socket's local end). */
export function localEndOf(socket: Socket): { localAddress?: string; localPort?: number } {
  const { localAddress, localPort } = socket;
  return { localAddress: localAddress && unmappedAddress(localAddress), localPort };
}

/** One object per request; the TLS part is computed once per connection (tls-front.ts). */
export function connectionFactsOf(socket: Socket, httpVersion: string, clientAddress = clientAddressOf(socket)): ConnectionFacts {
  return {
    clientAddress,
    clientPort: socket.remotePort,
    localAddress: socket.localAddress && unmappedAddress(socket.localAddress),
    localPort: socket.localPort,
    httpVersion,
    tls: tlsFactsOf(socket),
  };
}
