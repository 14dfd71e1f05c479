/** The Worker's bindings (wrangler.toml) and how the configuration is read from them. */
import { serverTlsNotices } from '../command/server-tls-limits.ts';
import { MIN_ADMIN_TOKEN_KEY_LENGTH, parseHaproxyConfig, type Config, type StatsConfig } from '../../src/index.ts';
import bundledConfig from './edge-balancer.cfg';
import type { HealthObject } from './health-object.ts';

export interface Env {
  /** The configuration text; when unset, the file bundled at build time. */
  readonly EDGE_BALANCER_CONFIG?: string;
  /** Secret: `user:password` lines added to every stats section (never in the committed file). */
  readonly STATS_AUTH?: string;
  /**
   * Secret (32 characters or more): signs the stats admin form's token, so that a
   * page served by one isolate can post to another. Without it each isolate signs
   * with a random key of its own, and a form may be refused (`;st=DENY`) by another.
   */
  readonly ADMIN_TOKEN_KEY?: string;
  /** How old an isolate's health snapshot may get before it is refreshed, ms (default 1000). */
  readonly HEALTH_SNAPSHOT_MS?: string;
  /** The Durable Object that owns health state; without it each isolate keeps its own. */
  readonly HEALTH?: DurableObjectNamespace<HealthObject>;
}

/** `env(NAME)` in rules: the Worker's bindings that are strings (vars and secrets); others read as unset. */
export function stringBinding(env: Env): (name: string) => string | undefined {
  return (name) => {
    const value = (env as unknown as Record<string, unknown>)[name];
    return typeof value === 'string' ? value : undefined;
  };
}

/**
 * Adds the secrets: STATS_AUTH's users (a stats section left without any credential
 * is switched off rather than served open) and ADMIN_TOKEN_KEY.
 */
function withSecrets(stats: StatsConfig | undefined, env: Env): StatsConfig | undefined {
  if (!stats) return stats;
  const secret = env.STATS_AUTH;
  const tokenKey = env.ADMIN_TOKEN_KEY;
  if (tokenKey !== undefined && tokenKey.length < MIN_ADMIN_TOKEN_KEY_LENGTH) {
    throw new Error(`ADMIN_TOKEN_KEY: must be a secret of at least ${MIN_ADMIN_TOKEN_KEY_LENGTH} characters, got ${tokenKey.length}`);
  }
  const users = (secret ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.includes(':'))
    .map((line) => ({ user: line.slice(0, line.indexOf(':')), password: line.slice(line.indexOf(':') + 1) }));
  const all = [...stats.users, ...users];
  return {
    ...stats,
    users: all,
    enabled: stats.enabled && (all.length > 0 || stats.jwt !== undefined),
    ...(tokenKey !== undefined ? { adminTokenKey: tokenKey } : {}),
  };
}

/** Parses the configuration once per isolate; errors name the source and line like the CLI's. */
export function loadConfig(env: Env): Config {
  const text = env.EDGE_BALANCER_CONFIG ?? bundledConfig;
  const file = env.EDGE_BALANCER_CONFIG ? 'EDGE_BALANCER_CONFIG' : 'edge-balancer.cfg';
  // `${NAME}` in addresses is expanded from the Worker's variables, as haproxy expands its environment's.
  const vars = Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  const { config } = parseHaproxyConfig([{ file, text }], { env: vars });
  for (const notice of serverTlsNotices(config, 'Workers')) console.warn(`[NOTICE] ${notice}`);
  return {
    ...config,
    frontends: config.frontends.map((f) => ({ ...f, stats: withSecrets(f.stats, env) })),
    backends: config.backends.map((b) => ({ ...b, stats: withSecrets(b.stats, env) })),
  };
}
