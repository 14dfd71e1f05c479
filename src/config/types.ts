/**
 * The validated configuration: what HAProxy-syntax files and JSON objects both
 * become. Parsed once at start-up and frozen; the request path never parses
 * configuration text. Durations are milliseconds; `undefined` means "not set"
 * (for timeouts: no limit, as HAProxy does when a timeout is missing).
 */
import type { AclTest } from '../rules/acl.ts';
import type { AclTerm, Condition } from '../rules/condition.ts';
import type { HttpRule } from '../rules/actions.ts';
import type { LogFormat } from '../rules/log-format.ts';
import type { Userlist } from '../rules/userlist.ts';

export type { HttpRule, LogFormat, Userlist };

/** Where a section or directive came from, so run-time messages can point at it. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
}

export interface Config {
  /** `frontend` and `listen` sections, in file order. */
  readonly frontends: readonly Frontend[];
  /** `backend` and `listen` sections, in file order (a `listen` is both). */
  readonly backends: readonly Backend[];
  /** The `global` settings that act; absent when none is set. */
  readonly global?: GlobalSettings;
  /** `userlist` sections, for `http_auth()` and `http_auth_group()`. */
  readonly userlists?: readonly Userlist[];
}

/**
 * Process-wide connection limits of the `global` section. The runtime adapter
 * turns them into the limits it enforces (adapters/node/connection-budget.ts):
 * unset values are derived from the process's descriptor limit, as HAProxy does.
 */
export interface GlobalSettings {
  /** `maxconn N`: client connections open at once, all frontends together (HAProxy's `actconn`). */
  readonly maxconn?: number;
  /** `ulimit-n N`: the descriptors the process may use. */
  readonly ulimitN?: number;
  /**
   * `nbthread N` (1–64): HAProxy's threads. The Node command runs N worker
   * processes sharing the listeners (adapters/node/cluster-primary.ts); other
   * runtimes serve from one process and say so.
   */
  readonly nbthread?: number;
}

/**
 * The rules of a frontend or backend, in HAProxy's order of evaluation:
 * `http-request` rules, then the old `redirect` lines; `http-response` rules.
 * Absent lists are empty.
 */
export interface ProxyRules {
  readonly httpRequestRules?: readonly HttpRule[];
  readonly redirectRules?: readonly HttpRule[];
  readonly httpResponseRules?: readonly HttpRule[];
}

export interface Bind {
  /** '' for all addresses (`bind :8080`), otherwise an IPv4/IPv6 literal or a host name. */
  readonly host: string;
  readonly port: number;
}

/** `option httpclose` / `http-server-close` / `http-keep-alive` (the default). */
export type ConnectionMode = 'keep-alive' | 'server-close' | 'close';

export interface ForwardFor {
  /** `header NAME`; default `X-Forwarded-For`. */
  readonly header: string;
  /** `except NET`: client addresses that get no header, e.g. `127.0.0.0/8`. */
  readonly except?: string;
  /** `if-none`: only add the header when the request has none. */
  readonly ifNone: boolean;
}

export interface Timeouts {
  /** `timeout client`: inactivity on the client side. */
  readonly client?: number;
  /** `timeout http-request`: time to receive the complete request head. */
  readonly httpRequest?: number;
  /**
   * `timeout http-keep-alive`: how long an idle kept-alive connection waits
   * for its next request; HAProxy uses `http-request`, then `client`, when unset.
   */
  readonly httpKeepAlive?: number;
  /** `timeout connect`: time to establish the connection to a server. */
  readonly connect?: number;
  /** `timeout server`: time waiting for the server's response (head and each body chunk). */
  readonly server?: number;
  /** `timeout check`: read timeout of a health check (defaults to `inter`). */
  readonly check?: number;
  /**
   * `timeout tunnel`: inactivity limit of an upgraded connection (WebSocket)
   * after the 101, both sides; backend capability only. When unset HAProxy
   * uses the smaller of `timeout client` and `timeout server`.
   */
  readonly tunnel?: number;
}

/** Every field of Timeouts, for the readers that copy them. */
export const TIMEOUT_FIELDS = ['client', 'httpRequest', 'httpKeepAlive', 'connect', 'server', 'check', 'tunnel'] as const;

/** ACL tests and conditions are the rule engine's (src/rules/). */
export type { AclTest, AclTerm, Condition };

export interface UseBackendRule {
  readonly backend: string;
  readonly condition: Condition;
  readonly source: SourceLocation;
}

export interface StatsAuthUser {
  readonly user: string;
  readonly password: string;
}

/** `stats …` directives of a `listen` or `frontend`/`backend` section. */
export interface StatsConfig {
  readonly enabled: boolean;
  /** `stats uri`, default `/haproxy?stats`. */
  readonly uri: string;
  /** `stats realm` (backslash escapes already resolved), default `HAProxy Statistics`. */
  readonly realm: string;
  readonly users: readonly StatsAuthUser[];
  /** `stats refresh`, ms. */
  readonly refresh?: number;
  readonly hideVersion: boolean;
  readonly showLegends: boolean;
  /** `stats admin if TRUE` (only the unconditional form is supported). */
  readonly admin: boolean;
  /**
   * `stats scope` lines, in order: only these proxies are shown (every
   * format) and administered; `.` is the section that has these `stats`
   * lines. Absent: every proxy.
   */
  readonly scope?: readonly string[];
  /**
   * Not an HAProxy directive (JSON/object config only; on Workers the
   * `ADMIN_TOKEN_KEY` secret): the secret (32 characters or more) that signs
   * the admin form's token, for tokens that must be accepted by several
   * processes or isolates. Without it each balancer signs with a random key
   * of its own.
   */
  readonly adminTokenKey?: string;
  /**
   * Not an HAProxy directive (JSON/object config only): also accept a JWT from
   * `Authorization: Bearer` or `Cf-Access-Jwt-Assertion` (Cloudflare Access),
   * verified against a JWKS URL. With `users` too, either credential works.
   */
  readonly jwt?: StatsJwtConfig;
  /**
   * Not an HAProxy directive (JSON/object config only; HAProxy's way is
   * `http-request use-service prometheus-exporter if { path /metrics }`):
   * serve the Prometheus metrics at this exact path of the section, behind the
   * same authentication. `<uri>;prometheus` always works too.
   */
  readonly prometheusPath?: string;
  /**
   * Not an HAProxy directive (JSON/object config only): how failed logins
   * are slowed down (see src/stats/login-throttle.ts); `false` answers every
   * attempt at once, as HAProxy does. Default: 5 free failures, then 500 ms
   * doubling up to 10 s.
   */
  readonly loginThrottle?: LoginThrottleConfig | false;
}

export interface LoginThrottleConfig {
  /** Failures from one client answered without delay. */
  readonly freeFailures: number;
  /** Delay of the first slowed failure, ms; each further one doubles it. */
  readonly delay: number;
  /** Ceiling of the delay, ms. */
  readonly maxDelay: number;
}

export interface StatsJwtConfig {
  /** e.g. `https://<team>.cloudflareaccess.com/cdn-cgi/access/certs`. */
  readonly jwksUrl: string;
  readonly issuer: string;
  /** The application's audience tag(s); the token must carry one of them. */
  readonly audience: string | readonly string[];
}

export interface Frontend extends ProxyRules {
  readonly name: string;
  /** True when this came from a `listen` section (its backend has the same name). */
  readonly isListen: boolean;
  readonly binds: readonly Bind[];
  readonly defaultBackend?: string;
  readonly useBackend: readonly UseBackendRule[];
  readonly forwardFor?: ForwardFor;
  readonly connectionMode: ConnectionMode;
  readonly timeouts: Timeouts;
  readonly stats?: StatsConfig;
  /**
   * `maxconn N` (frontend, listen or defaults): client connections this
   * frontend keeps open at once; unset (or 0) means the global `maxconn`.
   */
  readonly maxconn?: number;
  /** `monitor-uri`: a request for exactly this target is answered by the balancer (200, or 503 with `monitor fail`). */
  readonly monitorUri?: string;
  /** `monitor fail if|unless …`: when it holds, `monitor-uri` answers 503. */
  readonly monitorFail?: Condition;
  /** `unique-id-format`: the request's ID (`%ID`, `unique-id`). */
  readonly uniqueIdFormat?: LogFormat;
  /** `unique-id-header NAME`: add the ID to the forwarded request under this name. */
  readonly uniqueIdHeader?: string;
  readonly source: SourceLocation;
}

export type BalanceAlgorithm = 'roundrobin' | 'static-rr' | 'leastconn' | 'first' | 'random';

export interface CookiePolicy {
  readonly name: string;
  readonly mode: 'insert' | 'prefix' | 'rewrite';
  readonly indirect: boolean;
  readonly nocache: boolean;
  readonly postonly: boolean;
  readonly preserve: boolean;
  readonly httponly: boolean;
  readonly secure: boolean;
  readonly domains: readonly string[];
  /** ms */
  readonly maxidle?: number;
  /** ms */
  readonly maxlife?: number;
  /** `attr X`, in order. */
  readonly attrs: readonly string[];
}

/** `option httpchk [METHOD] [URI]` plus `http-check expect status N`. */
export interface HttpCheck {
  readonly method: string;
  readonly uri: string;
  /** `http-check send … ver HTTP/1.1 hdr NAME VALUE`: header lines of the check request. */
  readonly headers?: readonly (readonly [string, string])[];
  /** When set, only this status passes; otherwise 2xx and 3xx pass. */
  readonly expectStatus?: number;
}

export interface ServerCheck {
  /** ms; defaults: inter 2000, fastinter = inter, downinter = inter. */
  readonly inter: number;
  readonly fastinter: number;
  readonly downinter: number;
  /** defaults 2 and 3. */
  readonly rise: number;
  readonly fall: number;
  /** `port N` / `addr A`: where the check connects instead of the server's address. */
  readonly port?: number;
  readonly addr?: string;
}

export interface Server {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** 0–256, default 1. */
  readonly weight: number;
  /** `cookie VALUE`; without it the server never takes part in cookie persistence. */
  readonly cookie?: string;
  readonly backup: boolean;
  /** `disabled`: starts in maintenance. */
  readonly disabled: boolean;
  /** `maxconn N`, used by `balance first`. */
  readonly maxconn?: number;
  /** Present when the server line has `check`. */
  readonly check?: ServerCheck;
  readonly source: SourceLocation;
}

export interface ErrorFile {
  readonly status: number;
  readonly path: string;
  /** The raw HTTP response read from `path` at load time. */
  readonly content: string;
}

export interface Backend extends ProxyRules {
  readonly name: string;
  readonly balance: BalanceAlgorithm;
  readonly servers: readonly Server[];
  readonly cookie?: CookiePolicy;
  readonly allBackups: boolean;
  readonly redispatch: boolean;
  /** `retries N`, default 3. */
  readonly retries: number;
  readonly httpCheck?: HttpCheck;
  readonly forwardFor?: ForwardFor;
  readonly connectionMode: ConnectionMode;
  readonly timeouts: Timeouts;
  readonly errorFiles: readonly ErrorFile[];
  readonly stats?: StatsConfig;
  /** `option prefer-last-server`: accepted; the balancer does not reuse server connections per client, so it changes nothing (as haproxy with `http-reuse safe`). */
  readonly preferLastServer?: boolean;
  readonly source: SourceLocation;
}
