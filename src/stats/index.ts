/** Stats: collect counters as data, render HTML / CSV / JSON / Prometheus, authenticate, administer. */
export { createStatsService, type StatsService, type StatsServiceOptions } from './stats-service.ts';
export { collectStats, statsRows, type ProxyStats, type StatsRow, type StatsFields, type CollectOptions } from './collect.ts';
export { renderCsv } from './render-csv.ts';
export { renderJson, typedFields, type TypedField } from './render-json.ts';
export { renderPrometheus } from './render-prometheus.ts';
export { renderDashboard } from './dashboard.tsx';
export { isStatsRequest, parseStatsRequest, type StatsRequest, type StatsFormat } from './stats-request.ts';
export { statsAuth, unauthorizedResponse, UNAUTHORIZED_BODY } from './auth.ts';
export { applyAdminRequest, parseAdminForm, parseAdminJson, CsrfTokens, type AdminRequest, type AdminResult } from './admin.ts';
export { serverStatusText, backendWeights, backendStatusText } from './server-status.ts';
export { CSV_FIELDS, type StatsFieldName } from './fields.ts';
