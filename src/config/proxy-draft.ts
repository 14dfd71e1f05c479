/**
 * The mutable state of one section while its lines are read, and how a
 * `defaults` section seeds the sections after it. HAProxy 2.6 copies the
 * current defaults into each new proxy (`proxy_preset_defaults` +
 * `proxy_defproxy_cpy`); a new `defaults` section starts from scratch instead
 * of adding to the previous one (observed: a second, empty `defaults` drops
 * the timeouts of the first).
 *
 * Both readers fill these drafts (parse-haproxy.ts from text, from-object.ts
 * from a plain object) and hand them to the one validation pass
 * (validate-config.ts). The defaults below are HAProxy 2.6's and are written
 * only here.
 */
import type { BindOptions } from './bind-options.ts';
import type { HttpRule } from '../rules/actions.ts';
import type { Condition } from '../rules/condition.ts';
import type { LogFormat } from '../rules/log-format.ts';
import type { ServerTlsDraft } from './server-tls-options.ts';
import type {
  AclTest,
  BalanceAlgorithm,
  CompressionAlgorithm,
  Bind,
  ConnectionMode,
  CookiePolicy,
  ErrorFile,
  ForwardFor,
  HttpCheckExpect,
  LoginThrottleConfig,
  Server,
  ServerTls,
  SourceLocation,
  StatsAuthUser,
  StatsJwtConfig,
  UseBackendRule,
} from './types.ts';

export const BALANCE_ALGORITHMS: readonly BalanceAlgorithm[] = ['roundrobin', 'static-rr', 'leastconn', 'first', 'random'];
/** HAProxy's check interval when a server has no `inter`. */
export const DEFAULT_CHECK_INTERVAL = 2000;

export type SectionKind = 'defaults' | 'frontend' | 'backend' | 'listen';

/** Settings a `server` line starts from: HAProxy's defaults, then `default-server` lines. */
export interface ServerSettings {
  weight: number;
  cookie?: string;
  check: boolean;
  inter?: number;
  fastinter?: number;
  downinter?: number;
  rise: number;
  fall: number;
  port?: number;
  addr?: string;
  backup: boolean;
  disabled: boolean;
  maxconn?: number;
  /** `ssl`, `verify`, `ca-file`… as the lines said them; resolved per server line. */
  tls: ServerTlsDraft;
}

export interface StatsDraft {
  /** Any `stats` line enables the page; an object config may say `enabled: false`. */
  enabled: boolean;
  uri: string;
  realm: string;
  users: StatsAuthUser[];
  refresh?: number;
  hideVersion: boolean;
  showLegends: boolean;
  admin: boolean;
  /** `stats scope` lines, in order, with where they are (unknown names get a notice). */
  scope?: Located<string>[];
  /** Settings with no HAProxy directive, from an object config only. */
  adminTokenKey?: string;
  jwt?: StatsJwtConfig;
  prometheusPath?: string;
  loginThrottle?: LoginThrottleConfig | false;
}

export interface TimeoutsDraft {
  client?: number;
  httpRequest?: number;
  httpKeepAlive?: number;
  connect?: number;
  server?: number;
  check?: number;
  tunnel?: number;
  tarpit?: number;
}

export interface Located<T> {
  readonly value: T;
  readonly source: SourceLocation;
  /** Object configs: where the value is (`frontends[0].defaultBackend`), named in messages instead of the directive. */
  readonly path?: string;
}

export interface BindDraft extends Bind {
  readonly options?: BindOptions;
}

export interface ProxyDraft {
  readonly kind: SectionKind;
  readonly name: string;
  readonly source: SourceLocation;
  /** Object configs: the section's path (`frontends[0]`), named in messages instead of its line. */
  readonly path?: string;
  /**
   * Object configs: a listen's backend side, when it is a `backends[]` entry
   * of its own (its settings may differ from the frontend entry's). Absent:
   * this draft is both sides, as a `listen` section of HAProxy text is.
   */
  separateBackend?: ProxyDraft;
  mode?: Located<string>;
  /** `bind` lines: addresses with their options as written (global TLS defaults apply in build-config.ts). */
  binds: BindDraft[];
  defaultBackend?: Located<string>;
  /** Named ACLs; several lines with one name are ORed. */
  acls: Map<string, AclTest[]>;
  useBackend: Located<UseBackendRule>[];
  forwardFor?: ForwardFor;
  connectionMode: ConnectionMode;
  timeouts: TimeoutsDraft;
  stats?: StatsDraft;
  /** Frontend `maxconn`; 0 is "unset" as in HAProxy. */
  maxconn: number;
  balance: BalanceAlgorithm;
  defaultServer: ServerSettings;
  servers: Server[];
  cookie?: Located<CookiePolicy>;
  allBackups: boolean;
  redispatch: boolean;
  retries: number;
  httpCheck?: { method: string; uri: string };
  /** `http-check send`: applied over `option httpchk`'s request. */
  httpCheckSend?: Located<{ method?: string; uri?: string; headers?: [string, string][] }>;
  /** `http-check expect` lines; `inherited` until the proxy writes its own (they replace the defaults' list, as HAProxy's rule sets do). */
  httpCheckExpect?: Located<HttpCheckExpect[]> & { inherited: boolean };
  /** `http-check disable-on-404` (a proxy option in HAProxy, inherited from defaults). */
  disableOn404?: Located<true>;
  errorFiles: ErrorFile[];
  httpRequestRules: HttpRule[];
  httpResponseRules: HttpRule[];
  redirectRules: HttpRule[];
  monitorUri?: string;
  monitorFail?: Condition;
  uniqueIdFormat?: LogFormat;
  uniqueIdHeader?: string;
  preferLastServer: boolean;
  /** `option abortonclose` */
  abortOnClose: boolean;
  compression?: { algorithms: CompressionAlgorithm[]; types: string[]; offload: boolean };
  /** Userlists and backends named inside rules (`http_auth(L)`, `nbsrv(B)`), checked once all sections are read. */
  references: { kind: 'userlist' | 'backend'; name: string; source: SourceLocation; path?: string }[];
}

/** HAProxy 2.6 defaults: inter 2s, rise 2, fall 3, weight 1 (fastinter/downinter follow inter). */
export function defaultServerSettings(): ServerSettings {
  return { weight: 1, check: false, rise: 2, fall: 3, backup: false, disabled: false, tls: {} };
}

export function defaultStats(): StatsDraft {
  // HAProxy's STATS_DEFAULT_URI and STATS_DEFAULT_REALM.
  return { enabled: true, uri: '/haproxy?stats', realm: 'HAProxy Statistics', users: [], hideVersion: false, showLegends: false, admin: false };
}

/**
 * A `server` from its settings: a check's `fastinter` and `downinter` follow
 * `inter` unless set; `tls` is what resolveServerTls made of its TLS keywords.
 */
export function serverFromSettings(
  name: string,
  address: { host: string; port: number },
  settings: ServerSettings,
  source: SourceLocation,
  tls: { readonly traffic?: ServerTls; readonly check?: ServerTls } = {},
): Server {
  const inter = settings.inter ?? DEFAULT_CHECK_INTERVAL;
  return {
    name,
    host: address.host,
    port: address.port,
    weight: settings.weight,
    ...(settings.cookie !== undefined ? { cookie: settings.cookie } : {}),
    backup: settings.backup,
    disabled: settings.disabled,
    ...(settings.maxconn !== undefined ? { maxconn: settings.maxconn } : {}),
    ...(settings.check
      ? {
          check: {
            inter,
            fastinter: settings.fastinter ?? inter,
            downinter: settings.downinter ?? inter,
            rise: settings.rise,
            fall: settings.fall,
            ...(settings.port !== undefined ? { port: settings.port } : {}),
            ...(settings.addr !== undefined ? { addr: settings.addr } : {}),
            ...(tls.check ? { tls: tls.check } : {}),
          },
        }
      : {}),
    ...(tls.traffic ? { tls: tls.traffic } : {}),
    source,
  };
}

/** As in HAProxy, a timeout of 0 means "not set" (it then warns about missing timeouts). */
export function setTimeoutValue(timeouts: TimeoutsDraft, field: keyof TimeoutsDraft, ms: number): void {
  if (ms === 0) delete timeouts[field];
  else timeouts[field] = ms;
}

export function emptyDraft(kind: SectionKind, name: string, source: SourceLocation): ProxyDraft {
  return {
    kind,
    name,
    source,
    binds: [],
    acls: new Map(),
    useBackend: [],
    connectionMode: 'keep-alive',
    timeouts: {},
    maxconn: 0,
    balance: 'roundrobin',
    defaultServer: defaultServerSettings(),
    servers: [],
    allBackups: false,
    redispatch: false,
    retries: 3,
    errorFiles: [],
    references: [],
    httpRequestRules: [],
    httpResponseRules: [],
    redirectRules: [],
    preferLastServer: false,
    abortOnClose: false,
  };
}

/**
 * A new section seeded from `defaults`. Binds, ACLs, `use_backend` rules and
 * servers are never inherited (HAProxy rejects them in `defaults`).
 */
export function draftFromDefaults(defaults: ProxyDraft | undefined, kind: SectionKind, name: string, source: SourceLocation): ProxyDraft {
  const draft = emptyDraft(kind, name, source);
  if (!defaults) return draft;
  if (defaults.mode) draft.mode = defaults.mode;
  if (defaults.defaultBackend) draft.defaultBackend = defaults.defaultBackend;
  if (defaults.forwardFor) draft.forwardFor = defaults.forwardFor;
  draft.connectionMode = defaults.connectionMode;
  draft.timeouts = { ...defaults.timeouts };
  draft.maxconn = defaults.maxconn;
  if (defaults.stats) draft.stats = { ...defaults.stats, users: [...defaults.stats.users] };
  draft.balance = defaults.balance;
  draft.defaultServer = { ...defaults.defaultServer, tls: { ...defaults.defaultServer.tls } };
  if (defaults.cookie) draft.cookie = defaults.cookie;
  draft.allBackups = defaults.allBackups;
  draft.redispatch = defaults.redispatch;
  draft.retries = defaults.retries;
  if (defaults.httpCheck) draft.httpCheck = { ...defaults.httpCheck };
  if (defaults.httpCheckExpect) draft.httpCheckExpect = { ...defaults.httpCheckExpect, inherited: true };
  if (defaults.disableOn404) draft.disableOn404 = defaults.disableOn404;
  if (defaults.httpCheckSend) draft.httpCheckSend = defaults.httpCheckSend;
  draft.errorFiles = [...defaults.errorFiles];
  if (defaults.monitorUri !== undefined) draft.monitorUri = defaults.monitorUri;
  if (defaults.uniqueIdFormat) draft.uniqueIdFormat = defaults.uniqueIdFormat;
  if (defaults.uniqueIdHeader !== undefined) draft.uniqueIdHeader = defaults.uniqueIdHeader;
  draft.preferLastServer = defaults.preferLastServer;
  draft.abortOnClose = defaults.abortOnClose;
  // HAProxy copies the algorithms and types of `defaults`, never `offload` (proxy.c).
  if (defaults.compression) draft.compression = { algorithms: [...defaults.compression.algorithms], types: [...defaults.compression.types], offload: false };
  return draft;
}

export const hasFrontendCapability = (kind: SectionKind) => kind !== 'backend';
export const hasBackendCapability = (kind: SectionKind) => kind !== 'frontend';
