/**
 * Responses the balancer writes itself when a rule answers: redirects,
 * `deny`/`auth`/`tarpit` error pages, `return`, `monitor-uri`. Header lines
 * and their order are HAProxy 2.6's (`http_apply_redirect_rule()`,
 * `http_reply_to_htx()`).
 */
import { builtinErrorResponse } from '../proxy/error-pages.ts';

export interface Answer {
  readonly status: number;
  readonly reason: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: string;
}

const REASONS: Readonly<Record<number, string>> = {
  100: 'Continue', 101: 'Switching Protocols', 200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 206: 'Partial Content',
  301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 304: 'Not Modified', 307: 'Temporary Redirect', 308: 'Permanent Redirect',
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 407: 'Proxy Authentication Required',
  408: 'Request Timeout', 410: 'Gone', 413: 'Payload Too Large', 421: 'Misdirected Request', 422: 'Unprocessable Content', 425: 'Too Early', 429: 'Too Many Requests', 500: 'Internal Server Error',
  501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

/** HAProxy's `http_get_reason()`: a known phrase, else the class's (`299` → `Success`). */
export function reasonPhrase(status: number): string {
  const known = REASONS[status];
  if (known) return known;
  if (status >= 100 && status < 200) return 'Informational';
  if (status >= 200 && status < 300) return 'Success';
  if (status >= 300 && status < 400) return 'Redirection';
  if (status >= 400 && status < 500) return 'Client Error';
  if (status >= 500 && status < 600) return 'Server Error';
  return 'Other';
}

/** Redirect statuses `redirect … code N` accepts. */
export const REDIRECT_CODES = [301, 302, 303, 307, 308];

/** `Content-length: 0`, `Location`, `Cache-Control: no-cache` for 302/303/307, then the cookie line. */
export function redirectAnswer(status: number, location: string, cookie: string | undefined): Answer {
  const headers: [string, string][] = [['content-length', '0'], ['location', location]];
  if (status === 302 || status === 303 || status === 307) headers.push(['cache-control', 'no-cache']);
  if (cookie !== undefined) headers.push(['set-cookie', cookie]);
  return { status, reason: reasonPhrase(status), headers, body: '' };
}

/** The page `deny`, `tarpit` and `auth` answer with when no errorfile replaces it; the connection stays open. */
export function errorPageAnswer(status: number): Answer {
  const page = builtinErrorResponse(status);
  return { status, reason: reasonPhrase(status), headers: page.headers.filter(([name]) => name !== 'connection'), body: page.body };
}

/** `return`/`deny` with a payload: the `hdr` lines, `content-length`, and `content-type` when there is a body. */
export function replyAnswer(status: number, contentType: string | undefined, body: string, headers: readonly (readonly [string, string])[]): Answer {
  const lines: [string, string][] = headers.filter(([, v]) => v !== '').map(([n, v]) => [n, v]);
  lines.push(['content-length', String(new TextEncoder().encode(body).length)]);
  if (body !== '' && contentType !== undefined) lines.push(['content-type', contentType]);
  return { status, reason: reasonPhrase(status), headers: lines, body };
}

/** `monitor-uri`: HAProxy's fixed "Service ready." page. */
export function monitorAnswer(): Answer {
  return errorPageAnswer(200);
}
