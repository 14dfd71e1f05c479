/**
 * Connection-level headers: what must not cross the proxy, and what HAProxy's
 * `option httpclose` / `http-server-close` / `http-keep-alive` add.
 */
import type { ConnectionMode } from '../config/types.ts';
import { isHeaderNamed, someListItem } from '../rules/http-message.ts';
import { forwardedConnectionValue, isUpgradeRequest } from './upgrade.ts';

type HeaderLines = readonly (readonly [string, string])[];

/**
 * The names Connection lines list beyond the hop-by-hop fields (which go
 * anyway), lower-cased; undefined when there are none, as usual
 * (`Connection: keep-alive`): the common case allocates nothing.
 */
function extraNamesListedInConnection(headers: HeaderLines): string[] | undefined {
  for (const [name, value] of headers) if (isHeaderNamed(name, 'connection')) someListItem(value, extraNames, collectExtraName);
  return extraNames.length === 0 ? undefined : extraNames.splice(0);
}

/** Where extraNamesListedInConnection collects, emptied before it returns (it runs to the end synchronously). */
const extraNames: string[] = [];

function collectExtraName(value: string, from: number, to: number, into: string[]): boolean {
  if (!isHopByHopItem(value, from, to)) into.push(value.slice(from, to).toLowerCase());
  return false;
}

/** The item `value[from, to)` is a hop-by-hop name (copied out only when it has the length of one). */
function isHopByHopItem(value: string, from: number, to: number): boolean {
  if (from === 0 && to === value.length) return hopByHopName(value) !== undefined;
  return HOP_BY_HOP_LENGTHS.includes(to - from) && hopByHopName(value.slice(from, to)) !== undefined;
}

const HOP_BY_HOP_LENGTHS = [2, 7, 10, 16, 17];

/**
 * The lower-cased name when `name` is a hop-by-hop field: RFC 9110 §7.6.1's
 * connection-specific fields (connection, keep-alive, te, trailer,
 * transfer-encoding, upgrade), plus the legacy proxy-connection; undefined
 * for the others, found by length without a lower-cased copy.
 */
function hopByHopName(name: string): string | undefined {
  switch (name.length) {
    case 2:
      return isHeaderNamed(name, 'te') ? 'te' : undefined;
    case 7:
      return isHeaderNamed(name, 'trailer') ? 'trailer' : isHeaderNamed(name, 'upgrade') ? 'upgrade' : undefined;
    case 10:
      return isHeaderNamed(name, 'connection') ? 'connection' : isHeaderNamed(name, 'keep-alive') ? 'keep-alive' : undefined;
    case 16:
      return isHeaderNamed(name, 'proxy-connection') ? 'proxy-connection' : undefined;
    case 17:
      return isHeaderNamed(name, 'transfer-encoding') ? 'transfer-encoding' : undefined;
    default:
      // Every length of a hop-by-hop name has its case above (HOP_BY_HOP_LENGTHS).
      return undefined;
  }
}

function isListed(name: string, listed: readonly string[] | undefined): boolean {
  if (listed === undefined) return false;
  for (const wanted of listed) if (isHeaderNamed(name, wanted)) return true;
  return false;
}

/**
 * The request headers a server may see: hop-by-hop fields and every field the
 * client named in `Connection` removed; `Connection: close` added when the
 * server connection must not be kept (httpclose / http-server-close).
 * Transfer-Encoding goes too: the upstream client frames the body itself.
 */
export function requestHeadersForServer(headers: HeaderLines, mode: ConnectionMode): HeaderLines {
  if (isUpgradeRequest(headers)) return upgradeRequestHeaders(headers);
  const listed = extraNamesListedInConnection(headers);
  const kept: (readonly [string, string])[] = [];
  let te = false;
  for (const line of headers) {
    const hop = hopByHopName(line[0]);
    if (hop === undefined) {
      if (!isListed(line[0], listed)) kept.push(line);
    } else if (hop === 'te' && !te && /(^|,)\s*trailers\s*(;|,|$)/i.test(line[1])) {
      // `TE: trailers` says the client takes trailer fields; haproxy forwards
      // that token alone (observed: `TE: gzip, trailers` arrives as `te: trailers`).
      te = true;
      kept.push(['te', 'trailers']);
    }
  }
  if (mode !== 'keep-alive') kept.push(['connection', 'close']);
  return kept;
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
  const listed = extraNamesListedInConnection(headers);
  const kept: (readonly [string, string])[] = [];
  for (const line of headers) {
    const hop = hopByHopName(line[0]);
    // The Trailer field announces the trailer fields, which are forwarded (as haproxy does).
    const keep = hop === undefined ? !isListed(line[0], listed) : hop === 'keep-alive' ? mode !== 'close' : hop === 'trailer';
    if (keep) kept.push(line);
  }
  if (mode === 'close') kept.push(['connection', 'close']);
  return kept;
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
    const hop = hopByHopName(line[0]);
    if (hop === 'connection') {
      const value = forwardedConnectionValue(line[1]);
      if (value !== undefined) kept.push(value === line[1] ? line : [line[0], value]);
    } else if (hop === undefined || hop === 'upgrade') kept.push(line);
  }
  return kept;
}
