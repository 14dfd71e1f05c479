/**
 * What the admission step learns of a raw front connection on Deno: `src`,
 * `src_port`, `dst`, `dst_port` from the connection itself (Deno.serve
 * tells only the client's end), `req.ver` 1.1 (the raw front serves nothing else).
 */
import type { ConnectionFacts } from '../../src/rules/transaction.ts';

export function connectionFactsOf(conn: Deno.TcpConn): ConnectionFacts {
  const remote = conn.remoteAddr;
  const local = conn.localAddr;
  return { clientAddress: unmapped(remote.hostname), clientPort: remote.port, localAddress: unmapped(local.hostname), localPort: local.port, httpVersion: '1.1' };
}

/** A v4 address on a dual-stack socket shows as ::ffff:a.b.c.d; HAProxy logs and forwards a.b.c.d. */
function unmapped(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
