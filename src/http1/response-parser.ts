/**
 * An HTTP/1.1 response parser fed the bytes of a server connection as they
 * arrive, in any split: synchronous and incremental, so an adapter with its
 * own sockets (adapters/node/raw-upstream.ts) parses without a promise per
 * read. Deno's HTTP/1.1 client (src/proxy/http1-client.ts) feeds it too: one
 * parser, one set of framing rules, on both runtimes. It emits the final head (1xx heads are skipped: 100 Continue and the
 * like), the body as the server framed it with the transfer coding removed
 * (body chunks are views into the fed bytes, not copies), and the end with
 * the chunked body's trailer fields, which haproxy forwards.
 *
 * The framing rules are the ones undici applies (RFC 9112 §6.3): no body for
 * HEAD, 204 and 304; chunked when the last transfer coding is chunked;
 * otherwise Content-Length, or until the server closes. A response undici
 * refuses (a bad status line or header line, a bad or repeated
 * Content-Length, Content-Length with Transfer-Encoding, a bad chunk size, a
 * head larger than `MAX_HEAD_BYTES`) throws UpstreamError('bad-response'),
 * haproxy's 502.
 */
import { UpstreamError } from '../deps.ts';

/** What the parser reports, in order: head, body chunks, end. */
export interface ResponseEvents {
  /** The final head. Names lower-cased (as HAProxy 2.6 writes them), values latin1, in the server's order. */
  onResponseHead(status: number, headers: [string, string][], keepAlive: boolean): void;
  onResponseBody(chunk: Uint8Array): void;
  onResponseEnd(trailers: [string, string][] | undefined): void;
}

/** Largest head (and chunk-size or trailer line) accepted: Node's default `--max-http-header-size`, undici's limit. */
export const MAX_HEAD_BYTES = 16 * 1024;

/** Where the parser is in a response (numbers, not an enum: type stripping has no enums). */
type State = number;
const HEAD = 0;
/** Content-Length body: `#remaining` bytes left. */
const FIXED = 1;
/** Until the server closes. */
const UNTIL_CLOSE = 2;
const CHUNK_SIZE = 3;
const CHUNK_DATA = 4;
/** The CRLF after a chunk's data. */
const CHUNK_DATA_END = 5;
const TRAILERS = 6;
const DONE = 7;

const CR = 13;
const LF = 10;

/** Bytes `start`…`end` as ISO-8859-1 text, one character per byte. */
export type Latin1Decoder = (bytes: Uint8Array, start: number, end: number) => string;

export class ResponseParser {
  readonly #latin1: Latin1Decoder;
  #events: ResponseEvents | undefined;
  #method = 'GET';
  #state: State = DONE;
  #remaining = 0;
  /** Bytes of an unfinished head or line, waiting for the rest. */
  #pending: Uint8Array | undefined;
  #trailers: [string, string][] | undefined;
  /** Bytes arrived after the response's end: the connection cannot carry another one. */
  extraBytes = false;
  /** The final head was emitted. */
  headDone = false;

  /** `latin1`: a runtime's native decoder (Node's `latin1Slice`); the default is portable and slower. */
  constructor(latin1: Latin1Decoder = decodeLatin1) {
    this.#latin1 = latin1;
  }

  /** Expects the response to a `method` request, reporting to `events`. */
  start(method: string, events: ResponseEvents): void {
    this.#events = events;
    this.#method = method;
    this.#state = HEAD;
    this.#pending = undefined;
    this.#trailers = undefined;
    this.extraBytes = false;
    this.headDone = false;
  }

  /** The response is over (or none is expected). */
  get done(): boolean {
    return this.#state === DONE;
  }

  /**
   * The server closed the connection: true when that ends the response (a
   * body delimited by the close), false when the response is incomplete.
   */
  close(): boolean {
    if (this.#state !== UNTIL_CLOSE) return this.#state === DONE;
    this.#finish(undefined, 0, 0);
    return true;
  }

  /** Parses the next bytes; throws UpstreamError('bad-response') on a response undici refuses. */
  feed(chunk: Uint8Array): void {
    let data = chunk;
    if (this.#pending) {
      data = concat(this.#pending, chunk);
      this.#pending = undefined;
    }
    let at = 0;
    while (at < data.length) {
      switch (this.#state) {
        case HEAD: {
          const end = indexOfHeadEnd(data, at);
          if (end < 0) return this.#hold(data, at);
          // However it arrived: in one read as in many (haproxy: 502 past its 16 KiB buffer).
          if (end - at > MAX_HEAD_BYTES) throw badResponse('response head too large');
          this.#head(this.#latin1(data, at, end));
          at = end + 4;
          // A response without a body ends with its head.
          if (this.headDone && this.done) this.#finish(undefined, data.length, at);
          break;
        }
        case FIXED: {
          const take = Math.min(this.#remaining, data.length - at);
          this.#remaining -= take;
          this.#events!.onResponseBody(data.subarray(at, at + take));
          at += take;
          if (this.#remaining === 0) this.#finish(undefined, data.length, at);
          break;
        }
        case UNTIL_CLOSE:
          this.#events!.onResponseBody(at === 0 ? data : data.subarray(at));
          return;
        case CHUNK_SIZE: {
          const end = indexOfLineEnd(data, at);
          if (end < 0) return this.#hold(data, at);
          this.#remaining = chunkSize(data, at, end);
          at = end + 2;
          this.#state = this.#remaining === 0 ? TRAILERS : CHUNK_DATA;
          break;
        }
        case CHUNK_DATA: {
          const take = Math.min(this.#remaining, data.length - at);
          this.#remaining -= take;
          this.#events!.onResponseBody(data.subarray(at, at + take));
          at += take;
          if (this.#remaining === 0) this.#state = CHUNK_DATA_END;
          break;
        }
        case CHUNK_DATA_END: {
          if (data.length - at < 2) return this.#hold(data, at);
          if (data[at] !== CR || data[at + 1] !== LF) throw badResponse('missing CRLF after chunk data');
          at += 2;
          this.#state = CHUNK_SIZE;
          break;
        }
        case TRAILERS: {
          const end = indexOfLineEnd(data, at);
          if (end < 0) return this.#hold(data, at);
          if (end === at) this.#finish(this.#trailers, data.length, end + 2);
          else (this.#trailers ??= []).push(headerLine(this.#latin1(data, at, end)));
          at = end + 2;
          break;
        }
        case DONE:
          this.extraBytes = true;
          return;
      }
    }
  }

  #head(text: string): void {
    // HTTP/1.x SSS[ reason]
    const code = text.charCodeAt(9);
    if (!text.startsWith('HTTP/1.') || text.charCodeAt(8) !== 32 || !(code >= 49 && code <= 57)) throw badResponse('invalid status line');
    const lineEnd = text.indexOf('\r\n');
    const statusEnd = lineEnd < 0 ? text.length : lineEnd;
    if (statusEnd < 12 || (statusEnd > 12 && text.charCodeAt(12) !== 32)) throw badResponse('invalid status line');
    const status = Number(text.slice(9, 12));
    if (!Number.isInteger(status)) throw badResponse('invalid status line');
    const headers: [string, string][] = [];
    let length: string | undefined;
    let encoding: string | undefined;
    let connection = '';
    for (let start = lineEnd; start >= 0; ) {
      const end = text.indexOf('\r\n', start + 2);
      const line = headerLine(text.slice(start + 2, end < 0 ? text.length : end));
      headers.push(line);
      const name = line[0];
      if (name === 'content-length') {
        if (length !== undefined || !isDigits(line[1])) throw badResponse('invalid content-length');
        length = line[1];
      } else if (name === 'transfer-encoding') encoding = encoding === undefined ? line[1] : `${encoding}, ${line[1]}`;
      else if (name === 'connection') connection += `,${line[1].toLowerCase()}`;
      start = end;
    }
    if (status < 200 && status !== 101) return; // 1xx: the final head follows (a 101 is final: the connection becomes a tunnel)
    if (length !== undefined && encoding !== undefined) throw badResponse('content-length with transfer-encoding');
    // HTTP/1.0 servers close unless they say otherwise; kept simple: only HTTP/1.1 connections are reused.
    let keepAlive = text.charCodeAt(7) === 49 && !hasCloseToken(connection);
    if (this.#method === 'HEAD' || status === 204 || status === 304 || status === 101) this.#state = DONE;
    else if (encoding !== undefined) {
      this.#state = lastCodingIsChunked(encoding) ? CHUNK_SIZE : UNTIL_CLOSE;
    } else if (length !== undefined) {
      this.#remaining = Number(length);
      this.#state = this.#remaining === 0 ? DONE : FIXED;
    } else this.#state = UNTIL_CLOSE;
    if (this.#state === UNTIL_CLOSE || status === 101) keepAlive = false;
    this.headDone = true;
    this.#events!.onResponseHead(status, headers, keepAlive);
  }

  /** The response ends at `at` of `data` (`length` bytes): what follows makes the connection unusable. */
  #finish(trailers: [string, string][] | undefined, length: number, at: number): void {
    this.#state = DONE;
    if (at < length) this.extraBytes = true;
    // Let go of the exchange: a kept connection waits for its next request
    // holding none of the last one (with 200 servers, 200 requests' worth of
    // objects would otherwise outlive young-generation collections).
    const events = this.#events!;
    this.#events = undefined;
    this.#trailers = undefined;
    events.onResponseEnd(trailers);
  }

  #hold(data: Uint8Array, at: number): void {
    if (data.length - at > MAX_HEAD_BYTES) throw badResponse(this.#state === HEAD ? 'response head too large' : 'line too long');
    // A copy: the caller may reuse the chunk's memory.
    this.#pending = data.slice(at);
  }
}

function badResponse(message: string): UpstreamError {
  return new UpstreamError('bad-response', message);
}

/** `name: value` with the name lower-cased and the value's surrounding whitespace removed. */
function headerLine(line: string): [string, string] {
  const colon = line.indexOf(':');
  const first = line.charCodeAt(0);
  // No name, whitespace before the colon, or an obsolete folded line: llhttp refuses them.
  if (colon <= 0 || first === 32 || first === 9) throw badResponse('invalid response header line');
  const before = line.charCodeAt(colon - 1);
  if (before === 32 || before === 9) throw badResponse('invalid response header line');
  return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
}

/** `chunked` is the last transfer coding (RFC 9112 §6.3): else the body runs until the close. */
function lastCodingIsChunked(encoding: string): boolean {
  const codings = encoding.toLowerCase();
  const last = codings.slice(codings.lastIndexOf(',') + 1).trim();
  return last === 'chunked';
}

function hasCloseToken(list: string): boolean {
  if (!list.includes('close')) return false;
  return list.split(',').some((token) => token.trim() === 'close');
}

function isDigits(value: string): boolean {
  if (value.length === 0 || value.length > 15) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** A chunk-size line: hex digits, then extensions after `;` (ignored), as llhttp reads it. */
function chunkSize(data: Uint8Array, start: number, end: number): number {
  let size = 0;
  let at = start;
  for (; at < end; at++) {
    const c = data[at]!;
    const digit = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (digit < 0) break;
    if (at - start >= 13) throw badResponse('chunk size too large');
    size = size * 16 + digit;
  }
  if (at === start) throw badResponse('invalid chunk size');
  for (; at < end && (data[at] === 32 || data[at] === 9); at++);
  if (at < end && data[at] !== 59) throw badResponse('invalid chunk size');
  return size;
}

function indexOfHeadEnd(data: Uint8Array, from: number): number {
  for (let at = data.indexOf(CR, from); at >= 0 && at + 3 < data.length; at = data.indexOf(CR, at + 1)) {
    if (data[at + 1] === LF && data[at + 2] === CR && data[at + 3] === LF) return at;
  }
  return -1;
}

function indexOfLineEnd(data: Uint8Array, from: number): number {
  for (let at = data.indexOf(CR, from); at >= 0 && at + 1 < data.length; at = data.indexOf(CR, at + 1)) {
    if (data[at + 1] === LF) return at;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}

/** TextDecoder's 'latin1' is windows-1252: the same as ISO-8859-1 below 0x80 only. */
const ascii = new TextDecoder('latin1');

/** Bytes as ISO-8859-1 text: TextDecoder for ASCII (most heads), character codes otherwise. */
function decodeLatin1(data: Uint8Array, start: number, end: number): string {
  let at = start;
  while (at < end && data[at]! < 0x80) at++;
  if (at === end) return ascii.decode(data.subarray(start, end));
  let text = '';
  for (at = start; at < end; at += 4096) {
    text += String.fromCharCode.apply(null, data.subarray(at, Math.min(end, at + 4096)) as unknown as number[]);
  }
  return text;
}
