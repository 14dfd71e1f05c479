/**
 * `option forwardfor [except NET] [header NAME] [if-none]`. HAProxy appends a
 * new header line with the client address after any existing one; it never
 * rewrites an existing line into a comma list (observed on 2.6).
 */
import type { ForwardFor } from '../config/types.ts';
import { parseAddress } from './ip-address.ts';

type HeaderLines = readonly (readonly [string, string])[];

export function addForwardedFor(headers: HeaderLines, policy: ForwardFor, clientAddress: string): HeaderLines {
  if (!clientAddress) return headers;
  if (policy.except && addressInNetwork(clientAddress, policy.except)) return headers;
  const name = policy.header.toLowerCase();
  if (policy.ifNone && headers.some(([n]) => n.toLowerCase() === name)) return headers;
  return [...headers, [policy.header, clientAddress]];
}

/** True when `address` (IPv4 or IPv6 literal) lies in `network` (`a.b.c.d[/n]` or `x::y[/n]`). */
export function addressInNetwork(address: string, network: string): boolean {
  const [base = '', lengthText] = network.split('/');
  const a = parseAddress(address);
  const b = parseAddress(base);
  if (!a || !b || a.length !== b.length) return false;
  const bits = lengthText === undefined ? a.length * 8 : Number(lengthText);
  if (!Number.isInteger(bits) || bits < 0 || bits > a.length * 8) return false;
  for (let i = 0; i < a.length; i++) {
    const take = Math.max(0, Math.min(8, bits - i * 8));
    const mask = take === 0 ? 0 : (0xff << (8 - take)) & 0xff;
    if ((a[i]! & mask) !== (b[i]! & mask)) return false;
  }
  return true;
}
