/**
 * Who may see a stats section: `stats auth user:password` lines (HTTP Basic,
 * via Hono's basic-auth middleware: constant-time comparison, malformed
 * headers treated as missing) and, optionally, a JWT verified with jose
 * against a JWKS URL (how Cloudflare Access protects an app). Refusals are
 * HAProxy's own 401 page, byte for byte (observed on haproxy 2.6.12).
 */
import type { Context, MiddlewareHandler } from 'hono';
import { basicAuth } from 'hono/basic-auth';
import { auth as parseBasicAuth } from 'hono/utils/basic-auth';
import { HTTPException } from 'hono/http-exception';
import type { createRemoteJWKSet, jwtVerify } from 'jose';
import type { StatsConfig } from '../config/types.ts';
import type { Clock, Timers } from '../deps.ts';
import { DEFAULT_LOGIN_THROTTLE, LoginThrottle } from './login-throttle.ts';

export interface StatsAuthVariables {
  /** The authenticated user: a `stats auth` name, the JWT's email or subject, or '' when the section has no auth. */
  statsUser: string;
}

/** The stats app's environment: the client's address (for the login throttle) and the authenticated user. */
export type StatsAuthEnv = { Bindings: { clientAddress?: string }; Variables: StatsAuthVariables };

/** HAProxy's 401 body (http_err_msgs[HTTP_ERR_401]). */
export const UNAUTHORIZED_BODY =
  '<html><body><h1>401 Unauthorized</h1>\nYou need a valid user and password to access this content.\n</body></html>\n';

/**
 * HAProxy answers `401` with `Cache-Control: no-cache`, `Content-Type:
 * text/html` and `WWW-Authenticate: Basic realm="<realm>"` (the realm's
 * escaped spaces already resolved, nothing re-escaped). `Connection: close` is
 * only added for HTTP/1.0 clients, which the adapter's server does by itself.
 */
export function unauthorizedResponse(stats: StatsConfig): Response {
  const scheme = stats.users.length > 0 || !stats.jwt ? 'Basic' : 'Bearer';
  return new Response(UNAUTHORIZED_BODY, {
    status: 401,
    headers: {
      'cache-control': 'no-cache',
      'content-type': 'text/html',
      'www-authenticate': `${scheme} realm="${stats.realm}"`,
    },
  });
}

/** The JWT a request carries: Cloudflare Access's header first, then a bearer token. */
export function requestJwt(request: Request): string | undefined {
  const assertion = request.headers.get('cf-access-jwt-assertion')?.trim();
  if (assertion) return assertion;
  const match = /^\s*Bearer\s+([A-Za-z0-9_.~+/=-]+)\s*$/i.exec(request.headers.get('authorization') ?? '');
  return match?.[1];
}

export interface StatsAuthDeps {
  readonly clock: Clock;
  readonly timers: Timers;
}

/**
 * Lets through requests with valid credentials; answers the others with
 * HAProxy's 401. Failed attempts (credentials sent but wrong) go through the
 * section's login throttle, keyed on the client address the adapter passed.
 */
export function statsAuth(stats: StatsConfig, deps: StatsAuthDeps): MiddlewareHandler<StatsAuthEnv> {
  const [first, ...others] = stats.users.map((u) => ({ username: u.user, password: u.password }));
  const basic = first
    ? basicAuth({ ...first, realm: stats.realm, onAuthSuccess: (c, username) => c.set('statsUser', username) }, ...others)
    : undefined;
  const jwt = stats.jwt;
  const keys = jwt ? jwtKeys(new URL(jwt.jwksUrl)) : undefined;
  const throttle = stats.loginThrottle === false ? undefined : new LoginThrottle(stats.loginThrottle ?? DEFAULT_LOGIN_THROTTLE);
  const hold = (ms: number) => new Promise<void>((resolve) => deps.timers.setTimeout(resolve, ms));

  /** The user the credentials name, false when they are wrong, undefined when none were sent. */
  async function authenticate(c: Context<StatsAuthEnv>): Promise<string | false | undefined> {
    const token = keys ? requestJwt(c.req.raw) : undefined;
    if (token && keys && jwt) {
      try {
        const { jwtVerify, getKey } = await keys();
        const { payload } = await jwtVerify(token, getKey, { issuer: jwt.issuer, audience: [...toArray(jwt.audience)] });
        return String(payload.email ?? payload.sub ?? 'jwt');
      } catch {
        return false;
      }
    }
    if (!c.req.header('authorization')) return undefined;
    if (!basic) return false;
    let user: string | false = false;
    try {
      // basic-auth calls next() only for valid credentials; the real next() runs after the throttle's bookkeeping.
      await basic(c, async () => void (user = c.get('statsUser')));
    } catch (error) {
      // basic-auth refuses by throwing a 401 HTTPException with its own page; ours is HAProxy's.
      if (!(error instanceof HTTPException && error.status === 401)) throw error;
    }
    return user;
  }

  return async (c, next) => {
    if (!basic && !keys) {
      c.set('statsUser', '');
      return next();
    }
    const address = c.env?.clientAddress ?? '';
    const blocked = throttle?.blockedFor(address, deps.clock.now()) ?? 0;
    if (blocked > 0) {
      await hold(blocked);
      return unauthorizedResponse(stats);
    }
    const user = await authenticate(c);
    if (user === undefined) return unauthorizedResponse(stats);
    if (user === false) {
      // Counted against the user name tried, so that another user's success does not forgive it.
      const tried = keys && requestJwt(c.req.raw) ? undefined : basicAuthUser(c.req.raw);
      const delay = throttle?.failed(address, deps.clock.now(), tried) ?? 0;
      if (delay > 0) await hold(delay);
      return unauthorizedResponse(stats);
    }
    throttle?.succeeded(address, user);
    c.set('statsUser', user);
    return next();
  };
}

/** The user name of a Basic `Authorization` header, undefined when there is none or it is malformed. */
function basicAuthUser(request: Request): string | undefined {
  return parseBasicAuth(request)?.username;
}

interface JwtVerifier {
  readonly jwtVerify: typeof jwtVerify;
  readonly getKey: ReturnType<typeof createRemoteJWKSet>;
}

/**
 * jose, imported on the first token: only sections that accept JWTs load it
 * (about 3 MB of resident memory the others never pay). Its key set is cached
 * and refetched when a token names an unknown key (with a cooldown).
 */
function jwtKeys(jwksUrl: URL): () => Promise<JwtVerifier> {
  let loaded: Promise<JwtVerifier> | undefined;
  return () => (loaded ??= import('jose').then((jose) => ({ jwtVerify: jose.jwtVerify, getKey: jose.createRemoteJWKSet(jwksUrl) })));
}

function toArray(value: string | readonly string[]): readonly string[] {
  return typeof value === 'string' ? [value] : value;
}
