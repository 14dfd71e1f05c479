/** Backends and views for the selection tests. */
import type { BalanceAlgorithm, Backend, Server } from '../../src/config/types.ts';
import type { SelectionView, ServerSelector } from '../../src/selection/index.ts';

export interface ServerSpec {
  readonly name: string;
  readonly weight?: number;
  readonly backup?: boolean;
  readonly disabled?: boolean;
  readonly maxconn?: number;
  readonly port?: number;
}

export function backendOf(balance: BalanceAlgorithm, specs: readonly ServerSpec[], allBackups = false, name = 'app'): Backend {
  const servers: Server[] = specs.map((s, i) => ({
    name: s.name,
    host: '127.0.0.1',
    port: s.port ?? 8000 + i,
    weight: s.weight ?? 1,
    backup: s.backup ?? false,
    disabled: s.disabled ?? false,
    maxconn: s.maxconn,
    source: { file: 'test', line: i + 1 },
  }));
  return {
    name, balance, servers, allBackups, redispatch: false, retries: 3,
    connectionMode: 'keep-alive', timeouts: {}, errorFiles: [], source: { file: 'test', line: 1 },
  };
}

/** Servers named s1, s2, … with these weights. */
export function weighted(balance: BalanceAlgorithm, weights: readonly number[]): Backend {
  return backendOf(balance, weights.map((weight, i) => ({ name: `s${i + 1}`, weight })));
}

/** The view of a backend as configured: usable unless `disabled`, configured weights, no connections. */
export function configuredView(backend: Backend): MutableView {
  return {
    usable: backend.servers.map((s) => !s.disabled),
    weights: backend.servers.map((s) => s.weight),
    activeConnections: backend.servers.map(() => 0),
  };
}

export interface MutableView extends SelectionView {
  usable: boolean[];
  weights: number[];
  activeConnections: number[];
}

/** `count` selections, as server names (`-` for none). */
export function names(selector: ServerSelector, backend: Backend, view: SelectionView, count: number, avoid?: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const index = selector.select(view, avoid);
    out.push(index === undefined ? '-' : backend.servers[index]!.name);
  }
  return out;
}
