/**
 * The request half of cookie persistence: which server the client's cookie
 * names, and the Cookie lines the server must see. A port of HAProxy 2.6's
 * `http_manage_client_side_cookies` (src/http_ana.c), kept close to the C so
 * that the edge cases (spaces around `=`, `,` delimiters, `$` attributes,
 * duplicate cookies) come out byte for byte as haproxy forwards them.
 */
import type { CookiePolicy, Server } from '../config/types.ts';
import { findCookieValueEnd, hasLineBreak, isSpHt, trimLws } from './cookie-syntax.ts';
import { decodeS30 } from './s30.ts';
import type { CookieStatus, HeaderLines, PersistenceRequest } from './types.ts';

/** HAProxy ignores dates more than one day in the future (clock skew), see `http_manage_client_side_cookies`. */
const MAX_FUTURE_SECONDS = 86400;

/** Mutable state of one transaction, HAProxy's `txn->flags` / `cookie_*_date`. */
interface ScanState {
  serverIndex: number | undefined;
  status: CookieStatus;
  lastSeen: number;
  firstSeen: number;
}

/**
 * Reads the persistence cookie of a request.
 *
 * - insert/rewrite mode: `NAME=SRV[|LAST[|FIRST]]`; the dates are checked
 *   against `maxidle`/`maxlife` and an out-of-range cookie is ignored (normal
 *   balancing, fresh cookie), as HAProxy does.
 * - prefix mode: `NAME=SRV~VALUE`; any `xxx~` prefix is stripped before the
 *   request goes on, even when `xxx` names no server. A value without `~` is
 *   compared whole and left as is.
 * - insert mode with `indirect`: our cookie is removed from the Cookie lines;
 *   a line left empty is removed.
 *
 * `isUsable(i)` tells whether server `i` may take the request (HAProxy: not
 * DOWN and not in maintenance). HAProxy picks the first server, in
 * configuration order, whose cookie matches AND is usable, so servers may share
 * a cookie value. Without it every matching server counts as usable and the
 * caller must check the returned index itself; a cookie for an unusable server
 * must then be treated as no cookie (HAProxy without `option persist`).
 *
 * `now` is ms since the epoch. A Cookie line containing CR, LF or NUL (which an
 * HTTP/1 parser would have refused) is dropped and not used for routing, so it
 * can never reach a server.
 */
export function readPersistenceCookie(
  policy: CookiePolicy,
  servers: readonly Server[],
  headers: HeaderLines,
  now: number,
  isUsable: (index: number) => boolean = () => true,
): PersistenceRequest {
  const state: ScanState = { serverIndex: undefined, status: 'none', lastSeen: 0, firstSeen: 0 };
  let out: (readonly [string, string])[] | undefined;
  for (let i = 0; i < headers.length; i++) {
    const line = headers[i]!;
    if (line[0].length !== 6 || line[0].toLowerCase() !== 'cookie') {
      out?.push(line);
      continue;
    }
    let value: string | undefined;
    if (hasLineBreak(line[1])) value = undefined;
    else value = scanCookieLine(policy, servers, trimLws(line[1]), Math.floor(now / 1000), isUsable, state);
    if (value === line[1]) {
      out?.push(line);
      continue;
    }
    out ??= headers.slice(0, i);
    if (value !== undefined) out.push([line[0], value]);
  }
  return {
    serverIndex: state.serverIndex,
    status: state.status,
    headers: out ?? headers,
    dates: { lastSeen: state.lastSeen, firstSeen: state.firstSeen },
  };
}

/**
 * One Cookie line, as HAProxy walks it: returns the line as forwarded, or
 * undefined when it must be removed. Index names follow the C (`prev`,
 * `att_beg`, `equal`, `val_beg`, `val_end`, `next`, `del_from`).
 */
function scanCookieLine(
  policy: CookiePolicy,
  servers: readonly Server[],
  original: string,
  nowSec: number,
  isUsable: (index: number) => boolean,
  state: ScanState,
): string | undefined {
  const removeOurs = policy.mode === 'insert' && policy.indirect;
  let h = original;
  let delFrom = -1; // start of our cookie(s) scheduled for removal
  let preserveHdr = false; // some other cookie stays, so the line stays
  let isFirst = true;
  let next: number;
  for (let prev = 0; prev < h.length; prev = next) {
    let attBeg = isFirst ? prev : prev + 1;
    isFirst = false;
    while (attBeg < h.length && isSpHt(h[attBeg])) attBeg++;

    // Name ends at the last non-space before '=', ',' or ';'.
    let equal = attBeg;
    let attEnd = attBeg;
    while (equal < h.length) {
      const c = h[equal];
      if (c === '=' || c === ',' || c === ';') break;
      equal++;
      if (!isSpHt(c)) attEnd = equal;
    }

    let valBeg: number;
    let valEnd: number;
    if (equal < h.length && h[equal] === '=') {
      valBeg = equal + 1;
      while (valBeg < h.length && isSpHt(h[valBeg])) valBeg++;
      next = findCookieValueEnd(h, valBeg);
      valEnd = next;
      while (valEnd > valBeg && isSpHt(h[valEnd - 1])) valEnd--;
    } else {
      valBeg = valEnd = next = equal;
    }

    // RFC 2109 `$Path`-style attributes belong to the cookie before them.
    if (h[attBeg] === '$') continue;

    if (equal === next) {
      // No '=': not ours, keep it, and flush a pending removal before it.
      preserveHdr = true;
      if (delFrom >= 0) {
        const r = deleteHeaderValue(h, delFrom, prev);
        h = r.h;
        next += r.delta;
        delFrom = -1;
      }
      continue;
    }

    // HAProxy strips spaces around '=' in every cookie it parses.
    if (attEnd !== equal || valBeg > equal + 1) {
      let stripped = 0;
      if (attEnd !== equal) {
        h = h.slice(0, attEnd) + h.slice(equal);
        stripped = attEnd - equal;
        equal += stripped;
        valBeg += stripped;
      }
      if (valBeg > equal + 1) {
        h = h.slice(0, equal + 1) + h.slice(valBeg);
        const after = equal + 1 - valBeg;
        valBeg += after;
        stripped += after;
      }
      valEnd += stripped;
      next += stripped;
    }

    if (attEnd - attBeg === policy.name.length && h.startsWith(policy.name, attBeg)) {
      // Where the server part ends: at `~` in prefix mode, else at the first `|`.
      let delim = policy.mode === 'prefix'
        ? indexWithin(h, '~', valBeg, valEnd)
        : readDates(h, valBeg, valEnd, state);

      // Too old or idle for too long (or more than a day in the future):
      // pretend there was no cookie.
      const maxlife = Math.floor((policy.maxlife ?? 0) / 1000);
      const maxidle = Math.floor((policy.maxidle ?? 0) / 1000);
      if (state.firstSeen && maxlife &&
          (nowSec - state.firstSeen > maxlife || state.firstSeen - nowSec > MAX_FUTURE_SECONDS)) {
        state.status = 'old';
        delim = valBeg;
        state.firstSeen = state.lastSeen = 0;
      } else if (state.lastSeen && maxidle &&
          (nowSec - state.lastSeen > maxidle || state.lastSeen - nowSec > MAX_FUTURE_SECONDS)) {
        state.status = 'expired';
        delim = valBeg;
        state.firstSeen = state.lastSeen = 0;
      }

      // An empty server part never matches, so a client cannot stick to a
      // cookie-less server; only the first of several cookies may route.
      let matched = false;
      if (delim !== valBeg && state.serverIndex === undefined) {
        const id = h.slice(valBeg, delim);
        for (let s = 0; s < servers.length; s++) {
          if (servers[s]!.cookie !== id) continue;
          if (isUsable(s)) {
            state.status = 'valid';
            state.serverIndex = s;
            matched = true;
            break;
          }
          state.status = 'down';
        }
      }
      if (!matched && state.status === 'none') state.status = 'invalid';

      if (policy.mode === 'prefix' && delim !== valEnd) {
        // Give the application its own value back, whatever the prefix was.
        h = h.slice(0, valBeg) + h.slice(delim + 1);
        const delta = valBeg - (delim + 1);
        valEnd += delta;
        next += delta;
        delFrom = -1;
        preserveHdr = true;
      } else if (delFrom < 0 && removeOurs) {
        delFrom = prev;
      }
    } else {
      // Not ours: keep it, and flush a pending removal before it.
      preserveHdr = true;
      if (delFrom >= 0) {
        const r = deleteHeaderValue(h, delFrom, prev);
        h = r.h;
        next += r.delta;
        delFrom = -1;
      }
    }
  }

  // Our cookie(s) at the end of the line: cut there, or drop the whole line.
  if (delFrom >= 0) h = preserveHdr ? h.slice(0, delFrom) : '';
  if (h.length !== original.length && h === '') return undefined;
  return h === original ? original : h;
}

/**
 * Parses `SRV|LAST|FIRST` (insert/rewrite modes) between `valBeg` and
 * `valEnd`, stores the dates found into `state`, and returns where the server
 * part ends. Mirrors HAProxy: a stamp needs 5 characters, decoding to a
 * positive number; seconds = stamp * 4.
 */
function readDates(h: string, valBeg: number, valEnd: number, state: ScanState): number {
  const bar = indexWithin(h, '|', valBeg, valEnd);
  if (bar === valEnd) return valEnd;
  const last = bar + 1;
  if (valEnd - last >= 5) {
    const v = decodeS30(h, last);
    if (v > 0) state.lastSeen = v * 4;
  }
  const bar2 = indexWithin(h, '|', last, valEnd);
  if (bar2 !== valEnd && valEnd - bar2 > 5) {
    const v = decodeS30(h, bar2 + 1);
    if (v > 0) state.firstSeen = v * 4;
  }
  return bar;
}

/** Index of `c` in `h[from, to)`, or `to`, like a bounded memchr. */
function indexWithin(h: string, c: string, from: number, to: number): number {
  const i = h.indexOf(c, from);
  return i < 0 || i >= to ? to : i;
}

/**
 * HAProxy's `http_del_hdr_value`: removes `h[from, next)` where `from` is the
 * start of the line or a delimiter and `next` a delimiter or the end. Inside
 * the line, the delimiter at `next` is kept and followed by exactly one space
 * (`a=1;X=s1;b=2` -> `a=1; b=2`); spaces before `from` are dropped.
 */
function deleteHeaderValue(h: string, from: number, next: number): { h: string; delta: number } {
  const end = h.length;
  let prev = from;
  let kept = '';
  if (prev === 0) {
    if (next < end) next++;
    while (next < end && isSpHt(h[next])) next++;
  } else {
    while (prev > 0 && isSpHt(h[prev - 1])) prev--;
    if (next < end) {
      kept = h[next]!;
      next++;
      if (prev + 1 + 1 < next) kept += ' ';
      while (next < end && isSpHt(h[next])) next++;
    }
  }
  return { h: h.slice(0, prev) + kept + h.slice(next), delta: prev + kept.length - next };
}
