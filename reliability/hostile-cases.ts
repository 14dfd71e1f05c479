/**
 * Hostile raw HTTP/1.1 requests, sent byte for byte to haproxy and to
 * edge-balancer with HOSTILE_CONFIG (reliability/hostile-input.ts runs them).
 * Every request closes its connection (`Connection: close`, and the config
 * has `option httpclose`), so an answer ends with the server closing.
 */

export type HostileGroup = 'framing' | 'header syntax' | 'size' | 'target and Host' | 'hop-by-hop' | 'cookie';

export interface HostileCase {
  readonly name: string;
  readonly group: HostileGroup;
  /** The raw request, latin1 (one character is one byte). */
  readonly bytes: string;
  /** Shown in the table instead of `bytes` when those are too long or unprintable. */
  readonly label?: string;
}

/**
 * Two backends behind one frontend: `app` (cookie insert) and, for paths
 * under /prefixed, `prefixed` (cookie prefix). `balance first` always picks
 * the first server, so which server a request reaches says whether a cookie
 * chose it; `option forwardfor` shows whether a client can remove the header
 * the proxy adds (by naming it in Connection).
 */
export const HOSTILE_CONFIG = `
defaults
    mode http
    timeout connect 1s
    timeout client 2s
    timeout server 2s
    timeout http-request 1s
frontend web
    bind 127.0.0.1:\${PORT}
    option httpclose
    option forwardfor
    use_backend prefixed if { path_beg /prefixed }
    default_backend app
backend app
    balance first
    cookie SERVERNAME insert indirect nocache
    server s1 127.0.0.1:\${S1} cookie s1
    server s2 127.0.0.1:\${S2} cookie s2
backend prefixed
    balance first
    cookie JSESSIONID prefix indirect nocache
    server p1 127.0.0.1:\${S3} cookie p1
    server p2 127.0.0.1:\${S4} cookie p2
`;

/** The echo backends, in the order of `${S1}`… above. */
export const HOSTILE_BACKENDS = ['s1', 's2', 'p1', 'p2'] as const;

/** A GET with `headerLines` (each without CRLF) after Host. */
const get = (headerLines: readonly string[], target = '/'): string =>
  `GET ${target} HTTP/1.1\r\nHost: a\r\n${headerLines.map((l) => `${l}\r\n`).join('')}Connection: close\r\n\r\n`;
const post = (headerLines: readonly string[], body: string): string =>
  `POST / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n${headerLines.map((l) => `${l}\r\n`).join('')}\r\n${body}`;

export const HOSTILE_CASES: readonly HostileCase[] = [
  { name: 'a plain GET (control)', group: 'framing', bytes: get([]) },

  { name: 'Content-Length and Transfer-Encoding: chunked', group: 'framing', bytes: post(['Content-Length: 4', 'Transfer-Encoding: chunked'], '0\r\n\r\n') },
  { name: 'two equal Content-Length lines', group: 'framing', bytes: post(['Content-Length: 4', 'Content-Length: 4'], 'abcd') },
  { name: 'Content-Length: 4, 4 (one line)', group: 'framing', bytes: post(['Content-Length: 4, 4'], 'abcd') },
  { name: 'two different Content-Length lines', group: 'framing', bytes: post(['Content-Length: 3', 'Content-Length: 4'], 'abcd') },
  { name: 'Content-Length: 4x', group: 'framing', bytes: post(['Content-Length: 4x'], 'abcd') },
  { name: 'Content-Length: -1', group: 'framing', bytes: post(['Content-Length: -1'], 'abcd') },
  { name: 'Content-Length: +4', group: 'framing', bytes: post(['Content-Length: +4'], 'abcd') },
  { name: 'Content-Length: 99999999999999999999', group: 'framing', bytes: post(['Content-Length: 99999999999999999999'], 'abcd') },
  { name: 'Transfer-Encoding: gzip', group: 'framing', bytes: post(['Transfer-Encoding: gzip'], 'abcd') },
  { name: 'Transfer-Encoding: chunked, gzip', group: 'framing', bytes: post(['Transfer-Encoding: chunked, gzip'], '0\r\n\r\n') },
  { name: 'Transfer-Encoding: xchunked', group: 'framing', bytes: post(['Transfer-Encoding: xchunked'], '0\r\n\r\n') },
  { name: 'Transfer-Encoding : chunked (space before colon)', group: 'framing', bytes: post(['Transfer-Encoding : chunked'], '0\r\n\r\n') },
  { name: 'chunk size not hex', group: 'framing', bytes: post(['Transfer-Encoding: chunked'], 'zz\r\nabcd\r\n0\r\n\r\n') },
  { name: 'Transfer-Encoding on HTTP/1.0', group: 'framing', bytes: 'POST / HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n' },

  { name: 'obs-fold continuation line', group: 'header syntax', bytes: get(['X-A: b', ' c']) },
  { name: 'control character (0x01) in a header value', group: 'header syntax', bytes: get(['X-A: b\x01c']), label: 'X-A: b\\x01c' },
  { name: 'NUL in a header value', group: 'header syntax', bytes: get(['X-A: b\x00c']), label: 'X-A: b\\x00c' },
  { name: 'DEL (0x7f) in a header value', group: 'header syntax', bytes: get(['X-A: b\x7fc']), label: 'X-A: b\\x7fc' },
  { name: 'space in a header name', group: 'header syntax', bytes: get(['X A: b']) },
  { name: 'header line without a colon', group: 'header syntax', bytes: get(['X-A b']) },
  { name: 'bare LF line endings', group: 'header syntax', bytes: 'GET / HTTP/1.1\nHost: a\nConnection: close\n\n' },
  { name: 'lower-case method', group: 'header syntax', bytes: 'get / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n' },
  { name: 'HTTP/1.2', group: 'header syntax', bytes: 'GET / HTTP/1.2\r\nHost: a\r\nConnection: close\r\n\r\n' },

  { name: 'request line of 70 000 bytes', group: 'size', bytes: get([], `/${'a'.repeat(70_000)}`), label: 'GET /aaa…(70 000 bytes)' },
  { name: 'one header of 70 000 bytes', group: 'size', bytes: get([`X-Big: ${'b'.repeat(70_000)}`]), label: 'X-Big: bbb…(70 000 bytes)' },
  { name: 'headers of 20 000 bytes in total (20 × 1 000)', group: 'size', bytes: get(Array.from({ length: 20 }, (_, i) => `X-H${i}: ${'v'.repeat(990)}`)), label: '20 lines X-Hn: vvv… of 1 000 bytes' },
  { name: '101 header lines', group: 'size', bytes: get(Array.from({ length: 99 }, (_, i) => `X-H${i}: v`)), label: 'Host, 99 lines X-Hn: v, Connection' },
  { name: '102 header lines', group: 'size', bytes: get(Array.from({ length: 100 }, (_, i) => `X-H${i}: v`)), label: 'Host, 100 lines X-Hn: v, Connection' },
  { name: '200 short headers', group: 'size', bytes: get(Array.from({ length: 200 }, (_, i) => `X-H${i}: v`)), label: '200 lines X-Hn: v' },

  { name: 'absolute-form target naming another host than Host', group: 'target and Host', bytes: 'GET http://127.0.0.1:22/ HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n' },
  { name: 'absolute-form target, same host as Host, routed by its path', group: 'target and Host', bytes: 'GET http://127.0.0.1:22/prefixed/x HTTP/1.1\r\nHost: 127.0.0.1:22\r\nConnection: close\r\n\r\n' },
  { name: 'absolute-form target, no Host', group: 'target and Host', bytes: 'GET http://127.0.0.1:22/ HTTP/1.1\r\nConnection: close\r\n\r\n' },
  { name: 'CONNECT', group: 'target and Host', bytes: 'CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n' },
  { name: 'Host: 127.0.0.1:22', group: 'target and Host', bytes: 'GET / HTTP/1.1\r\nHost: 127.0.0.1:22\r\nConnection: close\r\n\r\n' },
  { name: 'Host with userinfo', group: 'target and Host', bytes: 'GET / HTTP/1.1\r\nHost: a@127.0.0.1:22\r\nConnection: close\r\n\r\n' },
  { name: 'HTTP/1.1 without Host', group: 'target and Host', bytes: 'GET / HTTP/1.1\r\nConnection: close\r\n\r\n' },
  { name: 'two equal Host lines', group: 'target and Host', bytes: 'GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\nConnection: close\r\n\r\n' },
  { name: 'two different Host lines', group: 'target and Host', bytes: 'GET / HTTP/1.1\r\nHost: a\r\nHost: 127.0.0.1:22\r\nConnection: close\r\n\r\n' },
  { name: 'target //evil.test/', group: 'target and Host', bytes: get([], '//evil.test/') },
  { name: 'target @evil.test/', group: 'target and Host', bytes: get([], '@evil.test/') },
  { name: 'target *', group: 'target and Host', bytes: 'OPTIONS * HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n' },
  { name: 'target with a space-separated suffix', group: 'target and Host', bytes: 'GET /a b HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n' },

  { name: 'hop-by-hop headers, X-Secret named in Connection', group: 'hop-by-hop', bytes: 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close, X-Secret\r\nX-Secret: 1\r\nKeep-Alive: 5\r\nTE: trailers\r\nTrailer: X-T\r\nUpgrade: h2c\r\nProxy-Connection: keep-alive\r\n\r\n' },
  { name: 'X-Forwarded-For named in Connection', group: 'hop-by-hop', bytes: 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close, X-Forwarded-For\r\n\r\n' },
  { name: 'Cookie named in Connection, with a server cookie', group: 'hop-by-hop', bytes: 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close, Cookie\r\nCookie: SERVERNAME=s2\r\n\r\n' },

  { name: 'SERVERNAME=s2 (control: the cookie picks s2)', group: 'cookie', bytes: get(['Cookie: SERVERNAME=s2']) },
  { name: 'CRLF %-encoded in the cookie', group: 'cookie', bytes: get(['Cookie: SERVERNAME=s2%0d%0aX-Injected: 1']) },
  { name: 'bare LF in the cookie', group: 'cookie', bytes: get(['Cookie: SERVERNAME=s2\nX-Injected: 1']), label: 'Cookie: SERVERNAME=s2\\nX-Injected: 1' },
  { name: 'bare CR in the cookie', group: 'cookie', bytes: get(['Cookie: SERVERNAME=s2\rX-Injected: 1']), label: 'Cookie: SERVERNAME=s2\\rX-Injected: 1' },
  { name: 'NUL in the cookie', group: 'cookie', bytes: get(['Cookie: SERVERNAME=s2\x00X']), label: 'Cookie: SERVERNAME=s2\\x00X' },
  { name: 'unknown server SERVERNAME=s9', group: 'cookie', bytes: get(['Cookie: SERVERNAME=s9']) },
  { name: 'SERVERNAME=../s2', group: 'cookie', bytes: get(['Cookie: SERVERNAME=../s2']) },
  { name: 'SERVERNAME=s2;SERVERNAME=s9', group: 'cookie', bytes: get(['Cookie: SERVERNAME=s2;SERVERNAME=s9']) },
  { name: 'SERVERNAME=s9; SERVERNAME=s2', group: 'cookie', bytes: get(['Cookie: SERVERNAME=s9; SERVERNAME=s2']) },
  { name: 'server cookie in two Cookie lines', group: 'cookie', bytes: get(['Cookie: SERVERNAME=s9', 'Cookie: SERVERNAME=s2']) },
  { name: 'prefix mode, unknown prefix JSESSIONID=p9~abc', group: 'cookie', bytes: get(['Cookie: JSESSIONID=p9~abc'], '/prefixed') },
  { name: 'prefix mode, JSESSIONID=p2~abc (control)', group: 'cookie', bytes: get(['Cookie: JSESSIONID=p2~abc'], '/prefixed') },
  { name: 'prefix mode, JSESSIONID=~abc', group: 'cookie', bytes: get(['Cookie: JSESSIONID=~abc'], '/prefixed') },
  { name: 'prefix mode, JSESSIONID=../p2~abc', group: 'cookie', bytes: get(['Cookie: JSESSIONID=../p2~abc'], '/prefixed') },
];
