/**
 * The mutable state of one section while its lines are read, and how a
 * `defaults` section seeds the sections after it. HAProxy 2.6 copies the
 * current defaults into each new proxy (`proxy_preset_defaults` +
 * `proxy_defproxy_cpy`); a new `defaults` section starts from scratch instead
 * of adding to the previous one (observed: a second, empty `defaults` drops
 * the timeouts of the first).
 */
import type { BindOptions } from './bind-options.ts';
import type { HttpRule } from '../rules/actions.ts';
import type { Condition } from '../rules/condition.ts';
import type { LogFormat } from '../rules/log-format.ts';
import type {
  AclTest,
  BalanceAlgorithm,
  Bind,
  ConnectionMode,
  CookiePolicy,
  ErrorFile,
  ForwardFor,
  Server,
  SourceLocation,
  StatsAuthUser,
  UseBackendRule,
} from './types.ts';

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
}

export interface StatsDraft {
  uri: string;
  realm: string;
  users: StatsAuthUser[];
  refresh?: number;
  hideVersion: boolean;
  showLegends: boolean;
  admin: boolean;
  /** `stats scope` lines, in order, with where they are (unknown names get a notice). */
  scope?: Located<string>[];
}

export interface TimeoutsDraft {
  client?: number;
  httpRequest?: number;
  httpKeepAlive?: number;
  connect?: number;
  server?: number;
  check?: number;
  tunnel?: number;
}

export interface Located<T> {
  readonly value: T;
  readonly source: SourceLocation;
}

export interface BindDraft extends Bind {
  readonly options?: BindOptions;
}

export interface ProxyDraft {
  readonly kind: SectionKind;
  readonly name: string;
  readonly source: SourceLocation;
  mode?: Located<string>;
  /** `bind` lines: addresses with their options as written (global TLS defaults apply in build-config.ts). */
  binds: BindDraft[];
  defaultBackend?: Located<string>;
  /** Named ACLs; several lines with one name are ORed. */
  acls: Map<string, AclTest[]>;
  useBackend: UseBackendRule[];
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
  expectStatus?: Located<number>;
  errorFiles: ErrorFile[];
  httpRequestRules: HttpRule[];
  httpResponseRules: HttpRule[];
  redirectRules: HttpRule[];
  monitorUri?: string;
  monitorFail?: Condition;
  uniqueIdFormat?: LogFormat;
  uniqueIdHeader?: string;
  preferLastServer: boolean;
  /** Userlists and backends named inside rules (`http_auth(L)`, `nbsrv(B)`), checked once all sections are read. */
  references: { kind: 'userlist' | 'backend'; name: string; source: SourceLocation }[];
}

/** HAProxy 2.6 defaults: inter 2s, rise 2, fall 3, weight 1 (fastinter/downinter follow inter). */
export function defaultServerSettings(): ServerSettings {
  return { weight: 1, check: false, rise: 2, fall: 3, backup: false, disabled: false };
}

export function defaultStats(): StatsDraft {
  // HAProxy's STATS_DEFAULT_URI and STATS_DEFAULT_REALM.
  return { uri: '/haproxy?stats', realm: 'HAProxy Statistics', users: [], hideVersion: false, showLegends: false, admin: false };
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
  draft.defaultServer = { ...defaults.defaultServer };
  if (defaults.cookie) draft.cookie = defaults.cookie;
  draft.allBackups = defaults.allBackups;
  draft.redispatch = defaults.redispatch;
  draft.retries = defaults.retries;
  if (defaults.httpCheck) draft.httpCheck = { ...defaults.httpCheck };
  if (defaults.expectStatus) draft.expectStatus = defaults.expectStatus;
  if (defaults.httpCheckSend) draft.httpCheckSend = defaults.httpCheckSend;
  draft.errorFiles = [...defaults.errorFiles];
  if (defaults.monitorUri !== undefined) draft.monitorUri = defaults.monitorUri;
  if (defaults.uniqueIdFormat) draft.uniqueIdFormat = defaults.uniqueIdFormat;
  if (defaults.uniqueIdHeader !== undefined) draft.uniqueIdHeader = defaults.uniqueIdHeader;
  draft.preferLastServer = defaults.preferLastServer;
  return draft;
}

export const hasFrontendCapability = (kind: SectionKind) => kind !== 'backend';
export const hasBackendCapability = (kind: SectionKind) => kind !== 'frontend';
