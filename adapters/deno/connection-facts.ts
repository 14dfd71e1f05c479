/**
 * What the admission step learns of a raw front connection on Deno: `src`,
 * `src_port`, `dst`, `dst_port` from the connection itself (Deno.serve
 * tells only the client's end), `req.ver` 1.1 (the raw front serves nothing else).
 */
import { unmappedAddress } from '../../src/proxy/ip-address.ts';
import type { ConnectionFacts } from '../../src/rules/transaction.ts';

export function connectionFactsOf(conn: Deno.TcpConn): ConnectionFacts {
  const remote = conn.remoteAddr;
  const local = conn.localAddr;
  return { clientAddress: unmappedAddress(remote.hostname), clientPort: remote.port, localAddress: unmappedAddress(local.hostname), localPort: local.port, httpVersion: '1.1' };
}
