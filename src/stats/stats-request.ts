/**
 * Which requests a stats section answers, and the options in its URI.
 * HAProxy (http_stats_check_uri, 2.6) intercepts GET, HEAD and POST whose URI
 * starts with `stats uri` — compared byte for byte against the request-target
 * as received, from its path on: path *and query*, so the default
 * `/haproxy?stats` works and `stats uri /` takes every path; nothing is
 * normalised, so `/stats/../x` and `/stats/%2e%2e/x` are stats requests; for
 * an absolute-form target (`GET http://host/stats`) the part after the
 * authority is compared (observed on 2.6.12: all three answered 401 by the
 * stats page). Options follow anywhere after that prefix: `;csv`, `;json`,
 * `;up`, `;no-maint`, `;norefresh`, `;st=DONE`; edge-balancer adds
 * `;prometheus`.
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

/** `scheme://authority` at the start of an absolute-form target (http_parse_scheme, http_parse_authority). */
const SCHEME_AND_AUTHORITY = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i;

/**
 * The part of `target` that `stats uri` is compared with: with a `stats uri`
 * starting with `/`, HAProxy's `http_parse_path` — the target itself in origin
 * form, after the authority in absolute form, nothing for `*` or an
 * authority-form target; otherwise the whole target.
 */
export function statsComparedUri(stats: StatsConfig, target: string): string {
  if (target.startsWith('/') || !stats.uri.startsWith('/')) return target;
  const authority = SCHEME_AND_AUTHORITY.exec(target);
  return authority ? target.slice(authority[0].length) : '';
}

/** True when this request is for the stats page of a section with `stats`. */
export function isStatsRequest(stats: StatsConfig | undefined, method: string, target: string): stats is StatsConfig {
  if (!stats?.enabled || !INTERCEPTED_METHODS.has(method)) return false;
  const uri = statsComparedUri(stats, target);
  if (stats.prometheusPath !== undefined && pathOf(uri) === stats.prometheusPath) return true;
  return uri.startsWith(stats.uri);
}

export function parseStatsRequest(stats: StatsConfig, target: string): StatsRequest {
  const uri = statsComparedUri(stats, target);
  if (stats.prometheusPath !== undefined && pathOf(uri) === stats.prometheusPath && !uri.startsWith(stats.uri)) {
    return { format: 'prometheus', hideDown: false, hideMaint: false, noRefresh: true };
  }
  const rest = uri.slice(stats.uri.length);
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
