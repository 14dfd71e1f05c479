/**
 * Request heads an HTTP/1.1 parser (Node's) accepts but that must not be
 * forwarded, checked by the admission step before anything else. All but the
 * last are answered 400 by haproxy 2.6 too (observed;
 * reliability/hostile-cases.ts).
 */
/** HAProxy's `tune.http.maxhdr` default: 101 header lines pass, 102 get 400 (observed). */
export const MAX_HEADER_LINES = 101;

export interface ParsedRequestHead {
  /** `1.1`, `1.0`. */
  readonly httpVersion: string;
  readonly target: string;
  /** The header lines as received: a Fetch `Headers` object would hide repeated lines. */
  readonly headers: readonly (readonly [string, string])[];
}

/** `http://user@Host:80/x` → authority `Host:80` (without user info) and the scheme's default port. */
function absoluteForm(target: string): { authority: string; defaultPort: string } | undefined {
  if (target.charCodeAt(0) === 0x2f /* '/': the usual origin form */) return undefined;
  const match = /^(https?):\/\/([^/?#]*)/i.exec(target);
  if (!match) return undefined;
  const authority = match[2]!.slice(match[2]!.lastIndexOf('@') + 1);
  return { authority, defaultPort: match[1]!.toLowerCase() === 'https' ? ':443' : ':80' };
}

function withoutDefaultPort(host: string, defaultPort: string): string {
  const h = host.toLowerCase();
  return h.endsWith(defaultPort) ? h.slice(0, -defaultPort.length) : h;
}

/** Why the request gets a 400 instead of being forwarded, or undefined when it may go on. */
export function whyRequestHeadIsRefused(head: ParsedRequestHead): string | undefined {
  const { headers } = head;
  if (headers.length > MAX_HEADER_LINES) return `more than ${MAX_HEADER_LINES} header lines`;
  let host: string | undefined;
  for (let i = 0; i < headers.length; i++) {
    const [name, value] = headers[i]!;
    if (name.length !== 4 || name.toLowerCase() !== 'host') continue;
    // haproxy refuses two different Host lines and merges equal ones; two equal lines are
    // refused here, as two equal Content-Length lines are: no two readings of one request.
    if (host !== undefined) return 'more than one Host line';
    host = value.trim();
  }
  if (head.httpVersion === '1.1' && host === undefined) return 'HTTP/1.1 without Host (RFC 9112 §3.2)';
  // The server would read the authority, the proxy's rules read Host (RFC 9112 §3.2.2).
  const absolute = absoluteForm(head.target);
  if (absolute && host !== undefined && withoutDefaultPort(absolute.authority, absolute.defaultPort) !== withoutDefaultPort(host, absolute.defaultPort)) {
    return 'absolute-form target naming another host than Host';
  }
  // haproxy forwards `OPTIONS *` (and any target starting with `*`); the upstream
  // client (undici) cannot send one, and failing there would count as a server error.
  if (head.target.startsWith('*')) return 'asterisk-form target';
  return undefined;
}
