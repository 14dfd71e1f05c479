/**
 * `http-request use-service prometheus-exporter`: the metrics of every proxy,
 * as HAProxy's exporter serves them, whatever the request's path. The same
 * rendering as a stats page's `;prometheus` (./render-prometheus.ts), as a
 * ready page the admission step's `answer` runtimes already send.
 */
import type { BalancerState } from '../balancer/balancer-state.ts';
import type { ErrorResponse } from '../proxy/error-pages.ts';
import { collectStats } from './collect.ts';
import { renderPrometheus } from './render-prometheus.ts';

export function prometheusPage(state: BalancerState, now: number): ErrorResponse {
  const body = renderPrometheus(collectStats(state, { now }));
  return {
    status: 200,
    headers: [
      ['cache-control', 'no-cache'],
      ['content-type', 'text/plain; version=0.0.4'],
      ['content-length', String(new TextEncoder().encode(body).length)],
    ],
    body,
  };
}
