/**
 * `bind` and `server` addresses. HAProxy 2.6 parses them with `str2sa_range()`,
 * which first runs the legacy `env_expand()` on the word: unlike the tokenizer
 * (see tokenize.ts), it replaces `$VAR` and `${VAR}` even outside quotes, so
 * `bind 127.0.0.1:${PORT}` works unquoted (observed with `haproxy -c`).
 */
import type { Bind } from './types.ts';

export type AddressResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string; readonly hint?: string };

const isNameStart = (c: string | undefined) => c !== undefined && /^[A-Za-z_]$/.test(c);
const isNameChar = (c: string | undefined) => c !== undefined && /^[A-Za-z0-9_]$/.test(c);

/** HAProxy's `env_expand()`: `$VAR` / `${VAR}` anywhere in the word, unset → empty. */
export function expandAddressVariables(text: string, env: Readonly<Record<string, string | undefined>>): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c !== '$') {
      out += c;
      i += 1;
      continue;
    }
    let j = i + 1;
    const brace = text[j] === '{';
    if (brace) j += 1;
    if (!isNameStart(text[j])) {
      out += c;
      i += 1;
      continue;
    }
    const nameStart = j;
    while (isNameChar(text[j])) j += 1;
    out += env[text.slice(nameStart, j)] ?? '';
    if (brace && text[j] === '}') j += 1;
    i = j;
  }
  return out;
}

const UNSUPPORTED_PREFIX = /^(ipv4|ipv6|unix|abns|fd|sockpair|udp|udp4|udp6|quic4|quic6|tcp|tcp4|tcp6|uxst|uxdg)@/;

interface HostPort {
  readonly host: string;
  readonly portText: string;
}

/** Splits `host:port`, `[v6]:port` or `v6:port` (the last colon separates the port, as in HAProxy). */
function splitHostPort(text: string): HostPort | undefined {
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0 || text[close + 1] !== ':') return undefined;
    return { host: text.slice(1, close), portText: text.slice(close + 2) };
  }
  const colon = text.lastIndexOf(':');
  if (colon < 0) return undefined;
  return { host: text.slice(0, colon), portText: text.slice(colon + 1) };
}

function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}

function checkFamily(text: string): AddressResult<never> | undefined {
  if (UNSUPPORTED_PREFIX.test(text) || text.startsWith('/')) {
    return { ok: false, problem: `address '${text}' is not supported`, hint: 'only TCP addresses like 127.0.0.1:8080, :8080, *:8080 or [::1]:8080' };
  }
  return undefined;
}

/**
 * One `bind` address list: `ADDR:PORT[-END][,ADDR:PORT…]`. `*`, `0.0.0.0`-style
 * wildcards and an empty host mean all addresses (`host: ''` for `*` and empty).
 * A port range binds every port in it, as HAProxy does. Empty items after a
 * comma are skipped (HAProxy accepts `bind :8080,`).
 */
export function parseBindAddresses(word: string, env: Readonly<Record<string, string | undefined>>): AddressResult<Bind[]> {
  const expanded = expandAddressVariables(word, env);
  const binds: Bind[] = [];
  for (const item of expanded.split(',')) {
    if (item === '') continue;
    const unsupported = checkFamily(item);
    if (unsupported) return unsupported;
    const split = splitHostPort(item);
    if (!split || split.portText === '') {
      return { ok: false, problem: `missing port specification in '${item}'`, hint: 'expected [ADDR]:PORT, e.g. :8080 or 127.0.0.1:8080' };
    }
    // HAProxy 2.6 reads the port with atoi and ignores trailing junk (`:8080x`);
    // edge-balancer rejects it, as it is almost certainly a typo.
    const range = /^(\d+)-(\d+)$/.exec(split.portText);
    const first = parsePort(range ? range[1]! : split.portText);
    const last = range ? parsePort(range[2]!) : first;
    if (first === undefined || last === undefined || last < first) {
      return { ok: false, problem: `invalid port '${split.portText}' in '${item}'`, hint: 'expected a port 1-65535 or a range like 8080-8089' };
    }
    const host = split.host === '*' ? '' : split.host;
    for (let port = first; port <= last; port++) binds.push({ host, port });
  }
  if (binds.length === 0) return { ok: false, problem: `no address in '${word}'`, hint: 'expected [ADDR]:PORT, e.g. :8080' };
  return { ok: true, value: binds };
}

/** A `server` address `HOST:PORT`. HAProxy also allows no port or `+N` offsets (the client's port); edge-balancer needs a fixed port. */
export function parseServerAddress(word: string, env: Readonly<Record<string, string | undefined>>): AddressResult<{ host: string; port: number }> {
  const expanded = expandAddressVariables(word, env);
  const unsupported = checkFamily(expanded);
  if (unsupported) return unsupported;
  const split = splitHostPort(expanded);
  if (!split || split.portText === '') {
    return { ok: false, problem: `missing port in server address '${expanded}'`, hint: 'expected HOST:PORT, e.g. 127.0.0.1:8081 (a server without a port, which reuses the client\'s port, is not supported)' };
  }
  const port = parsePort(split.portText);
  if (port === undefined) {
    return { ok: false, problem: `invalid port '${split.portText}' in server address '${expanded}'`, hint: 'expected a port 1-65535' };
  }
  if (split.host === '' || split.host === '*') {
    return { ok: false, problem: `missing host in server address '${expanded}'`, hint: 'expected HOST:PORT, e.g. 127.0.0.1:8081' };
  }
  return { ok: true, value: { host: split.host, port } };
}
