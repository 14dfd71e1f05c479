/**
 * Reading an HTTP message the way HAProxy's HTTP fetches do: the parts of
 * the request-target, header values split at commas (outside quotes, with
 * the spaces around each value trimmed), and cookies.
 */

type HeaderLines = readonly (readonly [string, string])[];

/**
 * The path of a request-target as `path` returns it: up to the `?`, and for
 * an absolute-form target (`GET http://host/x`) from the slash after the
 * authority (`/` when there is none).
 */
export function targetPath(target: string): string {
  const end = target.indexOf('?');
  // The usual origin form needs no look for an authority.
  if (target.charCodeAt(0) === 0x2f /* '/' */) return end < 0 ? target : target.slice(0, end);
  const path = end < 0 ? target : target.slice(0, end);
  const authority = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(path);
  return authority ? path.slice(authority[0].length) || '/' : path;
}

/** The query string without the `?`; undefined when the target has no `?` (the fetch fails). */
export function targetQuery(target: string): string | undefined {
  const start = target.indexOf('?');
  return start < 0 ? undefined : target.slice(start + 1);
}

/** The target from the path on (`set-path` keeps whatever precedes it in an absolute-form target). */
export function splitTarget(target: string): { authority: string; path: string; query: string | undefined } {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/[^/?]*/i.exec(target)?.[0] ?? '';
  const rest = target.slice(authority.length);
  const q = rest.indexOf('?');
  return { authority, path: q < 0 ? rest : rest.slice(0, q), query: q < 0 ? undefined : rest.slice(q + 1) };
}

/**
 * Splits one header value at commas, as HAProxy's `http_find_header()` does
 * for `hdr()`: commas inside double quotes do not split, and spaces and tabs
 * around each value are dropped.
 */
export function splitHeaderValue(value: string): string[] {
  if (value.indexOf(',') < 0) return [trimLws(value)];
  const values: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '"') quoted = !quoted;
    else if (c === '\\' && quoted) i++;
    else if (c === ',' && !quoted) {
      values.push(trimLws(value.slice(start, i)));
      start = i + 1;
    }
  }
  values.push(trimLws(value.slice(start)));
  return values;
}

export function trimLws(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isLws(text.charCodeAt(start))) start++;
  while (end > start && isLws(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

const isLws = (code: number) => code === 0x20 || code === 0x09;

/**
 * The ASCII characters String.prototype.trim removes (space, tab, CR, LF,
 * VT, FF): what the proxy trims around the items of a list header
 * (Connection) when it scans them in place.
 */
export const isTrimmedSpace = (code: number) => code === 0x20 || (code >= 0x09 && code <= 0x0d);

/**
 * Calls `visit(value, from, to, context)` for each comma-separated item of a
 * list header's value (`value[from, to)`, ASCII spaces around it trimmed,
 * empty items skipped) until it returns true; returns whether one did. The
 * items are scanned in place: no split, no copies (every request's
 * Connection line goes through this).
 */
export function someListItem<C>(value: string, context: C, visit: (value: string, from: number, to: number, context: C) => boolean): boolean {
  for (let start = 0; start <= value.length; ) {
    let end = value.indexOf(',', start);
    if (end < 0) end = value.length;
    let from = start;
    let to = end;
    while (from < to && isTrimmedSpace(value.charCodeAt(from))) from++;
    while (to > from && isTrimmedSpace(value.charCodeAt(to - 1))) to--;
    if (to > from && visit(value, from, to, context)) return true;
    start = end + 1;
  }
  return false;
}

/**
 * True when the header name `name` is `wanted`, ASCII case ignored as
 * HAProxy compares names (strncasecmp), without building lower-cased copies:
 * the rules and the proxy ask this of every line.
 */
export function isHeaderNamed(name: string, wanted: string): boolean {
  if (name.length !== wanted.length) return false;
  if (name === wanted) return true;
  for (let i = 0; i < name.length; i++) {
    let a = name.charCodeAt(i);
    let b = wanted.charCodeAt(i);
    if (a >= 0x41 && a <= 0x5a) a |= 0x20;
    if (b >= 0x41 && b <= 0x5a) b |= 0x20;
    if (a !== b) return false;
  }
  return true;
}

/** `name` '' means every header (HAProxy's `hdr()` without a name). */
function linesNamed(headers: HeaderLines, name: string): string[] {
  const lower = name.toLowerCase();
  const values: string[] = [];
  for (const [n, v] of headers) if (lower === '' || isHeaderNamed(n, lower)) values.push(v);
  return values;
}

/** Every value of `name`, comma-split (`hdr`), or every full line value (`fhdr`). */
export function headerValues(headers: HeaderLines, name: string, full: boolean): string[] {
  const lines = linesNamed(headers, name);
  return full ? lines.map(trimLws) : lines.flatMap(splitHeaderValue);
}

/**
 * HAProxy's occurrence argument: 1 the first, -1 the last, 0 or none "all"
 * (the ACL default; a sample expression without it takes the last one).
 */
export function pickOccurrence(values: readonly string[], occurrence: number | undefined): string[] {
  if (occurrence === undefined || occurrence === 0) return [...values];
  const index = occurrence > 0 ? occurrence - 1 : values.length + occurrence;
  const value = values[index];
  return value === undefined ? [] : [value];
}

/**
 * Cookies of `Cookie` lines as HAProxy's `req.cook()` reads them: pairs
 * separated by `;` (and `,` for old clients), name and value trimmed; a pair
 * without `=` has no value and is skipped.
 */
export function requestCookies(headers: HeaderLines): [string, string][] {
  const cookies: [string, string][] = [];
  for (const line of linesNamed(headers, 'cookie')) {
    for (const pair of line.split(/[;,]/)) {
      const eq = pair.indexOf('=');
      if (eq < 0) continue;
      const name = trimLws(pair.slice(0, eq));
      if (name !== '') cookies.push([name, trimLws(pair.slice(eq + 1))]);
    }
  }
  return cookies;
}

/** `res.cook()`: the first `name=value` pair of each `Set-Cookie` line. */
export function responseCookies(headers: HeaderLines): [string, string][] {
  const cookies: [string, string][] = [];
  for (const line of linesNamed(headers, 'set-cookie')) {
    const first = line.split(';', 1)[0]!;
    const eq = first.indexOf('=');
    if (eq > 0) cookies.push([trimLws(first.slice(0, eq)), trimLws(first.slice(eq + 1))]);
  }
  return cookies;
}

/** `url_param(NAME[,DELIM])`: values of NAME in the query string, in order. */
export function queryParameters(query: string | undefined, name: string, delimiter = '&'): string[] {
  if (query === undefined) return [];
  const values: string[] = [];
  for (const pair of query.split(delimiter)) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    if (key === name || (name === '' && key !== '')) values.push(eq < 0 ? '' : pair.slice(eq + 1));
  }
  return values;
}
