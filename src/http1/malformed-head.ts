/**
 * Whether a connection's next request head is certainly refused, the way the
 * Node adapter refuses it: node:http's parser (llhttp, strict) answers its
 * errors with HAProxy's 400 page (adapters/node/client-errors.ts), HTTP/0.9
 * gets 400 and CONNECT 405 there, and the admission step refuses what
 * src/admission/refused-request-head.ts says. For the runtimes that read
 * connections themselves and hand anything not ordinary
 * (./request-head.ts) to a server of their own whose parser answers
 * otherwise (Deno's HTTP server: a bare 400, a 431, or a request haproxy would
 * refuse passed on). Only what Node refuses for certain is refused here:
 * a head that is valid but not ordinary (a body, HTTP/1.0, an absolute-form
 * target, an upgrade, obs-text in a value, a method llhttp does not know,
 * which haproxy forwards) is 'well-formed' and goes to that server.
 *
 * Works on a latin1 string (one character per byte). The checks follow
 * llhttp's as Node 20 runs them (test/http1/malformed-head.test.ts compares
 * both on generated heads).
 */
import { MAX_HEADER_LINES, whyRequestHeadIsRefused } from '../admission/refused-request-head.ts';

/** A status to answer with HAProxy's page before closing; 'incomplete': read more. */
export type HeadVerdict = 400 | 405 | 'incomplete' | 'well-formed';

/**
 * node:http's default `maxHeaderSize`: llhttp fails once the target, the
 * header names and the values (without the white space around them) add up
 * to this many bytes, counted as they arrive.
 */
export const NODE_MAX_HEADER_BYTES = 16 * 1024;

/** RFC 9110 tchar: methods and header names. */
const TCHAR = charTable("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
/** What llhttp takes in the authority of an absolute form: userinfo, host, port, IP literal brackets. */
const AUTHORITY_CHAR = charTable("-_.!~*'()%;:&=+$,@[]0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
/** The HTTP/2 connection preface: node:http gives it to h2c (adapters/node/h2c.ts); any other PRI request is refused. */
const H2_PREFACE = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n';
/** The largest Content-Length llhttp reads (a 64-bit counter). */
const MAX_CONTENT_LENGTH = 18446744073709551615n;

const SP = 32;
const HTAB = 9;
const CR = 13;
const LF = 10;

/**
 * Beyond this many bytes a head still not whole is refused: node:http's limit
 * (NODE_MAX_HEADER_BYTES) with room for 101 lines' colons, line ends and some
 * white space; haproxy refuses any head longer than about 15 KiB. It bounds
 * what a client can make a raw front hold and read again at each read.
 */
export const MAX_PARTIAL_HEAD = NODE_MAX_HEADER_BYTES + 1024;

/** The verdict on the head that starts at `from` in `text` (bytes after the head are not read). */
export function malformedRequestHead(text: string, from = 0): HeadVerdict {
  const verdict = readHead(text, from);
  return verdict === 'incomplete' && text.length - from > MAX_PARTIAL_HEAD ? 400 : verdict;
}

function readHead(text: string, from: number): HeadVerdict {
  const end = text.length;
  let at = from;
  // llhttp skips empty lines before a request line, as RFC 9112 §2.2 allows.
  while (at < end && (text.charCodeAt(at) === CR || text.charCodeAt(at) === LF)) at++;

  // Method: a token, then one or more spaces.
  const methodStart = at;
  while (at < end && TCHAR[text.charCodeAt(at)]) at++;
  if (at === end) return 'incomplete';
  if (at === methodStart || text.charCodeAt(at) !== SP) return 400;
  const method = text.slice(methodStart, at);
  while (at < end && text.charCodeAt(at) === SP) at++;

  // Target: visible ASCII. No version after it is HTTP/0.9, refused as haproxy refuses it.
  const targetStart = at;
  while (at < end && isTargetChar(text.charCodeAt(at))) at++;
  let tally = at - targetStart;
  if (tally >= NODE_MAX_HEADER_BYTES) return 400;
  if (at === end) return 'incomplete';
  if (at === targetStart || text.charCodeAt(at) !== SP) return 400;
  const target = text.slice(targetStart, at);
  if (method === 'PRI') return H2_PREFACE.startsWith(text.slice(from, from + H2_PREFACE.length)) ? (text.length - from < H2_PREFACE.length ? 'incomplete' : 'well-formed') : 400;
  if (!(method === 'CONNECT' ? isAuthorityThenPath(target) : isTargetForm(target))) return 400;
  while (at < end && text.charCodeAt(at) === SP) at++;

  // Version: HTTP/1.0, 1.1, 2.0 (0.9 is refused), then CRLF.
  const version = text.slice(at, at + 10);
  if (version.length < 10 && !version.includes('\n')) return 'incomplete';
  const httpVersion = version === 'HTTP/1.1\r\n' ? '1.1' : version === 'HTTP/1.0\r\n' ? '1.0' : version === 'HTTP/2.0\r\n' ? '2.0' : undefined;
  if (!httpVersion) return /^(?:RTSP|ICE)\//.test(version) ? 'well-formed' : 400;
  at += 10;

  const headers: [string, string][] = [];
  for (;;) {
    if (at === end) return 'incomplete';
    const first = text.charCodeAt(at);
    if (first === CR) {
      if (at + 1 === end) return 'incomplete';
      if (text.charCodeAt(at + 1) !== LF) return 400;
      break;
    }
    // A bare LF, or obs-fold (a line that starts with white space): refused, not unfolded.
    if (first === LF || first === SP || first === HTAB) return 400;
    const nameStart = at;
    while (at < end && TCHAR[text.charCodeAt(at)]) at++;
    tally += at - nameStart;
    if (tally >= NODE_MAX_HEADER_BYTES) return 400;
    if (at === end) return 'incomplete';
    // No name, or anything else than a colon right after it: no colon, a space before it, a character no token has.
    if (at === nameStart || text.charCodeAt(at) !== 58 /* : */) return 400;
    const name = text.slice(nameStart, at++);
    while (at < end && isBlank(text.charCodeAt(at))) at++;
    const valueStart = at;
    while (at < end && isValueChar(text.charCodeAt(at))) at++;
    let valueEnd = at;
    while (valueEnd > valueStart && isBlank(text.charCodeAt(valueEnd - 1))) valueEnd--;
    tally += valueEnd - valueStart;
    if (tally >= NODE_MAX_HEADER_BYTES) return 400;
    if (at === end || (at + 1 === end && text.charCodeAt(at) === CR)) return 'incomplete';
    // Lines end at CRLF only; a control character (NUL, a bare CR…) or DEL in a value is refused.
    if (text.charCodeAt(at) !== CR || text.charCodeAt(at + 1) !== LF) return 400;
    headers.push([name, text.slice(valueStart, valueEnd)]);
    at += 2;
    // Refused once whole (below); refused now, so that no more of it is held.
    if (headers.length > MAX_HEADER_LINES && method !== 'CONNECT') return 400;
  }

  // CONNECT is not tunnelled: the Node adapter answers 405.
  const framing = framingRefusal(headers, method !== 'CONNECT');
  if (framing) return framing;
  if (method === 'CONNECT') return 405;
  return whyRequestHeadIsRefused({ httpVersion, target, headers }) ? 400 : 'well-formed';
}

/**
 * llhttp's body framing rules for requests: one Content-Length of digits
 * (at most 2^64 - 1), not with Transfer-Encoding (request smuggling), and a
 * Transfer-Encoding whose last coding is chunked, once.
 */
function framingRefusal(headers: readonly (readonly [string, string])[], hasBody: boolean): 400 | undefined {
  let contentLengths = 0;
  let codings: string[] | undefined;
  for (const [name, value] of headers) {
    if (name.length !== 14 && name.length !== 17) continue;
    const lower = name.toLowerCase();
    if (lower === 'content-length') {
      if (++contentLengths > 1 || !/^\d+$/.test(value) || BigInt(value) > MAX_CONTENT_LENGTH) return 400;
    } else if (lower === 'transfer-encoding' && value !== '') {
      codings = [...(codings ?? []), ...value.split(',').map((coding) => coding.trim().toLowerCase())];
    }
  }
  if (!codings) return undefined;
  if (contentLengths > 0) return 400;
  // Nothing may follow chunked; a body's last coding must be chunked (llhttp checks no body of CONNECT).
  const chunked = codings.indexOf('chunked');
  if (chunked >= 0 && chunked !== codings.length - 1) return 400;
  return hasBody && chunked < 0 ? 400 : undefined;
}

/** What llhttp takes in a target: visible ASCII (no control character, space, DEL or byte above 127). */
function isTargetChar(code: number): boolean {
  return code > SP && code < 127;
}

/** An origin form `/…`, an asterisk form `*…`, or an absolute form `scheme://authority…` (llhttp's schemes are letters). */
function isTargetForm(target: string): boolean {
  const first = target.charCodeAt(0);
  if (first === 47 || first === 42) return true;
  const scheme = /^[A-Za-z]+:\/\//.exec(target);
  return scheme !== null && isAuthorityThenPath(target.slice(scheme[0].length));
}

/** The authority form of CONNECT, or what follows an absolute form's scheme: authority characters up to a path or query. */
function isAuthorityThenPath(target: string): boolean {
  for (let i = 0; i < target.length; i++) {
    const code = target.charCodeAt(i);
    if (code === 47 || code === 63 /* / ? */) return true;
    if (!AUTHORITY_CHAR[code]) return false;
  }
  return true;
}

function isBlank(code: number): boolean {
  return code === SP || code === HTAB;
}

/** Field content llhttp takes: HTAB, SP, visible ASCII and obs-text (RFC 9110 §5.5). */
function isValueChar(code: number): boolean {
  return code === HTAB || (code >= SP && code !== 127 && code <= 255);
}

function charTable(chars: string): Uint8Array {
  const table = new Uint8Array(256);
  for (let i = 0; i < chars.length; i++) table[chars.charCodeAt(i)] = 1;
  return table;
}
