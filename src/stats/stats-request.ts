/**
 * Which requests a stats section answers, and the options in its URI.
 * HAProxy (http_stats_check_uri, 2.6) intercepts GET, HEAD and POST whose URI
 * starts with `stats uri` — compared against the path *and query* of the
 * request, so the default `/haproxy?stats` works and `stats uri /` takes every
 * path. Options follow anywhere after that prefix: `;csv`, `;json`, `;up`,
 * `;no-maint`, `;norefresh`, `;st=DONE`; edge-balancer adds `;prometheus`.
 */
import type { StatsConfig } from '../config/types.ts';

export type StatsFormat = 'html' | 'csv' | 'json' | 'prometheus';

export interface StatsRequest {
  readonly format: StatsFormat;
  readonly hideDown: boolean;
  readonly hideMaint: boolean;
  readonly noRefresh: boolean;
  /** `;st=XXX`: the result of the last admin action, shown as a banner. */
  readonly actionResult?: string;
}

const INTERCEPTED_METHODS = new Set(['GET', 'HEAD', 'POST']);

/** True when this request is for the stats page of a section with `stats`. */
export function isStatsRequest(stats: StatsConfig | undefined, method: string, target: string): stats is StatsConfig {
  if (!stats?.enabled || !INTERCEPTED_METHODS.has(method)) return false;
  if (stats.prometheusPath !== undefined && pathOf(target) === stats.prometheusPath) return true;
  return target.startsWith(stats.uri);
}

export function parseStatsRequest(stats: StatsConfig, target: string): StatsRequest {
  if (stats.prometheusPath !== undefined && pathOf(target) === stats.prometheusPath && !target.startsWith(stats.uri)) {
    return { format: 'prometheus', hideDown: false, hideMaint: false, noRefresh: true };
  }
  const rest = target.slice(stats.uri.length);
  const format: StatsFormat = rest.includes(';csv')
    ? 'csv'
    : rest.includes(';json')
      ? 'json'
      : rest.includes(';prometheus')
        ? 'prometheus'
        : 'html';
  const st = /;st=([A-Z]{1,8})/.exec(rest)?.[1];
  return {
    format,
    hideDown: rest.includes(';up'),
    hideMaint: rest.includes(';no-maint'),
    noRefresh: rest.includes(';norefresh'),
    ...(st ? { actionResult: st } : {}),
  };
}

/** The stats URI with options appended, for links and redirects. */
export function statsLink(stats: StatsConfig, request: Pick<StatsRequest, 'hideDown' | 'noRefresh'>, extra = ''): string {
  return stats.uri + (request.hideDown ? ';up' : '') + (request.noRefresh ? ';norefresh' : '') + extra;
}

function pathOf(target: string): string {
  const q = target.indexOf('?');
  return q < 0 ? target : target.slice(0, q);
}
