/**
 * Core pinning: every proxy on core 0, the load generator and the backends
 * on the other core(s), so proxies are compared on the same single core.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

const hasTaskset = spawnSync('taskset', ['--version']).status === 0;
const cores = availableParallelism();

export const PROXY_CORE = '0';
export const LOAD_CORES = cores > 1 ? `1-${cores - 1}` : '0';

/** `[command, args]` run under `taskset` for the given role, when taskset exists. */
export function pinned(role: 'proxy' | 'load', argv: readonly string[]): [string, string[]] {
  if (!hasTaskset) return [argv[0]!, argv.slice(1)];
  return ['taskset', ['-c', role === 'proxy' ? PROXY_CORE : LOAD_CORES, ...argv]];
}
