/**
 * The response half of cookie persistence: what happens to the server's own
 * Set-Cookie lines for our cookie name, and whether HAProxy adds its own
 * cookie. A port of HAProxy 2.6's `http_manage_server_side_cookies` and of the
 * "Add server cookie in the response if needed" block of
 * `http_process_res_common` (src/http_ana.c).
 */
import type { CookiePolicy, Server } from '../config/types.ts';
import { isCacheableResponse } from './cacheability.ts';
import { findCookieValueEnd, hasLineBreak, isSpHt } from './cookie-syntax.ts';
import { encodeS30 } from './s30.ts';
import type { CookieDates, HeaderLines, PersistenceRequest } from './types.ts';

export interface ResponseCookieContext {
  /** Request method; `postonly` inserts only for `POST`, and safe methods make responses cacheable. */
  readonly method: string;
  readonly servers: readonly Server[];
  /** Index of the server that produced the response. */
  readonly serverIndex: number;
  /**
   * HAProxy's "direct" access: the client's cookie named this very server and
   * was honoured. False after a redispatch to another server, for an unknown
   * or expired cookie, or a cookie naming a server that is down.
   */
  readonly clientCookieValid: boolean;
  /** What `readPersistenceCookie` found (its dates are kept in a refreshed cookie). */
  readonly request: PersistenceRequest | undefined;
  /** ms since the epoch. */
  readonly now: number;
}

const NO_DATES: CookieDates = { lastSeen: 0, firstSeen: 0 };

/**
 * Returns the response header lines the client must see (the input array
 * itself when nothing changes).
 *
 * Server Set-Cookie lines for our name, unless `preserve`:
 * - insert mode: removed (HAProxy inserts its own when needed);
 * - `indirect` with a direct access: removed (prefix mode: the client already
 *   holds a valid prefixed cookie);
 * - rewrite mode: the value becomes the server's cookie value;
 * - prefix mode: the value gets `SRV~` in front, attributes untouched.
 *
 * Insert mode adds `NAME=VALUE[|LAST|FIRST]; path=/[; domain=D]…[; HttpOnly]
 * [; Secure][; ATTR]…` at the end when the client did not hold a valid cookie
 * for this server, when `maxidle`/`maxlife` dates need refreshing, not for
 * non-POST requests with `postonly`, and never when the server set the cookie
 * itself under `preserve`. A server without `cookie VALUE` gets a deletion
 * cookie instead. With `nocache`, a separate `cache-control: private` line
 * follows when the response is cacheable. Names are lower-case, as haproxy
 * writes them on HTTP/1.
 *
 * A Set-Cookie line containing CR, LF or NUL is dropped.
 */
export function applyResponseCookie(
  policy: CookiePolicy,
  ctx: ResponseCookieContext,
  status: number,
  headers: HeaderLines,
): HeaderLines {
  // HAProxy leaves interim responses alone (101 goes on); so do we with an
  // unknown server index. Unsafe lines are dropped all the same.
  const server = ctx.servers[ctx.serverIndex];
  const untouched = (status < 200 && status !== 101) || server === undefined;

  let out: (readonly [string, string])[] | undefined;
  let serverSetOurs = false;
  for (let i = 0; i < headers.length; i++) {
    const line = headers[i]!;
    if (line[0].length !== 10 || line[0].toLowerCase() !== 'set-cookie') {
      out?.push(line);
      continue;
    }
    let value: string | undefined;
    if (hasLineBreak(line[1])) value = undefined;
    else if (untouched) value = line[1];
    else {
      const r = rewriteSetCookie(policy, server, ctx.clientCookieValid, line[1]);
      value = r.value;
      serverSetOurs ||= r.ours;
    }
    if (value === line[1]) {
      out?.push(line);
      continue;
    }
    out ??= headers.slice(0, i);
    if (value !== undefined) out.push([line[0], value]);
  }

  if (untouched) return out ?? headers;
  const dates = ctx.request?.dates ?? NO_DATES;
  if (policy.mode === 'insert' && !(serverSetOurs && policy.preserve) &&
      needsCookie(policy, ctx.clientCookieValid, dates, Math.floor(ctx.now / 1000)) &&
      (!policy.postonly || ctx.method === 'POST')) {
    out ??= headers.slice();
    out.push(['set-cookie', buildCookie(policy, server, dates, Math.floor(ctx.now / 1000))]);
    // HTTP/1.0 caches store cookies too; `private` is understood by all of
    // them, where `no-cache="set-cookie"` is not (HAProxy's own comment).
    if (policy.nocache && isCacheableResponse(ctx.method, status, headers)) {
      out.push(['cache-control', 'private']);
    }
  }
  return out ?? headers;
}

/**
 * The condition HAProxy tests before inserting: no direct access, or the
 * last-seen date must move forward (it is stored rounded up to 4 s, so this
 * happens at most once per 4-second slot), or the first-seen date must be
 * added (maxlife set) or removed (maxlife unset).
 */
function needsCookie(policy: CookiePolicy, direct: boolean, dates: CookieDates, nowSec: number): boolean {
  const maxidle = Math.floor((policy.maxidle ?? 0) / 1000);
  const maxlife = Math.floor((policy.maxlife ?? 0) / 1000);
  return !direct ||
    ((maxidle > 0 || dates.lastSeen > 0) && (dates.lastSeen === 0 || dates.lastSeen - nowSec < 0)) ||
    (maxlife > 0 && dates.firstSeen === 0) ||
    (maxlife === 0 && dates.firstSeen > 0);
}

function buildCookie(policy: CookiePolicy, server: Server, dates: CookieDates, nowSec: number): string {
  let c: string;
  if (server.cookie === undefined) {
    // A cookie-less server (e.g. a backup) tells the client to forget its cookie.
    c = `${policy.name}=; Expires=Thu, 01-Jan-1970 00:00:01 GMT; path=/`;
  } else {
    c = `${policy.name}=${server.cookie}`;
    const maxidle = policy.maxidle ?? 0;
    const maxlife = policy.maxlife ?? 0;
    if (maxidle >= 1000 || maxlife >= 1000) {
      // Dates in 4-second units, the current one rounded up (`(now+3) >> 2`).
      const nowStamp = Math.floor((nowSec + 3) / 4);
      c += `|${encodeS30(nowStamp)}`;
      if (maxlife >= 1000) c += `|${encodeS30(dates.firstSeen ? Math.floor(dates.firstSeen / 4) : nowStamp)}`;
    }
    c += '; path=/';
  }
  for (const d of policy.domains) c += `; domain=${d}`;
  if (policy.httponly) c += '; HttpOnly';
  if (policy.secure) c += '; Secure';
  for (const a of policy.attrs) c += `; ${a}`;
  return c;
}

/**
 * One Set-Cookie line: HAProxy looks at the first `name=value` only, strips
 * spaces around `=` (in any cookie), and acts when the name is ours.
 * `value` undefined means "remove the line".
 */
function rewriteSetCookie(
  policy: CookiePolicy,
  server: Server,
  direct: boolean,
  line: string,
): { value: string | undefined; ours: boolean } {
  let h = line;
  const end = h.length;
  let attBeg = 0;
  while (attBeg < end && isSpHt(h[attBeg])) attBeg++;
  let equal = attBeg;
  let attEnd = attBeg;
  while (equal < end) {
    const c = h[equal];
    if (c === '=' || c === ';') break;
    equal++;
    if (!isSpHt(c)) attEnd = equal;
  }
  if (equal >= end || h[equal] !== '=') return { value: line, ours: false };
  let valBeg = equal + 1;
  while (valBeg < end && isSpHt(h[valBeg])) valBeg++;
  let valEnd = findCookieValueEnd(h, valBeg, end);
  while (valEnd > valBeg && isSpHt(h[valEnd - 1])) valEnd--;

  if (attEnd !== equal || valBeg > equal + 1) {
    h = h.slice(0, attEnd) + '=' + h.slice(valBeg);
    const shift = attEnd + 1 - valBeg;
    valBeg += shift;
    valEnd += shift;
  }

  if (attEnd - attBeg !== policy.name.length || !h.startsWith(policy.name, attBeg)) {
    return { value: h, ours: false };
  }
  if (policy.preserve) return { value: h, ours: true };
  if (policy.mode === 'insert' || (direct && policy.indirect)) return { value: undefined, ours: true };
  if (server.cookie !== undefined && policy.mode === 'rewrite') {
    return { value: h.slice(0, valBeg) + server.cookie + h.slice(valEnd), ours: true };
  }
  if (server.cookie !== undefined && policy.mode === 'prefix') {
    return { value: `${h.slice(0, valBeg)}${server.cookie}~${h.slice(valBeg)}`, ours: true };
  }
  return { value: h, ours: true };
}
