/** The Worker's bindings (wrangler.toml) and how the configuration is read from them. */
import { parseHaproxyConfig, type Config, type StatsConfig } from '../../src/index.ts';
import bundledConfig from './edge-balancer.cfg';
import type { HealthObject } from './health-object.ts';

export interface Env {
  /** The configuration text; when unset, the file bundled at build time. */
  readonly EDGE_BALANCER_CONFIG?: string;
  /** Secret: `user:password` lines added to every stats section (never in the committed file). */
  readonly STATS_AUTH?: string;
  /** How old an isolate's health snapshot may get before it is refreshed, ms (default 1000). */
  readonly HEALTH_SNAPSHOT_MS?: string;
  /** The Durable Object that owns health state; without it each isolate keeps its own. */
  readonly HEALTH?: DurableObjectNamespace<HealthObject>;
}

/** Adds the secret's users; a stats section left without any credential is switched off rather than served open. */
function withSecretUsers(stats: StatsConfig | undefined, secret: string | undefined): StatsConfig | undefined {
  if (!stats) return stats;
  const users = (secret ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.includes(':'))
    .map((line) => ({ user: line.slice(0, line.indexOf(':')), password: line.slice(line.indexOf(':') + 1) }));
  const all = [...stats.users, ...users];
  return { ...stats, users: all, enabled: stats.enabled && (all.length > 0 || stats.jwt !== undefined) };
}

/** Parses the configuration once per isolate; errors name the source and line like the CLI's. */
export function loadConfig(env: Env): Config {
  const text = env.EDGE_BALANCER_CONFIG ?? bundledConfig;
  const file = env.EDGE_BALANCER_CONFIG ? 'EDGE_BALANCER_CONFIG' : 'edge-balancer.cfg';
  // `${NAME}` in addresses is expanded from the Worker's variables, as haproxy expands its environment's.
  const vars = Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  const { config } = parseHaproxyConfig([{ file, text }], { env: vars });
  return {
    ...config,
    frontends: config.frontends.map((f) => ({ ...f, stats: withSecretUsers(f.stats, env.STATS_AUTH) })),
    backends: config.backends.map((b) => ({ ...b, stats: withSecretUsers(b.stats, env.STATS_AUTH) })),
  };
}
