/**
 * Turns the caller's SelectionView into HAProxy's pending ("next") server
 * state, so each algorithm can run its own update hooks on what changed —
 * what `srv_update_status()` does when a check or the admin changes a server.
 */
import type { LbServer } from './lb-server.ts';
import type { SelectionView } from './types.ts';

/**
 * Writes the view into `next*`/`served` and returns the servers whose state
 * or weight changed, in declaration order. `toEweight` maps a user weight to
 * the algorithm's effective weight; `configuredWeights` fill gaps in the view.
 */
export function stageView<S extends LbServer>(
  servers: readonly S[],
  view: SelectionView,
  configuredWeights: readonly number[],
  toEweight: (userWeight: number, index: number) => number,
): S[] {
  // Nothing to stage: keeps a request O(1) in the pool size (see BackendRuntime).
  if (view.unchanged) return [];
  const changed: S[] = [];
  for (const server of servers) {
    const i = server.index;
    server.nextUp = view.usable[i] ?? false;
    server.nextEweight = toEweight(view.weights[i] ?? configuredWeights[i] ?? 0, i);
    server.served = view.activeConnections[i] ?? 0;
    if (server.statusChanged()) changed.push(server);
  }
  return changed;
}
