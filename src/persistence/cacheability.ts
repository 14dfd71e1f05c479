/**
 * HAProxy's idea of a cacheable response, which decides whether `cookie …
 * nocache` adds `Cache-control: private` next to the inserted cookie. Ported
 * from HAProxy 2.6.12: `TX_CACHEABLE` set for safe methods in
 * `http_wait_for_request`, cleared for non-cacheable statuses in
 * `http_wait_for_response`, then `http_check_response_for_cacheability`
 * (including the 2.6-backported fix that clears it when the response has
 * neither freshness information nor a validator). Verified against the real
 * haproxy: a plain 200 to a GET gets nothing, `max-age=60` does.
 */
import { splitHeaderValues, trimLws } from './cookie-syntax.ts';
import type { HeaderLines } from './types.ts';

/** RFC 7231 §4.2.1 safe methods (HAProxy compares them case-sensitively). */
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/** RFC 7231 §6.1 "cacheable by default", the list in `http_wait_for_response`. */
const CACHEABLE_STATUSES: ReadonlySet<number> = new Set([200, 203, 204, 206, 300, 301, 404, 405, 410, 414, 501]);

/** Directives that make a response non-cacheable; exact, case-insensitive. */
const NOT_CACHEABLE: ReadonlySet<string> = new Set(['private', 'no-cache', 'no-store', 'max-age=0', 's-maxage=0']);

export function isCacheableResponse(method: string, status: number, headers: HeaderLines): boolean {
  if (status < 200) return false;
  let cacheable = SAFE_METHODS.has(method) && CACHEABLE_STATUSES.has(status);

  // HTTP/1.0 `Pragma: no-cache`: only the first Pragma line counts, whole.
  const pragma = headers.find(([n]) => n.toLowerCase() === 'pragma');
  if (pragma && trimLws(pragma[1]).toLowerCase() === 'no-cache') return false;

  // Every Cache-Control element in order; the last decisive one wins, and
  // `public` turns caching back on even for a POST or a 302.
  let hasFreshness = false;
  for (const [name, value] of headers) {
    if (name.toLowerCase() !== 'cache-control') continue;
    for (const element of splitHeaderValues(value)) {
      const v = element.toLowerCase();
      if (v === 'public') cacheable = true;
      else if (NOT_CACHEABLE.has(v)) cacheable = false;
      else if (v.startsWith('no-cache="set-cookie')) continue; // only affects TX_CACHE_COOK
      else if (v.startsWith('s-maxage') || v.startsWith('max-age')) hasFreshness = true;
    }
  }

  // RFC 7234 §3: nothing to expire or revalidate it by, so not cacheable.
  if (!hasFreshness) hasFreshness = hasHeader(headers, 'expires');
  if (!hasFreshness && !hasHeader(headers, 'etag') && !hasHeader(headers, 'last-modified')) return false;
  return cacheable;
}

function hasHeader(headers: HeaderLines, lowerName: string): boolean {
  return headers.some(([n]) => n.toLowerCase() === lowerName);
}
