/**
 * `stats scope`: which proxies a stats section shows and administers. As
 * HAProxy 2.6 (stats_dump_proxy_to_buffer): with no `stats scope` line every
 * proxy; otherwise the proxies named exactly by one of the lines, `.` naming
 * the section that holds the `stats` lines. Names that match no proxy show
 * nothing. The same filter applies to every format (HTML, CSV, JSON and
 * Prometheus) and to admin actions, so a section scoped to one customer can
 * neither see nor change another's servers.
 */
import type { StatsConfig } from '../config/types.ts';

/** Whether proxy `name` is in the scope of `stats`, whose lines belong to section `owner`. */
export function inStatsScope(stats: Pick<StatsConfig, 'scope'>, owner: string, name: string): boolean {
  const scope = stats.scope;
  if (scope === undefined || scope.length === 0) return true;
  return scope.some((entry) => entry === name || (entry === '.' && name === owner));
}
