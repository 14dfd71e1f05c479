/**
 * Access-log lines: HAProxy's `option httplog` layout, or one JSON object per
 * line. Pure formatting; the adapter decides where lines go.
 */
import type { AccessLogEntry } from '../deps.ts';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `127.0.0.1:51234 [24/Nov/2026:11:21:09.123] app app/s1 0/0/1/2/3 200 - - ---- 0/0 "GET / HTTP/1.1"`-like. */
export function formatHttpLog(e: AccessLogEntry): string {
  const d = new Date(e.acceptedAt);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const date = `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(
    d.getUTCMinutes(),
  )}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
  const client = e.clientPort === undefined ? e.clientAddress : `${e.clientAddress}:${e.clientPort}`;
  const retries = e.redispatched ? `+${e.retries}` : String(e.retries);
  return `${client} [${date}] ${e.frontend} ${e.backend}/${e.server} ${e.responseTime}/${e.totalTime} ${e.status} ${e.termination} ${retries} "${escapeLoggedRequest(`${e.method} ${e.uri}`)}"`;
}

/** Characters HAProxy's `url_encode_map` leaves as they are: printable ASCII but `"` and `#`. */
const PLAIN = /^[\x20\x21\x24-\x7e]*$/;
const utf8 = new TextEncoder();

/**
 * The request line as HAProxy's httplog writes it (`%r`, log.c: lf_encode_string
 * with `url_encode_map`): `"`, `#`, control bytes and bytes from 0x7F up become
 * `#` and two upper-case hex digits (`GET /a"b` → `GET /a#22b`), so a line cannot
 * be closed or forged from inside the quotes. A target is bytes as latin1
 * characters (one byte each); anything above U+00FF is escaped byte by byte
 * in UTF-8.
 */
export function escapeLoggedRequest(text: string): string {
  if (PLAIN.test(text)) return text;
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code > 0xff) for (const byte of utf8.encode(ch)) out += hexEscape(byte);
    else out += code < 0x20 || code >= 0x7f || ch === '"' || ch === '#' ? hexEscape(code) : ch;
  }
  return out;
}

function hexEscape(byte: number): string {
  return `#${byte.toString(16).toUpperCase().padStart(2, '0')}`;
}

/** One JSON object: JSON.stringify escapes `"`, controls and lone surrogates itself, so the line stays valid JSON and `uri` keeps the target as received. */
export function formatJsonLog(e: AccessLogEntry): string {
  return JSON.stringify({ time: new Date(e.acceptedAt).toISOString(), ...e });
}
