/**
 * HAProxy 2.6's stats fields: the CSV header in order (from real haproxy
 * 2.6.12's `;csv` output) and, for `;json`, each field's type and tags as
 * haproxy reports them (observed in its `;json` output).
 */

/** Every column of HAProxy 2.6's `;csv`, in order (the `-` column is a placeholder it prints). */
export const CSV_FIELDS = [
  'pxname', 'svname', 'qcur', 'qmax', 'scur', 'smax', 'slim', 'stot',
  'bin', 'bout', 'dreq', 'dresp', 'ereq', 'econ', 'eresp', 'wretr',
  'wredis', 'status', 'weight', 'act', 'bck', 'chkfail', 'chkdown', 'lastchg',
  'downtime', 'qlimit', 'pid', 'iid', 'sid', 'throttle', 'lbtot', 'tracked',
  'type', 'rate', 'rate_lim', 'rate_max', 'check_status', 'check_code', 'check_duration', 'hrsp_1xx',
  'hrsp_2xx', 'hrsp_3xx', 'hrsp_4xx', 'hrsp_5xx', 'hrsp_other', 'hanafail', 'req_rate', 'req_rate_max',
  'req_tot', 'cli_abrt', 'srv_abrt', 'comp_in', 'comp_out', 'comp_byp', 'comp_rsp', 'lastsess',
  'last_chk', 'last_agt', 'qtime', 'ctime', 'rtime', 'ttime', 'agent_status', 'agent_code',
  'agent_duration', 'check_desc', 'agent_desc', 'check_rise', 'check_fall', 'check_health', 'agent_rise', 'agent_fall',
  'agent_health', 'addr', 'cookie', 'mode', 'algo', 'conn_rate', 'conn_rate_max', 'conn_tot',
  'intercepted', 'dcon', 'dses', 'wrew', 'connect', 'reuse', 'cache_lookups', 'cache_hits',
  'srv_icur', 'src_ilim', 'qtime_max', 'ctime_max', 'rtime_max', 'ttime_max', 'eint', 'idle_conn_cur',
  'safe_conn_cur', 'used_conn_cur', 'need_conn_est', 'uweight', 'agg_server_status', 'agg_server_check_status', 'agg_check_status', '-',
  'ssl_sess', 'ssl_reused_sess', 'ssl_failed_handshake', 'h2_headers_rcvd', 'h2_data_rcvd', 'h2_settings_rcvd', 'h2_rst_stream_rcvd', 'h2_goaway_rcvd',
  'h2_detected_conn_protocol_errors', 'h2_detected_strm_protocol_errors', 'h2_rst_stream_resp', 'h2_goaway_resp', 'h2_open_connections', 'h2_backend_open_streams', 'h2_total_connections', 'h2_backend_total_streams',
  'h1_open_connections', 'h1_open_streams', 'h1_total_connections', 'h1_total_streams', 'h1_bytes_in', 'h1_bytes_out', 'h1_spliced_bytes_in', 'h1_spliced_bytes_out',
] as const;

export type StatsFieldName = (typeof CSV_FIELDS)[number];

export type FieldType = 'str' | 's32' | 'u32' | 'u64';
export type ObjType = 'Frontend' | 'Backend' | 'Server';

/** `;json` type and tags of a field: [type, origin, nature, scope]. */
type FieldInfo = readonly [FieldType, string, string, string];

const KEY_NAME: FieldInfo = ['str', 'Key', 'Name', 'Service'];
const GAUGE32: FieldInfo = ['u32', 'Metric', 'Gauge', 'Process'];
const MAX32: FieldInfo = ['u32', 'Metric', 'Max', 'Process'];
const COUNTER64: FieldInfo = ['u64', 'Metric', 'Counter', 'Process'];
const CONFIG32: FieldInfo = ['u32', 'Config', 'Gauge', 'Service'];
const OUTPUT: FieldInfo = ['str', 'Metric', 'Output', 'Process'];

/** As haproxy 2.6.12 reports them in `;json` (the fields edge-balancer fills). */
const FIELD_INFO: Partial<Record<StatsFieldName, FieldInfo>> = {
  pxname: KEY_NAME,
  svname: KEY_NAME,
  qcur: GAUGE32,
  qmax: MAX32,
  scur: GAUGE32,
  smax: MAX32,
  slim: ['u32', 'Config', 'Limit', 'Process'],
  stot: COUNTER64,
  bin: COUNTER64,
  bout: COUNTER64,
  dreq: COUNTER64,
  dresp: COUNTER64,
  ereq: COUNTER64,
  econ: COUNTER64,
  eresp: COUNTER64,
  wretr: COUNTER64,
  wredis: COUNTER64,
  status: ['str', 'Status', 'Gauge', 'Process'],
  weight: ['u32', 'Metric', 'Avg', 'Process'],
  act: GAUGE32,
  bck: GAUGE32,
  chkfail: COUNTER64,
  chkdown: COUNTER64,
  lastchg: ['u32', 'Metric', 'Age', 'Process'],
  downtime: ['u32', 'Metric', 'Counter', 'Process'],
  pid: ['u32', 'Key', 'Gauge', 'Process'],
  iid: ['u32', 'Key', 'Gauge', 'Service'],
  sid: ['u32', 'Key', 'Gauge', 'Service'],
  type: CONFIG32,
  check_status: OUTPUT,
  check_code: ['u32', 'Metric', 'Output', 'Process'],
  check_duration: ['u64', 'Metric', 'Duration', 'Process'],
  hrsp_1xx: COUNTER64,
  hrsp_2xx: COUNTER64,
  hrsp_3xx: COUNTER64,
  hrsp_4xx: COUNTER64,
  hrsp_5xx: COUNTER64,
  hrsp_other: COUNTER64,
  req_tot: COUNTER64,
  comp_in: COUNTER64,
  comp_out: COUNTER64,
  comp_byp: COUNTER64,
  comp_rsp: COUNTER64,
  lastsess: ['s32', 'Metric', 'Age', 'Process'],
  last_chk: OUTPUT,
  check_desc: OUTPUT,
  check_rise: CONFIG32,
  check_fall: CONFIG32,
  check_health: CONFIG32,
  mode: ['str', 'Config', 'Gauge', 'Service'],
  intercepted: COUNTER64,
  uweight: ['u32', 'Metric', 'Avg', 'Process'],
};

/** Servers tag `act`/`bck` as Status, frontends and backends as Metric (observed). */
const SERVER_STATUS_FIELDS: ReadonlySet<StatsFieldName> = new Set(['act', 'bck']);

export function fieldInfo(objType: ObjType, name: StatsFieldName): FieldInfo {
  const info = FIELD_INFO[name] ?? (['str', 'Metric', 'Output', 'Process'] as const);
  if (objType === 'Server' && SERVER_STATUS_FIELDS.has(name)) return [info[0], 'Status', info[2], info[3]];
  return info;
}

export function fieldPosition(name: StatsFieldName): number {
  return CSV_FIELDS.indexOf(name);
}
