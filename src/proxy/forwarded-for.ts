/**
 * `option forwardfor [except NET] [header NAME] [if-none]`. HAProxy appends a
 * new header line with the client address after any existing one; it never
 * rewrites an existing line into a comma list (observed on 2.6).
 */
import type { ForwardFor } from '../config/types.ts';

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

/** Bytes of an IPv4 (4) or IPv6 (16) literal; IPv4-mapped IPv6 becomes IPv4. */
function parseAddress(text: string): number[] | undefined {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(text);
  if (mapped) return parseIPv4(mapped[1]!);
  return text.includes(':') ? parseIPv6(text) : parseIPv4(text);
}

function parseIPv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : NaN));
  return bytes.every((b) => b >= 0 && b <= 255) ? bytes : undefined;
}

function parseIPv6(text: string): number[] | undefined {
  const [head = '', tail, extra] = text.split('::');
  if (extra !== undefined) return undefined;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
  const all = [...left, ...Array<string>(missing).fill('0'), ...right];
  const bytes: number[] = [];
  for (const g of all) {
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return undefined;
    const v = parseInt(g, 16);
    bytes.push(v >> 8, v & 0xff);
  }
  return bytes;
}
