/**
 * Cookie header lexing the way HAProxy does it (src/http.c, src/http_ana.c),
 * plus a small order-preserving parser/serializer.
 *
 * Why not hono/cookie's `parse`: it returns an object keyed by name, so it
 * drops duplicates and loses order, it URI-decodes and unquotes values, and it
 * skips names and values it considers invalid. Persistence must forward every
 * other cookie byte for byte and in order, exactly as HAProxy does, so this
 * module keeps raw values and positions.
 */

/** HAProxy's HTTP_IS_SPHT: space or horizontal tab. */
export function isSpHt(c: string | undefined): boolean {
  return c === ' ' || c === '\t';
}

/** True when a value cannot be forwarded safely: CR, LF or NUL would split or truncate a header. */
export function hasLineBreak(value: string): boolean {
  return /[\r\n\0]/.test(value);
}

/**
 * HAProxy's `http_find_cookie_value_end`: the index of the `,` or `;` that ends
 * the value starting at `from`, honouring double quotes and backslash pairs
 * inside them; `end` when there is none.
 */
export function findCookieValueEnd(s: string, from: number, end = s.length): number {
  let quoted = false;
  let qdpair = false;
  let i = from;
  for (; i < end; i++) {
    const c = s[i];
    if (qdpair) qdpair = false;
    else if (quoted) {
      if (c === '\\') qdpair = true;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ',' || c === ';') return i;
  }
  return i;
}

/**
 * Splits a comma-separated header value into trimmed elements, keeping quoted
 * strings whole, as HAProxy's `http_find_header(…, full=0)` walks them
 * (`http_find_hdr_value_end`). Used for Cache-Control.
 */
export function splitHeaderValues(value: string): string[] {
  const out: string[] = [];
  let start = 0;
  let quoted = false;
  let qdpair = false;
  for (let i = 0; i <= value.length; i++) {
    const c = value[i];
    if (i < value.length) {
      if (qdpair) { qdpair = false; continue; }
      if (quoted) {
        if (c === '\\') qdpair = true;
        else if (c === '"') quoted = false;
        continue;
      }
      if (c === '"') { quoted = true; continue; }
      if (c !== ',') continue;
    }
    out.push(trimLws(value.slice(start, i)));
    start = i + 1;
  }
  return out;
}

/** Strips spaces and tabs at both ends (HAProxy's view of a header value). */
export function trimLws(value: string): string {
  let a = 0;
  let b = value.length;
  while (a < b && isSpHt(value[a])) a++;
  while (b > a && isSpHt(value[b - 1])) b--;
  return a === 0 && b === value.length ? value : value.slice(a, b);
}

export interface CookiePair {
  readonly name: string;
  /** Raw value: not unquoted, not decoded. `undefined` for a bare `name` without `=`. */
  readonly value: string | undefined;
}

/**
 * Parses a `Cookie` request header value into pairs, in order, duplicates
 * kept, with HAProxy's delimiters (`;` and `,`) and spaces around `=` ignored.
 * Attributes starting with `$` (RFC 2109) are returned like any pair.
 */
export function parseCookieHeader(value: string): CookiePair[] {
  const out: CookiePair[] = [];
  const end = value.length;
  let prev = 0;
  let first = true;
  while (prev < end || first) {
    let attBeg = first ? prev : prev + 1;
    first = false;
    while (attBeg < end && isSpHt(value[attBeg])) attBeg++;
    let equal = attBeg;
    let attEnd = attBeg;
    while (equal < end) {
      const c = value[equal];
      if (c === '=' || c === ',' || c === ';') break;
      equal++;
      if (!isSpHt(c)) attEnd = equal;
    }
    let next: number;
    if (equal < end && value[equal] === '=') {
      let valBeg = equal + 1;
      while (valBeg < end && isSpHt(value[valBeg])) valBeg++;
      next = findCookieValueEnd(value, valBeg, end);
      let valEnd = next;
      while (valEnd > valBeg && isSpHt(value[valEnd - 1])) valEnd--;
      out.push({ name: value.slice(attBeg, attEnd), value: value.slice(valBeg, valEnd) });
    } else {
      next = equal;
      if (attEnd > attBeg) out.push({ name: value.slice(attBeg, attEnd), value: undefined });
    }
    prev = next;
  }
  return out;
}

/** Serializes pairs as a `Cookie` header value, joined by `; ` as HAProxy and browsers do. */
export function serializeCookieHeader(pairs: readonly CookiePair[]): string {
  return pairs.map((p) => (p.value === undefined ? p.name : `${p.name}=${p.value}`)).join('; ');
}

export interface SetCookieParts {
  readonly name: string;
  readonly value: string;
  /** Everything after the value, verbatim (usually `; Path=/; HttpOnly`). */
  readonly rest: string;
}

/**
 * Splits a `Set-Cookie` value into name, value and the rest, the way HAProxy
 * reads the first cookie of the line: the value ends at the first unquoted `;`
 * or `,`. `undefined` when there is no `=` before the first `;`.
 */
export function splitSetCookie(value: string): SetCookieParts | undefined {
  const end = value.length;
  let attBeg = 0;
  while (attBeg < end && isSpHt(value[attBeg])) attBeg++;
  let equal = attBeg;
  let attEnd = attBeg;
  while (equal < end) {
    const c = value[equal];
    if (c === '=' || c === ';') break;
    equal++;
    if (!isSpHt(c)) attEnd = equal;
  }
  if (equal >= end || value[equal] !== '=') return undefined;
  let valBeg = equal + 1;
  while (valBeg < end && isSpHt(value[valBeg])) valBeg++;
  const next = findCookieValueEnd(value, valBeg, end);
  let valEnd = next;
  while (valEnd > valBeg && isSpHt(value[valEnd - 1])) valEnd--;
  return { name: value.slice(attBeg, attEnd), value: value.slice(valBeg, valEnd), rest: value.slice(valEnd) };
}
