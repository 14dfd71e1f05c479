/**
 * Connection-level headers: what must not cross the proxy, and what HAProxy's
 * `option httpclose` / `http-server-close` / `http-keep-alive` add.
 */
import type { ConnectionMode } from '../config/types.ts';
import { forwardedConnectionValue, isUpgradeRequest } from './upgrade.ts';

type HeaderLines = readonly (readonly [string, string])[];

/** RFC 9110 §7.6.1 connection-specific fields, plus the legacy Proxy-Connection. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Names listed in Connection headers (`Connection: close, X-Foo` → x-foo), lower-cased. */
export function namesListedInConnection(headers: HeaderLines): Set<string> {
  const listed = new Set<string>();
  for (const [name, value] of headers) {
    if (name.toLowerCase() !== 'connection') continue;
    for (const token of value.split(',')) {
      const t = token.trim().toLowerCase();
      if (t) listed.add(t);
    }
  }
  return listed;
}

/**
 * The request headers a server may see: hop-by-hop fields and every field the
 * client named in `Connection` removed; `Connection: close` added when the
 * server connection must not be kept (httpclose / http-server-close).
 * Transfer-Encoding goes too: the upstream client frames the body itself.
 */
export function requestHeadersForServer(headers: HeaderLines, mode: ConnectionMode): HeaderLines {
  if (isUpgradeRequest(headers)) return upgradeRequestHeaders(headers);
  const listed = namesListedInConnection(headers);
  const kept: (readonly [string, string])[] = [];
  for (const line of headers) {
    const n = line[0].toLowerCase();
    // `TE: trailers` says the client takes trailer fields; haproxy forwards
    // that token alone (observed: `TE: gzip, trailers` arrives as `te: trailers`).
    if (n === 'te') {
      if (/(^|,)\s*trailers\s*(;|,|$)/i.test(line[1]) && !kept.some(([k]) => k === 'te')) kept.push(['te', 'trailers']);
    } else if (!HOP_BY_HOP.has(n) && !listed.has(n)) kept.push(line);
  }
  return mode === 'keep-alive' ? kept : [...kept, ['connection', 'close']];
}

/**
 * The response headers a client may see. HAProxy passes a server's Keep-Alive
 * header through unless `option httpclose` is set (observed), and then answers
 * with `Connection: close`.
 */
export function responseHeadersForClient(headers: HeaderLines, mode: ConnectionMode, status = 200): HeaderLines {
  // A 101 is relayed as the server wrote it (Connection, Upgrade and the
  // fields they name), with no `connection: close` whatever the mode (observed).
  if (status === 101) return headers;
  const listed = namesListedInConnection(headers);
  const kept = headers.filter(([name]) => {
    const n = name.toLowerCase();
    if (n === 'keep-alive') return mode !== 'close';
    // The Trailer field announces the trailer fields, which are forwarded (as haproxy does).
    if (n === 'trailer') return true;
    return !HOP_BY_HOP.has(n) && !listed.has(n);
  });
  return mode === 'close' ? [...kept, ['connection', 'close']] : kept;
}

/**
 * An upgrade request as haproxy 2.6 forwards it whatever the connection mode
 * (observed with httpclose, http-server-close and keep-alive): Connection
 * without its keep-alive/close tokens, Upgrade, and the fields Connection
 * names kept; no `connection: close` added, the server connection becomes
 * the tunnel. The other hop-by-hop fields go as for any request.
 */
function upgradeRequestHeaders(headers: HeaderLines): HeaderLines {
  const kept: (readonly [string, string])[] = [];
  for (const line of headers) {
    const n = line[0].toLowerCase();
    if (n === 'connection') {
      const value = forwardedConnectionValue(line[1]);
      if (value !== undefined) kept.push(value === line[1] ? line : [line[0], value]);
    } else if (n === 'upgrade' || !HOP_BY_HOP.has(n)) kept.push(line);
  }
  return kept;
}
