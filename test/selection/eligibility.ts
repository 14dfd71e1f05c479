/**
 * Which servers HAProxy may pick for a view, independently of any algorithm
 * (recount_servers + the fbck rule), for property tests.
 */
import type { Backend } from '../../src/config/types.ts';
import type { SelectionView } from '../../src/selection/index.ts';

export function eligibleServers(backend: Backend, view: SelectionView): number[] {
  const usable = backend.servers
    .map((s, i) => ({ s, i }))
    .filter(({ i }) => view.usable[i] && (view.weights[i] ?? 0) > 0);
  const actives = usable.filter(({ s }) => !s.backup).map(({ i }) => i);
  if (actives.length) return actives;
  const backups = usable.filter(({ s }) => s.backup).map(({ i }) => i);
  return backend.allBackups ? backups : backups.slice(0, 1);
}
