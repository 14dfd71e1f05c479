/**
 * HAProxy's built-in error responses, byte for byte (observed on haproxy
 * 2.6.12), and `errorfile` overrides. Upstream failures are mapped to a status
 * in exactly one place: `statusForFailure`.
 */
import type { Backend, ErrorFile } from '../config/types.ts';
import type { ResponseHead, UpstreamFailure } from '../deps.ts';

export interface ErrorResponse extends ResponseHead {
  readonly body: string;
}

const BUILTIN_PAGES: Readonly<Record<number, readonly [title: string, message: string]>> = {
  // `monitor-uri`'s page, and `deny deny_status 200`'s.
  200: ['200 OK', 'Service ready.'],
  400: ['400 Bad request', 'Your browser sent an invalid request.'],
  401: ['401 Unauthorized', 'You need a valid user and password to access this content.'],
  403: ['403 Forbidden', 'Request forbidden by administrative rules.'],
  404: ['404 Not Found', 'The resource could not be found.'],
  405: ['405 Method Not Allowed', 'A request was made of a resource using a request method not supported by that resource'],
  407: ['407 Unauthorized', 'You need a valid user and password to access this content.'],
  408: ['408 Request Time-out', "Your browser didn't send a complete request in time."],
  410: ['410 Gone', 'The resource is no longer available and will not be available again.'],
  413: ['413 Payload Too Large', 'The request entity exceeds the maximum allowed.'],
  421: ['421 Misdirected Request', 'Request sent to a non-authoritative server.'],
  422: ['422 Unprocessable Content', 'The server cannot process the contained instructions.'],
  425: ['425 Too Early', 'Your browser sent early data.'],
  429: ['429 Too Many Requests', 'You have sent too many requests in a given amount of time.'],
  500: ['500 Internal Server Error', 'An internal server error occurred.'],
  // The leading dot is HAProxy 2.6's own text.
  501: ['501 Not Implemented', '.The server does not support the functionality required to fulfill the request.'],
  502: ['502 Bad Gateway', 'The server returned an invalid or incomplete response.'],
  503: ['503 Service Unavailable', 'No server is available to handle this request.'],
  504: ['504 Gateway Time-out', "The server didn't respond in time."],
};

/**
 * HAProxy 2.6's `http_err_codes`: the statuses it has a page for, so the only
 * ones `errorfile` and a payload-less `deny deny_status N` accept.
 */
export const BUILTIN_PAGE_STATUSES: readonly number[] = Object.keys(BUILTIN_PAGES).map(Number);

/** The HTTP status HAProxy answers with for each way a server can fail. */
export function statusForFailure(failure: UpstreamFailure): 502 | 503 | 504 {
  switch (failure) {
    case 'refused':
    case 'connect-timeout':
    case 'tls-handshake':
    case 'tls-name-mismatch':
      return 503; // no connection could be made: "No server is available"
    case 'timeout':
      return 504; // `timeout server` expired
    case 'reset':
    case 'bad-response':
      return 502;
  }
}

/** HAProxy's fixed page for `status`: `Cache-Control: no-cache`, `Connection: close`, HTML body. */
export function builtinErrorResponse(status: number): ErrorResponse {
  const [title, message] = BUILTIN_PAGES[status] ?? [`${status} Error`, 'An error occurred.'];
  const body = `<html><body><h1>${title}</h1>\n${message}\n</body></html>\n`;
  return {
    status,
    headers: [
      ['content-length', String(new TextEncoder().encode(body).length)],
      ['cache-control', 'no-cache'],
      ['connection', 'close'],
      ['content-type', 'text/html'],
    ],
    body,
  };
}

/**
 * Parses an `errorfile`: a raw HTTP/1.x response (status line, headers, blank
 * line, body) that HAProxy sends as is. Returns undefined when it is not one,
 * so the loader can report the file as invalid.
 */
export function parseErrorFile(content: string): ErrorResponse | undefined {
  const headEnd = content.search(/\r?\n\r?\n/);
  const head = headEnd === -1 ? content : content.slice(0, headEnd);
  const body = headEnd === -1 ? '' : content.slice(headEnd).replace(/^\r?\n\r?\n/, '');
  const [statusLine, ...lines] = head.split(/\r?\n/);
  const match = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(statusLine ?? '');
  if (!match) return undefined;
  const headers: [string, string][] = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return { status: Number(match[1]), headers, body };
}

/** Error responses of one backend: its `errorfile`s, else the built-in pages. */
export function createErrorResponder(errorFiles: readonly ErrorFile[]): (status: number) => ErrorResponse {
  const overrides = new Map<number, ErrorResponse>();
  for (const file of errorFiles) {
    const parsed = parseErrorFile(file.content);
    if (parsed) overrides.set(file.status, parsed);
  }
  return (status) => overrides.get(status) ?? builtinErrorResponse(status);
}

/** Each backend's responder, built once from its frozen configuration. */
const responders = new WeakMap<Backend, (status: number) => ErrorResponse>();

/** The page `backend` answers `status` with: its `errorfile`, else HAProxy's built-in page. */
export function backendErrorPage(backend: Backend, status: number): ErrorResponse {
  let responder = responders.get(backend);
  if (!responder) responders.set(backend, (responder = createErrorResponder(backend.errorFiles)));
  return responder(status);
}
