/**
 * A strict reader of HTTP/1.1 request heads for the runtimes that read
 * connections themselves (the Node adapter's raw front). It accepts only the
 * ordinary case: a common method, an origin-form target of visible ASCII,
 * `HTTP/1.1`, CRLF line ends, token header names, values of visible
 * characters, one Host line, no body (no Transfer-Encoding, Content-Length
 * absent or 0), no Upgrade, no Expect. Everything else is "not mine": the
 * runtime's full HTTP server reads it instead (and answers what is malformed
 * with HAProxy's pages), so this reader never has to decide an error itself.
 *
 * Works on a latin1 string (one character per byte), as Node decodes heads.
 */

export interface OrdinaryRequestHead {
  readonly method: string;
  readonly target: string;
  /** Header lines in order, values without the optional white space around them. */
  readonly headers: [string, string][];
  /** HTTP/1.1 without a `close` token in Connection. */
  readonly keepAlive: boolean;
  /** Characters (bytes) the head takes, the blank line included. */
  readonly length: number;
}

export type HeadReading = OrdinaryRequestHead | 'incomplete' | 'not-mine';

/** Longer heads (and more lines) go to the full server, which applies its own limits. */
export const MAX_ORDINARY_HEAD = 8 * 1024;
const MAX_ORDINARY_LINES = 100;

/** Methods Node's parser knows and that carry no body here; others go to the full server. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']);
const VERSION = ' HTTP/1.1';

/** RFC 9110 tchar, for header names. */
const TCHAR = charTable("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
/** Visible ASCII a target may hold without anyone reading it differently (no quotes, braces, backslash…). */
const TARGET_CHAR = charTable("!$%&'()*+,-./0123456789:;=?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]_abcdefghijklmnopqrstuvwxyz~#");

/** Reads the head that starts at `from` in `text`. */
export function readOrdinaryRequestHead(text: string, from = 0): HeadReading {
  const end = text.indexOf('\r\n\r\n', from);
  if (end < 0) return incompleteOrNot(text, from);
  if (end - from > MAX_ORDINARY_HEAD) return 'not-mine';
  const lineEnd = text.indexOf('\r\n', from);
  const requestLine = readRequestLine(text, from, lineEnd);
  if (!requestLine) return 'not-mine';
  const headers: [string, string][] = [];
  let keepAlive = true;
  let hosts = 0;
  for (let at = lineEnd + 2; at < end + 2; ) {
    const next = text.indexOf('\r\n', at);
    const colon = text.indexOf(':', at);
    if (colon <= at || colon > next || headers.length === MAX_ORDINARY_LINES) return 'not-mine';
    for (let i = at; i < colon; i++) if (!TCHAR[text.charCodeAt(i)]) return 'not-mine';
    let valueStart = colon + 1;
    while (valueStart < next && isBlank(text.charCodeAt(valueStart))) valueStart++;
    if (valueStart < next && isBlank(text.charCodeAt(next - 1))) return 'not-mine';
    for (let i = valueStart; i < next; i++) if (!isValueChar(text.charCodeAt(i))) return 'not-mine';
    const name = text.slice(at, colon);
    const value = text.slice(valueStart, next);
    switch (name.length > 17 ? '' : name.toLowerCase()) {
      case 'host':
        hosts++;
        break;
      case 'content-length':
        if (value !== '0') return 'not-mine';
        break;
      case 'transfer-encoding':
      case 'upgrade':
      case 'expect':
        return 'not-mine';
      case 'connection':
        for (const token of value.toLowerCase().split(',')) {
          const t = token.trim();
          if (t === 'close') keepAlive = false;
          else if (t === 'upgrade') return 'not-mine';
        }
        break;
    }
    headers.push([name, value]);
    at = next + 2;
  }
  if (hosts !== 1) return 'not-mine';
  return { method: requestLine.method, target: requestLine.target, headers, keepAlive, length: end + 4 - from };
}

/**
 * A head not complete yet: still possibly ordinary while under the limits
 * and every line so far ends in CRLF and the request line (once whole) is
 * ordinary. A bare LF or an HTTP/0.9 line must not wait for a blank line
 * that may never come.
 */
function incompleteOrNot(text: string, from: number): HeadReading {
  if (text.length - from > MAX_ORDINARY_HEAD) return 'not-mine';
  for (let lf = text.indexOf('\n', from); lf >= 0; lf = text.indexOf('\n', lf + 1)) {
    if (lf === from || text.charCodeAt(lf - 1) !== 13) return 'not-mine';
  }
  const lineEnd = text.indexOf('\r\n', from);
  if (lineEnd >= 0 && !readRequestLine(text, from, lineEnd)) return 'not-mine';
  return 'incomplete';
}

function readRequestLine(text: string, from: number, end: number): { method: string; target: string } | undefined {
  const space = text.indexOf(' ', from);
  if (space < 0 || space > end) return undefined;
  const method = text.slice(from, space);
  if (!METHODS.has(method)) return undefined;
  const targetEnd = end - VERSION.length;
  if (targetEnd <= space + 1 || !text.startsWith(VERSION, targetEnd) || text.charCodeAt(space + 1) !== 47 /* / */) return undefined;
  for (let i = space + 1; i < targetEnd; i++) if (!TARGET_CHAR[text.charCodeAt(i)]) return undefined;
  return { method, target: text.slice(space + 1, targetEnd) };
}

function isBlank(code: number): boolean {
  return code === 32 || code === 9;
}

/** Field content: HTAB, SP, visible ASCII and obs-text (RFC 9110 §5.5); no other control characters. */
function isValueChar(code: number): boolean {
  return code === 9 || (code >= 32 && code !== 127 && code <= 255);
}

function charTable(chars: string): Uint8Array {
  const table = new Uint8Array(256);
  for (let i = 0; i < chars.length; i++) table[chars.charCodeAt(i)] = 1;
  return table;
}
