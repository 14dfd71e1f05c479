/**
 * HTTP/1.1 upgrades (WebSocket, h2c, …) as haproxy 2.6 handles them in
 * `mode http`: a request whose Connection header lists `upgrade` and that
 * carries an Upgrade header is forwarded with both; a `101` answer turns the
 * connection into a byte tunnel governed by `timeout tunnel`; any other
 * answer is an ordinary response and the connection goes on with the next
 * request. These are the decisions on plain data; adapters move the bytes.
 */
import type { Timeouts } from '../config/types.ts';
import { isHeaderNamed, someListItem } from '../rules/http-message.ts';

type HeaderLines = readonly (readonly [string, string])[];

/**
 * True when a Connection line lists `token` (lower case), compared without
 * splitting or lower-casing the line: every request asks it (is it an upgrade?).
 */
export function connectionListsToken(headers: HeaderLines, token: string): boolean {
  for (const [name, value] of headers) {
    if (isHeaderNamed(name, 'connection') && listHasToken(value, token)) return true;
  }
  return false;
}

/** `token` (lower case) is one of the comma-separated items of `value`, spaces around ignored, ASCII case ignored. */
function listHasToken(value: string, token: string): boolean {
  return someListItem(value, token, isToken);
}

function isToken(value: string, from: number, to: number, token: string): boolean {
  return to - from === token.length && isHeaderNamed(value.slice(from, to), token);
}

function hasHeader(headers: HeaderLines, lowerName: string): boolean {
  for (const [name] of headers) if (isHeaderNamed(name, lowerName)) return true;
  return false;
}

/** The request announces a body (RFC 9112 §6.3): a non-zero Content-Length, or Transfer-Encoding. */
export function announcesBody(headers: HeaderLines): boolean {
  return headers.some(([name, value]) => {
    const n = name.toLowerCase();
    return n === 'transfer-encoding' || (n === 'content-length' && value.trim() !== '0');
  });
}

/**
 * True for `Connection: upgrade` (in a token list) with an `Upgrade` line and
 * no body: the request asks to switch protocols (RFC 9110 §7.8). haproxy 2.6
 * does not upgrade a request that carries a body: it removes its Upgrade line
 * and forwards it as an ordinary request (observed).
 */
export function isUpgradeRequest(headers: HeaderLines): boolean {
  return connectionListsToken(headers, 'upgrade') && hasHeader(headers, 'upgrade') && !announcesBody(headers);
}

/**
 * haproxy 2.6 refuses (400) a WebSocket upgrade request whose
 * Sec-WebSocket-Key is missing or not 24 characters long, the length of a
 * base64-encoded 16-byte nonce (RFC 6455 §4.1); it checks the length only
 * (observed: 24 `!` pass, 23 `A` do not).
 */
export function whyUpgradeIsRefused(headers: HeaderLines): string | undefined {
  if (!isUpgradeRequest(headers)) return undefined;
  const websocket = headers.some(
    ([name, value]) => name.toLowerCase() === 'upgrade' && value.split(',').some((p) => p.trim().toLowerCase() === 'websocket'),
  );
  if (!websocket) return undefined;
  const keys = headers.filter(([name]) => name.toLowerCase() === 'sec-websocket-key');
  if (keys.length !== 1 || keys[0]![1].trim().length !== 24) return 'WebSocket upgrade without a valid Sec-WebSocket-Key';
  return undefined;
}

/**
 * The Connection value haproxy forwards for an upgrade request: its
 * `keep-alive` and `close` tokens removed, the others kept (observed:
 * `keep-alive, Upgrade, X-Foo` reaches the server as `Upgrade,X-Foo`; a value
 * with nothing to remove is forwarded as written).
 */
export function forwardedConnectionValue(value: string): string | undefined {
  const tokens = value.split(',').map((t) => t.trim()).filter((t) => t !== '');
  const kept = tokens.filter((t) => {
    const lower = t.toLowerCase();
    return lower !== 'keep-alive' && lower !== 'close';
  });
  if (kept.length === tokens.length) return value;
  return kept.length > 0 ? kept.join(',') : undefined;
}

/**
 * The inactivity limit of an established tunnel, both directions: `timeout
 * tunnel` (a backend setting) when set; otherwise the smaller of the
 * frontend's `timeout client` and the backend's `timeout server`, as haproxy
 * 2.6 applies them; undefined when none is set (no limit).
 */
export function tunnelTimeout(frontend: Timeouts, backend: Timeouts): number | undefined {
  if (backend.tunnel !== undefined) return backend.tunnel;
  const { client } = frontend;
  const { server } = backend;
  if (client === undefined) return server;
  if (server === undefined) return client;
  return Math.min(client, server);
}
