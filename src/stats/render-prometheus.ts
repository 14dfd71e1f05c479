/**
 * Prometheus text exposition with the metric names, labels and help texts of
 * HAProxy's own exporter (`prometheus-exporter` service, 2.6): e.g.
 * `haproxy_server_status{proxy="app",server="s1",state="UP"} 1`,
 * `haproxy_backend_http_responses_total{proxy="app",code="2xx"} 4`.
 */
import type { ProxyStats, StatsRow } from './collect.ts';
import type { StatsFieldName } from './fields.ts';

type Scope = 'frontend' | 'backend' | 'server';

interface MetricDef {
  readonly name: string;
  readonly type: 'gauge' | 'counter';
  readonly help: string;
  readonly scopes: readonly Scope[];
  /** The stats field it reports, or a function for the labelled ones. */
  readonly field?: StatsFieldName;
  readonly seconds?: boolean;
  readonly samples?: (row: StatsRow) => readonly (readonly [Record<string, string>, number])[];
}

const ALL: readonly Scope[] = ['frontend', 'backend', 'server'];
const BE_SRV: readonly Scope[] = ['backend', 'server'];

const SERVER_STATES = ['DOWN', 'UP', 'MAINT', 'DRAIN', 'NOLB'] as const;
const CHECK_STATES = ['HANA', 'SOCKERR', 'L4OK', 'L4TOUT', 'L4CON', 'L6OK', 'L6TOUT', 'L6RSP', 'L7TOUT', 'L7RSP', 'L7OK', 'L7OKC', 'L7STS', 'PROCERR', 'PROCTOUT', 'PROCOK'] as const;
const RESPONSE_CLASSES = [
  ['1xx', 'hrsp_1xx'],
  ['2xx', 'hrsp_2xx'],
  ['3xx', 'hrsp_3xx'],
  ['4xx', 'hrsp_4xx'],
  ['5xx', 'hrsp_5xx'],
  ['other', 'hrsp_other'],
] as const;

/** `UP 1/3` counts as UP, `DOWN 1/2` as DOWN, `DRAIN 1/3` as DRAIN, `no check` as UP (as haproxy's exporter maps them). */
function serverState(status: string): string {
  if (status === 'no check') return 'UP';
  return status.split(' ')[0]!;
}

const METRICS: readonly MetricDef[] = [
  {
    name: 'status',
    type: 'gauge',
    help: 'Current status of the service, per state label value.',
    scopes: ALL,
    samples: (row) => {
      const status = String(row.fields.status ?? '');
      if (row.objType === 'Server') {
        const state = serverState(status);
        return SERVER_STATES.map((s) => [{ state: s }, s === state ? 1 : 0] as const);
      }
      const up = status === 'OPEN' || status === 'UP';
      return [
        [{ state: 'DOWN' }, up ? 0 : 1],
        [{ state: 'UP' }, up ? 1 : 0],
      ];
    },
  },
  { name: 'current_sessions', type: 'gauge', help: 'Number of current sessions on the frontend, backend or server', scopes: ALL, field: 'scur' },
  { name: 'max_sessions', type: 'gauge', help: 'Highest value of current sessions encountered since process started', scopes: ALL, field: 'smax' },
  { name: 'sessions_total', type: 'counter', help: 'Total number of sessions since process started', scopes: ALL, field: 'stot' },
  { name: 'bytes_in_total', type: 'counter', help: 'Total number of request bytes since process started', scopes: ALL, field: 'bin' },
  { name: 'bytes_out_total', type: 'counter', help: 'Total number of response bytes since process started', scopes: ALL, field: 'bout' },
  { name: 'requests_denied_total', type: 'counter', help: 'Total number of denied requests since process started', scopes: ['frontend', 'backend'], field: 'dreq' },
  { name: 'responses_denied_total', type: 'counter', help: 'Total number of denied responses since process started', scopes: ALL, field: 'dresp' },
  { name: 'last_session_seconds', type: 'gauge', help: 'How long ago some traffic was seen on this object on this worker process, in seconds', scopes: BE_SRV, field: 'lastsess' },
  { name: 'connection_errors_total', type: 'counter', help: 'Total number of failed connections to server since the worker process started', scopes: BE_SRV, field: 'econ' },
  { name: 'response_errors_total', type: 'counter', help: 'Total number of invalid responses since the worker process started', scopes: BE_SRV, field: 'eresp' },
  { name: 'retry_warnings_total', type: 'counter', help: 'Total number of server connection retries since the worker process started', scopes: BE_SRV, field: 'wretr' },
  { name: 'redispatch_warnings_total', type: 'counter', help: 'Total number of server redispatches due to connection failures since the worker process started', scopes: BE_SRV, field: 'wredis' },
  { name: 'weight', type: 'gauge', help: "Server's effective weight, or sum of active servers' effective weights for a backend", scopes: BE_SRV, field: 'weight' },
  { name: 'uweight', type: 'gauge', help: "Server's user weight, or sum of active servers' user weights for a backend", scopes: BE_SRV, field: 'uweight' },
  { name: 'active_servers', type: 'gauge', help: 'Total number of active UP servers with a non-zero weight', scopes: ['backend'], field: 'act' },
  { name: 'backup_servers', type: 'gauge', help: 'Total number of backup UP servers with a non-zero weight', scopes: ['backend'], field: 'bck' },
  { name: 'check_failures_total', type: 'counter', help: 'Total number of failed individual health checks per server/backend, since the worker process started', scopes: ['server'], field: 'chkfail' },
  { name: 'check_up_down_total', type: 'counter', help: 'Total number of failed checks causing UP to DOWN server transitions, per server/backend, since the worker process started', scopes: ['server'], field: 'chkdown' },
  { name: 'check_last_change_seconds', type: 'gauge', help: 'How long ago the last server state changed, in seconds', scopes: BE_SRV, field: 'lastchg' },
  { name: 'downtime_seconds_total', type: 'counter', help: 'Total time spent in DOWN state, for server or backend', scopes: ['server'], field: 'downtime' },
  {
    name: 'check_status',
    type: 'gauge',
    help: 'Status of last health check, per state label value.',
    scopes: ['server'],
    samples: (row) => {
      const status = row.fields.check_status;
      if (status === undefined || status === 'INI') return [];
      return CHECK_STATES.map((s) => [{ state: s }, s === status ? 1 : 0] as const);
    },
  },
  { name: 'check_code', type: 'gauge', help: 'layer5-7 code, if available of the last health check.', scopes: ['server'], field: 'check_code' },
  { name: 'check_duration_seconds', type: 'gauge', help: 'Total duration of the latest server health check, in seconds.', scopes: ['server'], field: 'check_duration', seconds: true },
  { name: 'http_requests_total', type: 'counter', help: 'Total number of HTTP requests processed by this object since the worker process started', scopes: ['frontend', 'backend'], field: 'req_tot' },
  {
    name: 'http_responses_total',
    type: 'counter',
    help: 'Total number of HTTP responses with status 100-199 returned by this object since the worker process started',
    scopes: ALL,
    samples: (row) => RESPONSE_CLASSES.map(([code, field]) => [{ code }, Number(row.fields[field] ?? 0)] as const),
  },
  { name: 'http_comp_bytes_in_total', type: 'counter', help: 'Total number of bytes submitted to the HTTP compressor for this object since the worker process started', scopes: ['frontend', 'backend'], field: 'comp_in' },
  { name: 'http_comp_bytes_out_total', type: 'counter', help: 'Total number of bytes emitted by the HTTP compressor for this object since the worker process started', scopes: ['frontend', 'backend'], field: 'comp_out' },
  { name: 'http_comp_bytes_bypassed_total', type: 'counter', help: 'Total number of bytes that bypassed HTTP compression for this object since the worker process started (CPU/memory/bandwidth limitation)', scopes: ['frontend', 'backend'], field: 'comp_byp' },
  { name: 'http_comp_responses_total', type: 'counter', help: 'Total number of HTTP responses that were compressed for this object since the worker process started', scopes: ['frontend', 'backend'], field: 'comp_rsp' },
  { name: 'intercepted_requests_total', type: 'counter', help: 'Total number of HTTP requests intercepted on the frontend (redirects/stats/services) since the worker process started', scopes: ['frontend'], field: 'intercepted' },
];

export function renderPrometheus(proxies: readonly ProxyStats[]): string {
  const byScope: Record<Scope, StatsRow[]> = {
    frontend: proxies.flatMap((p) => (p.frontend ? [p.frontend] : [])),
    backend: proxies.flatMap((p) => (p.backend ? [p.backend] : [])),
    server: proxies.flatMap((p) => p.servers),
  };
  const out: string[] = [];
  for (const scope of ['frontend', 'backend', 'server'] as const) {
    for (const metric of METRICS) {
      if (!metric.scopes.includes(scope)) continue;
      const lines: string[] = [];
      const name = `haproxy_${scope}_${metric.name}`;
      for (const row of byScope[scope]) {
        const base: Record<string, string> = { proxy: String(row.fields.pxname) };
        if (scope === 'server') base.server = String(row.fields.svname);
        const samples = metric.samples
          ? metric.samples(row)
          : row.fields[metric.field!] === undefined
            ? []
            : [[{}, Number(row.fields[metric.field!]) / (metric.seconds ? 1000 : 1)] as const];
        for (const [labels, value] of samples) lines.push(`${name}${labelText({ ...base, ...labels })} ${value}`);
      }
      if (lines.length === 0) continue;
      out.push(`# HELP ${name} ${metric.help}`, `# TYPE ${name} ${metric.type}`, ...lines);
    }
  }
  return out.join('\n') + '\n';
}

function labelText(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`);
  return `{${parts.join(',')}}`;
}
