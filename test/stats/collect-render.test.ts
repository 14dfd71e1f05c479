/**
 * The pure side of stats: rows with HAProxy's field names and values, and the
 * CSV / JSON / Prometheus renderings of them, from hand-made state. The
 * expected texts are what haproxy 2.6.12 prints for the same situation.
 */
import { describe, expect, test } from 'vitest';
import { collectStats, statsRows } from '../../src/stats/collect.ts';
import { renderCsv } from '../../src/stats/render-csv.ts';
import { renderJson } from '../../src/stats/render-json.ts';
import { renderPrometheus } from '../../src/stats/render-prometheus.ts';
import { renderDashboard } from '../../src/stats/dashboard.tsx';
import { serverStatusText } from '../../src/stats/server-status.ts';
import { parseStatsRequest, isStatsRequest } from '../../src/stats/stats-request.ts';
import { countRequestEnd, countRequestStart, countResponseStatus } from '../../src/balancer/counters.ts';
import { fakeState, health, MapHealthStore, seedConfig, server, statsConfig } from './fixtures.ts';

const T0 = Date.UTC(2024, 0, 1);

/** haproxy 2.6.12's `;csv` header line (observed). */
const HAPROXY_26_CSV_HEADER =
  '# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,lastsess,last_chk,last_agt,qtime,ctime,rtime,ttime,agent_status,agent_code,agent_duration,check_desc,agent_desc,check_rise,check_fall,check_health,agent_rise,agent_fall,agent_health,addr,cookie,mode,algo,conn_rate,conn_rate_max,conn_tot,intercepted,dcon,dses,wrew,connect,reuse,cache_lookups,cache_hits,srv_icur,src_ilim,qtime_max,ctime_max,rtime_max,ttime_max,eint,idle_conn_cur,safe_conn_cur,used_conn_cur,need_conn_est,uweight,agg_server_status,agg_server_check_status,agg_check_status,-,ssl_sess,ssl_reused_sess,ssl_failed_handshake,h2_headers_rcvd,h2_data_rcvd,h2_settings_rcvd,h2_rst_stream_rcvd,h2_goaway_rcvd,h2_detected_conn_protocol_errors,h2_detected_strm_protocol_errors,h2_rst_stream_resp,h2_goaway_resp,h2_open_connections,h2_backend_open_streams,h2_total_connections,h2_backend_total_streams,h1_open_connections,h1_open_streams,h1_total_connections,h1_total_streams,h1_bytes_in,h1_bytes_out,h1_spliced_bytes_in,h1_spliced_bytes_out,';

function scenario() {
  const store = new MapHealthStore();
  const config = seedConfig(8404, 8080, [server('s1', 9001), server('s2', 9002), server('s3', 9003, { backup: true, weight: 5 })]);
  const state = fakeState(config, store, T0);
  // s1 UP for 7 s with full health; s2 DOWN since start after one transition; s3 DOWN and rising (1/2).
  store.set('app/s1', health({ health: 4, up: true, lastChange: T0 + 3000, downtime: 3000, chkfail: 1, chkdown: 1, lastCheck: { ok: true, status: 'L4OK', durationMs: 0 } }));
  store.set('app/s2', health({ health: 0, up: false, lastChange: T0, chkfail: 1, chkdown: 1, lastCheck: { ok: false, status: 'L4CON', info: 'Connection refused', durationMs: 0 } }));
  store.set('app/s3', health({ health: 1, up: false, lastChange: T0, chkfail: 1, chkdown: 1, lastCheck: { ok: true, status: 'L4OK', durationMs: 1 } }));
  return { state, store, config };
}

function csvColumns(csv: string): Map<string, Record<string, string>> {
  const [header, ...lines] = csv.trimEnd().split('\n');
  const names = header!.slice(2).split(',');
  const rows = new Map<string, Record<string, string>>();
  for (const line of lines) {
    const values = line.split(',');
    expect(values.length).toBe(names.length);
    rows.set(`${values[0]}/${values[1]}`, Object.fromEntries(names.map((n, i) => [n, values[i]!])));
  }
  return rows;
}

describe('collect and CSV', () => {
  test('CSV header is haproxy 2.6 column for column; rows in proxy order FRONTEND, servers, BACKEND', () => {
    const { state } = scenario();
    const csv = renderCsv(statsRows(collectStats(state, { now: T0 + 10_000 })));
    expect(csv.split('\n')[0]).toBe(HAPROXY_26_CSV_HEADER);
    const rows = csvColumns(csv);
    expect([...rows.keys()]).toEqual(['stats/FRONTEND', 'stats/BACKEND', 'app/FRONTEND', 'app/s1', 'app/s2', 'app/s3', 'app/BACKEND']);
    expect(csv.endsWith(',\n')).toBe(true);
  });

  test('server and backend status, weights, act/bck, check columns as haproxy reports them', () => {
    const { state } = scenario();
    const rows = csvColumns(renderCsv(statsRows(collectStats(state, { now: T0 + 10_000 }))));
    const pick = (key: string, ...fields: string[]) => fields.map((f) => rows.get(key)![f]);
    const fields = ['status', 'weight', 'act', 'bck', 'chkfail', 'chkdown', 'lastchg', 'downtime', 'check_status', 'type', 'iid', 'sid'];
    // The same rows haproxy printed for this situation (pid/iid/sid/type included).
    expect(pick('app/s1', ...fields)).toEqual(['UP', '1', '1', '0', '1', '1', '7', '3', 'L4OK', '2', '2', '1']);
    expect(pick('app/s2', ...fields)).toEqual(['DOWN', '1', '1', '0', '1', '1', '10', '10', 'L4CON', '2', '2', '2']);
    expect(pick('app/s3', ...fields)).toEqual(['DOWN 1/2', '5', '0', '1', '1', '1', '10', '10', 'L4OK', '2', '2', '3']);
    expect(pick('app/BACKEND', 'status', 'weight', 'act', 'bck', 'type', 'sid')).toEqual(['UP', '1', '1', '0', '1', '0']);
    expect(pick('app/FRONTEND', 'status', 'type', 'pxname')).toEqual(['OPEN', '0', 'app']);
    // A section without servers (the stats listen) is UP with weight 0.
    expect(pick('stats/BACKEND', 'status', 'weight', 'act', 'bck')).toEqual(['UP', '0', '0', '0']);
    expect(pick('app/s2', 'check_desc', 'last_chk')).toEqual(['Layer4 connection problem', 'Connection refused']);
  });

  test('drain and maint: the server shows DRAIN/MAINT and leaves the backend weight (haproxy: DRAIN s1 → BACKEND DOWN, weight 0)', () => {
    const { state } = scenario();
    const app = state.backends.get('app')!;
    app.setAdmin(0, { mode: 'drain', weight: 1 });
    let rows = csvColumns(renderCsv(statsRows(collectStats(state, { now: T0 + 10_000 }))));
    expect(rows.get('app/s1')!.status).toBe('DRAIN');
    expect(rows.get('app/s1')!.weight).toBe('1');
    expect([rows.get('app/BACKEND')!.status, rows.get('app/BACKEND')!.weight, rows.get('app/BACKEND')!.act]).toEqual(['DOWN', '0', '0']);
    app.setAdmin(0, { mode: 'maint', weight: 1 });
    rows = csvColumns(renderCsv(statsRows(collectStats(state, { now: T0 + 10_000 }))));
    expect(rows.get('app/s1')!.status).toBe('MAINT');
  });

  test('status text: transitions, no check, drain without check', () => {
    const checked = server('s', 1, { check: { inter: 2000, fastinter: 2000, downinter: 2000, rise: 2, fall: 3 } });
    const ready = { mode: 'ready' as const, weight: 1 };
    expect(serverStatusText(checked, health({ health: 4, up: true }), ready)).toBe('UP');
    expect(serverStatusText(checked, health({ health: 3, up: true }), ready)).toBe('UP 2/3');
    expect(serverStatusText(checked, health({ health: 2, up: true }), ready)).toBe('UP 1/3');
    expect(serverStatusText(checked, health({ health: 1, up: false }), ready)).toBe('DOWN 1/2');
    expect(serverStatusText(checked, health({ health: 0, up: false }), ready)).toBe('DOWN');
    expect(serverStatusText(checked, health({ health: 2, up: true }), { mode: 'drain', weight: 1 })).toBe('DRAIN 1/3');
    expect(serverStatusText(checked, health({ health: 0, up: false }), { mode: 'maint', weight: 1 })).toBe('MAINT');
    const unchecked = server('u', 1, { check: undefined });
    expect(serverStatusText(unchecked, undefined, ready)).toBe('no check');
    expect(serverStatusText(unchecked, undefined, { mode: 'drain', weight: 1 })).toBe('DRAIN');
  });

  test('counters: sessions, bytes and responses by class', () => {
    const { state } = scenario();
    const s1 = state.backends.get('app')!.serverCounters[0]!;
    for (const status of [200, 204, 302, 404, 503, 99]) {
      countRequestStart(s1, T0 + 1000);
      countResponseStatus(s1, status);
    }
    countRequestEnd(s1);
    s1.bytesIn += 100;
    s1.bytesOut += 2000;
    const row = csvColumns(renderCsv(statsRows(collectStats(state, { now: T0 + 5000 })))).get('app/s1')!;
    expect([row.scur, row.smax, row.stot, row.bin, row.bout]).toEqual(['5', '6', '6', '100', '2000']);
    expect([row.hrsp_1xx, row.hrsp_2xx, row.hrsp_3xx, row.hrsp_4xx, row.hrsp_5xx, row.hrsp_other]).toEqual(['0', '2', '1', '1', '1', '1']);
    expect(row.lastsess).toBe('4');
  });

  test(';up hides DOWN servers, ;no-maint hides MAINT ones', () => {
    const { state } = scenario();
    state.backends.get('app')!.setAdmin(0, { mode: 'maint', weight: 1 });
    const names = (o: { hideDown?: boolean; hideMaint?: boolean }) =>
      collectStats(state, { now: T0, ...o }).flatMap((p) => p.servers.map((s) => s.fields.svname));
    expect(names({ hideDown: true })).toEqual(['s1']);
    expect(names({ hideMaint: true })).toEqual(['s2', 's3']);
  });
});

describe('JSON and Prometheus', () => {
  test(';json is haproxy typed fields: objType, proxyId, id, field pos/name, processNum, tags, typed value', () => {
    const { state } = scenario();
    const json = JSON.parse(renderJson(statsRows(collectStats(state, { now: T0 + 10_000 })))) as any[][];
    expect(json).toHaveLength(7);
    const s1 = json[3]!;
    // Verbatim from haproxy 2.6.12's output for app/s1.
    expect(s1[0]).toEqual({
      objType: 'Server', proxyId: 2, id: 1, field: { pos: 0, name: 'pxname' }, processNum: 1,
      tags: { origin: 'Key', nature: 'Name', scope: 'Service' }, value: { type: 'str', value: 'app' },
    });
    const byName = Object.fromEntries(s1.map((f) => [f.field.name, f]));
    expect(byName.stot).toMatchObject({ field: { pos: 7 }, tags: { origin: 'Metric', nature: 'Counter', scope: 'Process' }, value: { type: 'u64', value: 0 } });
    expect(byName.status).toMatchObject({ field: { pos: 17 }, tags: { origin: 'Status', nature: 'Gauge' }, value: { type: 'str', value: 'UP' } });
    expect(byName.act).toMatchObject({ tags: { origin: 'Status' }, value: { type: 'u32', value: 1 } });
    expect(byName.lastsess).toMatchObject({ value: { type: 's32', value: -1 } });
    const backendAct = json[6]!.find((f) => f.field.name === 'act');
    expect(backendAct).toMatchObject({ objType: 'Backend', id: 0, tags: { origin: 'Metric' } });
  });

  test('Prometheus text uses haproxy exporter names, labels and help', () => {
    const { state } = scenario();
    const text = renderPrometheus(collectStats(state, { now: T0 + 10_000 }));
    expect(text).toContain('# HELP haproxy_server_status Current status of the service, per state label value.\n# TYPE haproxy_server_status gauge\n');
    expect(text).toContain('haproxy_server_status{proxy="app",server="s1",state="UP"} 1\n');
    expect(text).toContain('haproxy_server_status{proxy="app",server="s2",state="DOWN"} 1\n');
    expect(text).toContain('haproxy_server_status{proxy="app",server="s3",state="DOWN"} 1\n');
    expect(text).toContain('haproxy_backend_status{proxy="app",state="UP"} 1\n');
    expect(text).toContain('haproxy_frontend_http_responses_total{proxy="app",code="2xx"} 0\n');
    expect(text).toContain('haproxy_backend_http_responses_total{proxy="app",code="5xx"} 0\n');
    expect(text).toContain('haproxy_server_check_status{proxy="app",server="s2",state="L4CON"} 1\n');
    expect(text).toContain('haproxy_server_weight{proxy="app",server="s3"} 5\n');
    expect(text).toContain('haproxy_backend_active_servers{proxy="app"} 1\n');
    for (const line of text.trimEnd().split('\n')) expect(line).toMatch(/^(# (HELP|TYPE) haproxy_\w+ .+|haproxy_\w+\{[^}]*\} -?[\d.]+(e-?\d+)?)$/);
  });
});

describe('stats URI matching (http_stats_check_uri)', () => {
  test('prefix of path and query; GET, HEAD and POST only', () => {
    const root = statsConfig({ uri: '/' });
    expect(isStatsRequest(root, 'GET', '/anything;csv')).toBe(true);
    expect(isStatsRequest(root, 'PUT', '/')).toBe(false);
    const dflt = statsConfig({ uri: '/haproxy?stats' });
    expect(isStatsRequest(dflt, 'GET', '/haproxy?stats;csv')).toBe(true);
    expect(isStatsRequest(dflt, 'GET', '/haproxy')).toBe(false);
    expect(isStatsRequest(dflt, 'POST', '/haproxy?stats')).toBe(true);
    expect(isStatsRequest(statsConfig({ enabled: false }), 'GET', '/')).toBe(false);
    expect(isStatsRequest(undefined, 'GET', '/')).toBe(false);
    const prom = statsConfig({ uri: '/stats', prometheusPath: '/metrics' });
    expect(isStatsRequest(prom, 'GET', '/metrics')).toBe(true);
    expect(parseStatsRequest(prom, '/metrics').format).toBe('prometheus');
    expect(parseStatsRequest(prom, '/stats;up;norefresh')).toEqual({ format: 'html', hideDown: true, hideMaint: false, noRefresh: true });
    expect(parseStatsRequest(prom, '/stats;st=DONE').actionResult).toBe('DONE');
    expect(parseStatsRequest(prom, '/stats;csv;up').format).toBe('csv');
  });
});

describe('dashboard HTML', () => {
  test('renders every row, escapes names, hides the version, shows admin forms only with a token', async () => {
    const { state } = scenario();
    const stats = statsConfig({ hideVersion: true, showLegends: true, refresh: 10_000 });
    const request = parseStatsRequest(stats, '/;st=DONE');
    const proxies = collectStats(state, { now: T0 + 10_000 });
    const html = await renderDashboard({ stats, request, proxies, uptime: 10_000, user: 'A_Username', csrfToken: 't.oken', version: '9.9.9' });
    expect(html.startsWith('<!DOCTYPE html><html')).toBe(true);
    expect(html).toContain('Action processed successfully.');
    expect(html).not.toContain('9.9.9');
    expect(html).toContain('name="token" value="t.oken"');
    expect(html).toContain('value="s3"');
    expect(html).toContain('DOWN 1/2');
    expect(html).toContain('Legend');
    expect(html).not.toMatch(/<script/i);
    const readOnly = await renderDashboard({ stats: statsConfig({ admin: false }), request, proxies, uptime: 0, user: '' });
    expect(readOnly).not.toContain('<form');
  });
});
