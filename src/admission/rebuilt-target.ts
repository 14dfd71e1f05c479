/**
 * The request-target on runtimes that give no raw one. Deno's `serve` and the
 * Workers runtime hand over a Fetch `Request` whose URL they built from the
 * Host header and the target. Deno writes them side by side, unparsed
 * (observed, Deno 2.9: `GET /stats/../x` with `Host: a` is `http://a/stats/../x`,
 * and `GET /public` with `Host: a/admin/y?` is `http://a/admin/y?/public`),
 * so the target is what follows `scheme://` + Host. haproxy 2.6 does not
 * check Host's characters (observed: that request is routed and forwarded as
 * `GET /public`), so neither is it refused here. Any other URL is read by its
 * authority, which Host must name (an absolute-form target naming another
 * host than Host gets haproxy's 400 too); when Host is not an authority
 * (RFC 3986 §3.2) the real target cannot be told apart from the path and the
 * request gets haproxy's 400 page: it can never be routed on a path that Host
 * made up.
 */

const SCHEME_AND_AUTHORITY = /^([a-z][a-z0-9+.-]*:)\/\/([^/?#]*)/i;
const AUTHORITY = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]*)(?::[0-9]*)?$/;

/**
 * The request-target (origin form) of a runtime-built request URL, or
 * undefined when it cannot be known (see above). `headers` are the request's
 * lines; the first `host` line is Host.
 */
export function originFormOfRebuiltUrl(url: string, headers: readonly (readonly [string, string])[]): string | undefined {
  const match = SCHEME_AND_AUTHORITY.exec(url);
  if (!match) return undefined;
  const [prefix, scheme, authority] = match as unknown as [string, string, string];
  const host = headers.find(([name]) => name.length === 4 && name.toLowerCase() === 'host')?.[1].trim();
  if (host !== undefined) {
    const asSent = `${scheme}//${host}`;
    if (url.startsWith(asSent) && url.charCodeAt(asSent.length) === 0x2f /* '/' */) return url.slice(asSent.length);
    if (!AUTHORITY.test(host) || !sameAuthority(scheme, authority, host)) return undefined;
  }
  const rest = url.slice(prefix.length);
  return rest.startsWith('/') ? rest : `/${rest}`;
}

/** `A:80` names `a` for http: host names ignore case, the scheme's default port may be left out. */
function sameAuthority(scheme: string, a: string, b: string): boolean {
  try {
    return new URL(`${scheme}//${a}`).host === new URL(`${scheme}//${b}`).host;
  } catch {
    return false;
  }
}
