/**
 * A request as the raw upstream writes it to a server: the bytes undici sent
 * before it (so servers see no change): the request line, `host` first (the
 * request's, else the server's address), `connection: keep-alive` or
 * `connection: close` (undici's `reset`: `option httpclose`, a request's own
 * `Connection: close`), the other header lines as given and in order with
 * repeated lines kept, then the body's framing, `content-length` or
 * `transfer-encoding: chunked`. Expect is dropped (Node's server answered it
 * already) and the connection fields undici refuses are never among the lines
 * src/ forwards (src/proxy/hop-by-hop.ts removes them).
 */
import { UpstreamError, type RequestHead, type UpstreamTarget } from '../../src/deps.ts';

/**
 * What undici refuses to send (its InvalidArgumentError, which became a 502):
 * a method or header name that is not a token, a header value with control
 * characters (CR and LF would start a line of their own) or characters beyond
 * latin1, a target that is not origin-form or absolute-form or has spaces or
 * controls. Node's server refused such a client head already; these catch
 * what rules made of it (`set-header` with decoded samples).
 */
const TOKEN = /^[\^_`a-zA-Z\-0-9!#$%&'*+.|~]+$/;
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
const INVALID_TARGET = /[^\u0021-\u00ff]/;

function refused(what: string): UpstreamError {
  return new UpstreamError('bad-response', `invalid request ${what}`);
}

/** Methods whose requests mean to carry a body: undici sends `content-length: 0` for them when there is none. */
const EXPECTS_PAYLOAD = new Set(['PUT', 'POST', 'PATCH', 'QUERY', 'PROPFIND', 'PROPPATCH']);

export interface RequestHeadText {
  readonly text: string;
  /** The body's length is unknown: it goes chunked. */
  readonly chunked: boolean;
  /** The request asks the server to close after it (`connection: close`). */
  readonly close: boolean;
}

/** The request's head as one latin1 string; throws UpstreamError('bad-response') where undici refused the request. */
export function requestHeadText(target: UpstreamTarget, head: RequestHead, hasBody: boolean): RequestHeadText {
  let host: string | undefined;
  let lines = '';
  let length: string | undefined;
  let close = target.close;
  const { method, target: path } = head;
  if (!TOKEN.test(method)) throw refused('method');
  if ((path.charCodeAt(0) !== 47 && !path.startsWith('http://') && !path.startsWith('https://')) || INVALID_TARGET.test(path)) throw refused('target');
  for (const [name, value] of head.headers) {
    if (!TOKEN.test(name) || INVALID_VALUE.test(value)) throw refused(`header ${name}`);
    // Only names as long as host, expect, connection or content-length need a look.
    const lower = name.length === 4 || name.length === 6 || name.length === 10 || name.length === 14 ? name.toLowerCase() : '';
    if (lower === 'host') host ??= value;
    else if (lower === 'connection') close ||= hasCloseToken(value);
    else if (lower === 'content-length') length = value;
    else if (lower !== 'expect') lines += `${name}: ${value}\r\n`;
  }
  host ??= target.host.includes(':') ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
  let text = `${head.method} ${head.target} HTTP/1.1\r\nhost: ${host}\r\nconnection: ${close ? 'close' : 'keep-alive'}\r\n${lines}`;
  let chunked = false;
  if (hasBody) {
    if (length !== undefined) text += `content-length: ${length}\r\n`;
    else (text += 'transfer-encoding: chunked\r\n'), (chunked = true);
  } else if (length !== undefined && (length !== '0' || EXPECTS_PAYLOAD.has(head.method))) {
    text += `content-length: ${length}\r\n`;
  }
  return { text: `${text}\r\n`, chunked, close };
}

function hasCloseToken(value: string): boolean {
  return value.toLowerCase().split(',').some((token) => token.trim() === 'close');
}
