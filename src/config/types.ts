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
import type { SampleExpr } from '../rules/sample.ts';
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
  /** `ssl-server-verify none|required`: a server's `verify` when its line has none (HAProxy: required). */
  readonly sslServerVerify?: 'none' | 'required';
  /** `ca-base DIR`: prefix of relative `ca-file` paths. */
  readonly caBase?: string;
  /** `crt-base DIR`: prefix of relative `crt` and `crt-list` paths. */
  readonly crtBase?: string;
  /** `ssl-default-server-options` and `-ciphers`/`-ciphersuites`: what a server's TLS starts from. */
  readonly sslDefaultServer?: TlsProtocolSettings;
  /** `ssl-default-bind-options`, `-ciphers`, `-ciphersuites`: what every TLS bind starts from. */
  readonly sslDefaultBind?: SslDefaultBind;
  /**
   * `nbthread N` (1–64): HAProxy's threads. The Node command runs N worker
   * processes sharing the listeners (adapters/node/cluster-primary.ts); other
   * runtimes serve from one process and say so.
   */
  readonly nbthread?: number;
  /**
   * The environment changes `setenv`, `presetenv`, `unsetenv` and `resetenv`
   * made (null: removed), over the runtime's own, as `env(NAME)` reads them.
   */
  readonly environment?: Readonly<Record<string, string | null>>;
}

/** `global ssl-default-bind-*`: what every TLS bind starts from (its own options override them). */
export interface SslDefaultBind extends TlsProtocolSettings {
  /** Versions its `no-tlsvXX` words disable. */
  readonly disabled?: readonly TlsVersion[];
  readonly noTlsTickets?: boolean;
  readonly preferClientCiphers?: boolean;
}

/** TLS protocol versions as HAProxy names them in `ssl-min-ver` / `ssl-max-ver`. */
export type TlsVersion = 'SSLv3' | 'TLSv1.0' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

/** Protocol versions and ciphers (HAProxy's `ssl-min-ver`, `ssl-max-ver`, `no-tlsv1x`, `ciphers`, `ciphersuites`). */
export interface TlsProtocolSettings {
  readonly minVersion?: TlsVersion;
  readonly maxVersion?: TlsVersion;
  /** OpenSSL cipher list for TLS 1.2 and below. */
  readonly ciphers?: string;
  /** TLS 1.3 cipher suites. */
  readonly ciphersuites?: string;
}

/**
 * How a server (or its health check) is reached over TLS: `ssl` on a
 * `server` line, `check-ssl` for the check. HAProxy 2.6's rules: `verify
 * required` (the default) checks the chain against `ca-file` and, when a name
 * is known (`sni`'s value, else `verifyhost`), the certificate's names;
 * without a name, names are not checked.
 */
export interface ServerTls extends TlsProtocolSettings {
  readonly verify: boolean;
  /** `ca-file`, after `ca-base`; `@system-ca` for the platform's roots. */
  readonly caFile?: string;
  /** The CA certificates (PEM) read from `caFile` at load; absent where the loader reads no files (Workers). */
  readonly ca?: string;
  /** `crt`: client certificate, its chain and key, after `crt-base`. */
  readonly crtFile?: string;
  /** The PEM read from `crtFile` at load. */
  readonly crt?: string;
  /** `sni EXPR`: the SNI sent, evaluated per request (HAProxy sends none without it). */
  readonly sni?: SampleExpr;
  /** `verifyhost NAME`: the name checked when no SNI was sent (health checks too). */
  readonly verifyHost?: string;
  /** `alpn`: protocols offered (HTTP/1.x only: edge-balancer speaks HTTP/1.1 to servers). */
  readonly alpn?: readonly string[];
  /** `check-sni NAME`: the SNI of health checks (checks never evaluate `sni`). */
  readonly checkSni?: string;
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

/** HAProxy 2.6's `compression algo` names. */
export type CompressionAlgorithm = 'identity' | 'gzip' | 'deflate' | 'raw-deflate';

/**
 * `compression algo|type|offload` of one proxy (HAProxy's `struct comp`).
 * Lists are in HAProxy's order, the last one named first: its parser
 * prepends, and that order decides `Accept-Encoding: *` (observed: `algo gzip
 * deflate` answers `*` with deflate).
 */
export interface Compression {
  /** Empty when this proxy only says `type` or `offload` (the frontend's algorithms then apply). */
  readonly algorithms: readonly CompressionAlgorithm[];
  /** Content-Type prefixes, compared case-insensitively; empty: any type but `multipart/*`. */
  readonly types: readonly string[];
  /** `compression offload`: the server does not see the client's Accept-Encoding when the balancer compresses. */
  readonly offload: boolean;
}

export interface Bind {
  /** '' for all addresses (`bind :8080`), otherwise an IPv4/IPv6 literal or a host name. */
  readonly host: string;
  readonly port: number;
  /** `bind … ssl crt …`: the listener terminates TLS. */
  readonly tls?: BindTls;
  /** `name N`: the listener's name (HAProxy shows it in stats sockets). */
  readonly name?: string;
}

/**
 * A path named by a configuration line. Reading it is I/O, so the runtime
 * adapter does it and reports a broken file at `source` (file and line).
 */
export interface ConfiguredPath {
  /** `crt-base` already applied where HAProxy applies it; other relative paths are relative to the working directory, as in HAProxy. */
  readonly path: string;
  readonly source: SourceLocation;
}

/**
 * How a TLS bind terminates TLS, `global ssl-default-bind-*` defaults
 * applied. The certificate files are loaded by the adapter
 * (adapters/node/certificate-store.ts).
 */
export interface BindTls {
  /** `crt PEM|DIR`, in order: a file, or a directory whose PEM files load in name order. */
  readonly certificates: readonly ConfiguredPath[];
  /** `crt-list FILE`: one certificate per line, optionally restricted to SNI filters. */
  readonly certificateLists: readonly ConfiguredPath[];
  /** `global crt-base`, which HAProxy also applies to the relative paths inside a crt-list. */
  readonly crtBase?: string;
  /** `alpn h2,http/1.1`; absent: no ALPN (HTTP/1.1 only), as in HAProxy. */
  readonly alpn?: readonly string[];
  /** Lowest version accepted: HAProxy 2.6's default is TLSv1.2. */
  readonly minVersion: TlsVersion;
  /** Highest version accepted. */
  readonly maxVersion: TlsVersion;
  /** `ciphers` (TLSv1.2 and lower), OpenSSL syntax. */
  readonly ciphers?: string;
  /** `ciphersuites` (TLSv1.3), OpenSSL syntax. */
  readonly ciphersuites?: string;
  /** `curves`: the ECDHE groups, OpenSSL syntax (`X25519:P-256`). */
  readonly curves?: string;
  /** `strict-sni`: a handshake without a matching SNI is refused instead of getting the default certificate. */
  readonly strictSni: boolean;
  /** `no-tls-tickets`: no stateless session resumption. */
  readonly noTlsTickets: boolean;
  /** `prefer-client-ciphers`: the client's cipher order wins (HAProxy prefers the server's by default). */
  readonly preferClientCiphers: boolean;
  /** The `bind` line, for messages about the listener as a whole. */
  readonly source: SourceLocation;
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
  /**
   * `timeout tarpit`: how long `http-request tarpit` holds a request before
   * answering; HAProxy uses the same proxy's `timeout connect` when unset.
   */
  readonly tarpit?: number;
}

/** Every field of Timeouts, for the readers that copy them. */
export const TIMEOUT_FIELDS = ['client', 'httpRequest', 'httpKeepAlive', 'connect', 'server', 'check', 'tunnel', 'tarpit'] as const;

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
  readonly compression?: Compression;
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

/** `option httpchk [METHOD] [URI]` plus its `http-check send|expect|disable-on-404` lines. */
export interface HttpCheck {
  readonly method: string;
  readonly uri: string;
  /** `http-check send … ver HTTP/1.1 hdr NAME VALUE`: header lines of the check request. */
  readonly headers?: readonly (readonly [string, string])[];
  /**
   * `http-check expect` lines, in order; every one must pass. Without any,
   * HAProxy's implicit `http-check expect status 200-399` applies.
   */
  readonly expect?: readonly HttpCheckExpect[];
  /** `http-check disable-on-404`: a running server answering 404 stops taking new clients (NOLB). */
  readonly disableOn404?: boolean;
}

/**
 * One `http-check expect [!] KIND PATTERN` (HAProxy 2.6). `inverse` is the
 * `!`. Statuses are HAProxy's list of codes and ranges (`200,302-304`);
 * regexes search (unanchored) the status code or the body; `string` looks
 * for the text in the body; `header` tests the response's header lines.
 */
export type HttpCheckExpect = { readonly inverse: boolean } & (
  | { readonly kind: 'status'; readonly ranges: readonly (readonly [number, number])[] }
  | { readonly kind: 'rstatus'; readonly regex: RegExp }
  | { readonly kind: 'string'; readonly text: string }
  | { readonly kind: 'rstring'; readonly regex: RegExp }
  | {
      readonly kind: 'header';
      readonly name: HeaderMatch;
      /** Absent: the header's presence is enough. */
      readonly value?: HeaderMatch;
      /** `fhdr`: the whole line is one value (`hdr` splits it at commas). */
      readonly fullLine: boolean;
    }
);

/** `-m str|beg|end|sub|reg` and the pattern, as `http-check expect hdr` matches a header name or value. */
export type HeaderMatch =
  | { readonly method: 'str' | 'beg' | 'end' | 'sub'; readonly text: string }
  | { readonly method: 'reg'; readonly regex: RegExp };

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
  /**
   * Present when the check runs over TLS: `check-ssl`, or `ssl` without
   * `port`/`addr` (HAProxy: a TCP check becomes a TLS handshake, L6OK/L6RSP).
   */
  readonly tls?: ServerTls;
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
  /** `ssl`: requests go to the server over TLS. */
  readonly tls?: ServerTls;
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
  /** The backend's `compression` lines; its algorithms and types win over the frontend's. */
  readonly compression?: Compression;
  /** `option prefer-last-server`: accepted; the balancer does not reuse server connections per client, so it changes nothing (as haproxy with `http-reuse safe`). */
  readonly preferLastServer?: boolean;
  /**
   * `option abortonclose`: a client that closes its side of the connection
   * (FIN or close) while the server has not answered yet aborts the server's
   * request at once, and gets HAProxy's 400 (log `CH`). Without it, as in
   * HAProxy, the request waits for its response (or `timeout server`).
   */
  readonly abortOnClose?: boolean;
  readonly source: SourceLocation;
}
