/**
 * Hand-made configs and deps for the stats tests: the seed's stats section
 * (`listen stats` with realm and two users) and a `listen app` with two
 * checked servers and a backup, as the HAProxy-syntax text would give them.
 */
import type { Backend, Config, Frontend, Server, StatsConfig } from '../../src/config/types.ts';
import type { BalancerDeps, Logger } from '../../src/deps.ts';
import type { HealthState, HealthStore } from '../../src/health/types.ts';

export const SEED_USERS = [
  { user: 'A_Username', password: 'YourPassword' },
  { user: 'Another_User', password: 'passwd' },
] as const;

export function statsConfig(overrides: Partial<StatsConfig> = {}): StatsConfig {
  return {
    enabled: true,
    uri: '/',
    realm: 'Strictly Private',
    users: SEED_USERS,
    hideVersion: false,
    showLegends: false,
    admin: true,
    // These tests compare each answer with haproxy's, which answers failed
    // logins at once; the throttle has its own tests (login-throttle*.test.ts).
    loginThrottle: false,
    ...overrides,
  };
}

export function server(name: string, port: number, overrides: Partial<Server> = {}): Server {
  return {
    name,
    host: '127.0.0.1',
    port,
    weight: 1,
    cookie: name,
    backup: false,
    disabled: false,
    check: { inter: 2000, fastinter: 2000, downinter: 2000, rise: 2, fall: 3 },
    source: { file: 'test.cfg', line: 20 },
    ...overrides,
  };
}

function listen(name: string, line: number, port: number, servers: Server[], stats?: StatsConfig): { frontend: Frontend; backend: Backend } {
  const source = { file: 'test.cfg', line };
  return {
    frontend: {
      name,
      isListen: true,
      binds: [{ host: '127.0.0.1', port }],
      defaultBackend: name,
      useBackend: [],
      connectionMode: 'keep-alive',
      timeouts: { connect: 5000, client: 30000, server: 30000 },
      ...(stats ? { stats } : {}),
      source,
    },
    backend: {
      name,
      balance: 'roundrobin',
      servers,
      allBackups: false,
      redispatch: false,
      retries: 3,
      connectionMode: 'keep-alive',
      timeouts: { connect: 5000, client: 30000, server: 30000 },
      errorFiles: [],
      ...(stats ? { stats } : {}),
      source,
    },
  };
}

/** `listen stats` (port `statsPort`) then `listen app` (port `appPort`) with `servers`. */
export function seedConfig(
  statsPort: number,
  appPort: number,
  servers: Server[],
  stats: StatsConfig = statsConfig(),
  appStats?: StatsConfig,
): Config {
  const a = listen('stats', 1, statsPort, [], stats);
  const b = listen('app', 10, appPort, servers, appStats);
  return { frontends: [a.frontend, b.frontend], backends: [a.backend, b.backend] };
}

export class MapHealthStore implements HealthStore {
  readonly states = new Map<string, HealthState>();
  get(key: string): HealthState | undefined {
    return this.states.get(key);
  }
  set(key: string, state: HealthState): void {
    this.states.set(key, state);
  }
}

export interface TestDeps extends BalancerDeps {
  readonly messages: string[];
  readonly healthStore: MapHealthStore;
  readonly clock: { now(): number; advance(ms: number): void };
}

/** Deps for in-process tests: a settable clock, a captured log, no upstream. */
export function testDeps(start = Date.UTC(2024, 0, 1)): TestDeps {
  let now = start;
  const messages: string[] = [];
  const logger: Logger = { info: (m) => messages.push(m), warn: (m) => messages.push(m), access: () => {} };
  return {
    messages,
    healthStore: new MapHealthStore(),
    clock: { now: () => now, advance: (ms) => void (now += ms) },
    timers: { setTimeout: () => () => {} },
    logger,
    upstream: {
      request: () => Promise.reject(new Error('no upstream in this test')),
    },
    tcpProbe: { connect: () => Promise.reject(new Error('no probes in this test')) },
  };
}

export function health(partial: Partial<HealthState> & Pick<HealthState, 'health' | 'up'>): HealthState {
  return { lastChange: Date.UTC(2024, 0, 1), downtime: 0, chkfail: 0, chkdown: 0, ...partial };
}

export function basic(user: string, password: string): string {
  return 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
}

/**
 * A stand-in for BalancerState with the same shape as far as stats reads it
 * (config, frontends, backends with counters, health and admin state), for
 * unit tests of the pure collect/render functions.
 */
import type { AdminState } from '../../src/balancer/admin-state.ts';
import type { BalancerState } from '../../src/balancer/balancer-state.ts';
import type { BackendRuntime } from '../../src/balancer/backend-runtime.ts';
import { newCounters, type TrafficCounters } from '../../src/balancer/counters.ts';
import { initialAdminState, serverKey } from '../../src/balancer/availability.ts';

export function fakeState(config: Config, store: HealthStore, startedAt: number): BalancerState {
  const backends = new Map(
    config.backends.map((backend) => {
      const admin: AdminState[] = backend.servers.map(initialAdminState);
      const keys = backend.servers.map((s) => serverKey(backend.name, s.name));
      const runtime = {
        backend,
        keys,
        servers: backend.servers,
        serverCounters: backend.servers.map(() => newCounters()) as TrafficCounters[],
        counters: newCounters(),
        health: (i: number) => store.get(keys[i]!),
        admin: (i: number) => admin[i]!,
        setAdmin: (i: number, state: AdminState) => void (admin[i] = state),
      };
      return [backend.name, runtime as unknown as BackendRuntime] as const;
    }),
  );
  const frontends = new Map(config.frontends.map((f) => [f.name, { frontend: f, counters: newCounters() }] as const));
  return { config, startedAt, frontends, backends } as unknown as BalancerState;
}
