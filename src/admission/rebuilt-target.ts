/**
 * The request-target on runtimes that give no raw one. `Deno.serve` and the
 * Workers runtime hand over a Fetch `Request` whose URL they built from the
 * Host header and the target: with `GET /public` and `Host: a/admin/y?` Deno's
 * URL is `http://a/admin/y?/public`, whose path is not what the client asked
 * for. haproxy 2.6 forwards that request as `GET /public` with the odd Host
 * (observed: it does not check Host's characters), so it can route on the
 * real path; here the real path cannot be told apart, so such a Host gets
 * haproxy's 400 page instead: a Host that is not an authority
 * (RFC 3986 §3.2: `[v6]`, or reg-name characters, then `:port`), or one that
 * does not name the URL's own host and port (an absolute-form target naming
 * another host, which haproxy refuses too).
 */

const AUTHORITY = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]*)(?::[0-9]*)?$/;

/**
 * The origin-form target (`/path?query`) of a runtime-built request URL, or
 * undefined when Host (the first `host` line of `headers`) may have changed
 * what the URL's path says. The URL's path is normalised (`/a/../b` is `/b`):
 * the runtime removed the dot segments before the balancer sees the request.
 */
export function originFormOfRebuiltUrl(url: string, headers: readonly (readonly [string, string])[]): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const host = headers.find(([name]) => name.toLowerCase() === 'host')?.[1].trim();
  if (host !== undefined) {
    if (!AUTHORITY.test(host)) return undefined;
    let named: URL;
    try {
      named = new URL(`${parsed.protocol}//${host}`);
    } catch {
      return undefined;
    }
    if (named.host !== parsed.host) return undefined;
  }
  return parsed.pathname + parsed.search;
}
