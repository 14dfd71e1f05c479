/**
 * Everything live in one balancer: each frontend with its counters, each
 * backend's runtime. The proxy and the stats page read and update the same
 * objects.
 */
import type { Backend, Config, Frontend } from '../config/types.ts';
import type { HealthStore } from '../health/types.ts';
import { BackendRuntime } from './backend-runtime.ts';
import { newCounters, type TrafficCounters } from './counters.ts';

export interface FrontendRuntime {
  readonly frontend: Frontend;
  readonly counters: TrafficCounters;
}

export class BalancerState {
  readonly config: Config;
  /** ms since epoch when this balancer started (stats' uptime). */
  readonly startedAt: number;
  readonly frontends: ReadonlyMap<string, FrontendRuntime>;
  readonly backends: ReadonlyMap<string, BackendRuntime>;
  /** Each backend's configuration by name, as the rule steps look them up. */
  readonly backendSections: ReadonlyMap<string, Backend>;
  /** The environment for `env(NAME)`: the runtime's (BalancerDeps.environment) as the `global` section changed it. */
  readonly environment: ((name: string) => string | undefined) | undefined;

  constructor(config: Config, health: HealthStore, startedAt: number, environment?: (name: string) => string | undefined) {
    this.config = config;
    this.environment = withGlobalChanges(environment, config.global?.environment);
    this.startedAt = startedAt;
    this.frontends = new Map(config.frontends.map((f) => [f.name, { frontend: f, counters: newCounters() }]));
    this.backends = new Map(config.backends.map((b) => [b.name, new BackendRuntime(b, health)]));
    this.backendSections = new Map(config.backends.map((b) => [b.name, b]));
  }
}

function withGlobalChanges(
  environment: ((name: string) => string | undefined) | undefined,
  changes: Readonly<Record<string, string | null>> | undefined,
): ((name: string) => string | undefined) | undefined {
  if (!changes) return environment;
  return (name) => (Object.hasOwn(changes, name) ? (changes[name] ?? undefined) : environment?.(name));
}
