/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// The pragma, not a tsconfig, selects hono/jsx: every runtime and bundler that
// loads this file (tsx, Deno, wrangler's esbuild) reads it the same way.
/**
 * The stats page: server-rendered with hono/jsx, plain HTML forms, no script.
 * One card per proxy (frontend, servers, backend) with HAProxy's columns
 * grouped as its page groups them; `stats refresh` is an HTTP `Refresh`
 * header (as haproxy sends it), so it needs no JavaScript either.
 */
import type { FC } from 'hono/jsx';
import { raw } from 'hono/html';
import type { StatsConfig } from '../config/types.ts';
import type { ProxyStats, StatsRow } from './collect.ts';
import { statsLink, type StatsRequest } from './stats-request.ts';

export interface DashboardProps {
  readonly stats: StatsConfig;
  readonly request: StatsRequest;
  readonly proxies: readonly ProxyStats[];
  /** ms */
  readonly uptime: number;
  readonly user: string;
  /** Present when this user may use the admin forms. */
  readonly csrfToken?: string;
  readonly version?: string;
}

const ACTION_MESSAGES: Record<string, [kind: 'ok' | 'warn' | 'err', text: string]> = {
  DONE: ['ok', 'Action processed successfully.'],
  PART: ['warn', 'Action partially processed: some servers were not found.'],
  NONE: ['warn', 'Nothing to do: select at least one server and an action or a weight.'],
  ERRP: ['err', 'Action not processed: invalid parameters (unknown backend or server, or a weight outside 0–256).'],
  DENY: ['err', 'Action denied (not allowed, cross-site request, or expired form: reload the page).'],
};

export async function renderDashboard(props: DashboardProps): Promise<string> {
  return '<!DOCTYPE html>' + (await (<Dashboard {...props} />).toString());
}

const Dashboard: FC<DashboardProps> = ({ stats, request, proxies, uptime, user, csrfToken, version }) => {
  const message = request.actionResult ? ACTION_MESSAGES[request.actionResult] : undefined;
  const refreshing = stats.refresh !== undefined && !request.noRefresh;
  const totals = summary(proxies);
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Statistics · edge-balancer</title>
        <style>{raw(CSS)}</style>
      </head>
      <body>
        <header class="top">
          <div>
            <h1>Statistics</h1>
            <p class="sub">
              {stats.hideVersion ? 'edge-balancer' : `edge-balancer${version ? ` ${version}` : ''} · HAProxy 2.6 semantics`} · up{' '}
              {duration(uptime)}
              {user ? ` · signed in as ${user}` : ''}
            </p>
          </div>
          <nav class="links">
            <a href={statsLink(stats, { ...request, hideDown: !request.hideDown })}>{request.hideDown ? 'Show all servers' : 'Hide DOWN servers'}</a>
            {stats.refresh !== undefined ? (
              <a href={statsLink(stats, { ...request, noRefresh: !request.noRefresh })}>
                {refreshing ? `Stop refresh (${Math.round(stats.refresh / 1000)}s)` : 'Refresh automatically'}
              </a>
            ) : null}
            <a href={stats.uri + ';csv'}>CSV</a>
            <a href={stats.uri + ';json'}>JSON</a>
            <a href={stats.prometheusPath ?? stats.uri + ';prometheus'}>Prometheus</a>
          </nav>
        </header>
        <main>
          {message ? (
            <div class={`banner ${message[0]}`} role="status">
              {message[1]} <a href={statsLink(stats, request)}>Dismiss</a>
            </div>
          ) : null}
          <section class="summary" aria-label="Summary">
            <Tile label="Servers up" value={`${totals.up} / ${totals.servers}`} tone={totals.up === totals.servers ? 'ok' : 'warn'} />
            <Tile label="Servers down" value={String(totals.down)} tone={totals.down ? 'err' : 'ok'} />
            <Tile label="Drain / maint" value={`${totals.drain} / ${totals.maint}`} tone={totals.drain + totals.maint ? 'warn' : 'ok'} />
            <Tile label="Requests" value={count(totals.requests)} />
            <Tile label="5xx responses" value={count(totals.errors5xx)} tone={totals.errors5xx ? 'err' : 'ok'} />
          </section>
          {proxies.map((proxy) => (
            <ProxyCard proxy={proxy} stats={stats} csrfToken={csrfToken} />
          ))}
          {stats.showLegends ? <Legend /> : null}
        </main>
      </body>
    </html>
  );
};

const Tile: FC<{ label: string; value: string; tone?: 'ok' | 'warn' | 'err' }> = ({ label, value, tone }) => (
  <div class={`tile ${tone ?? ''}`}>
    <span class="tile-value">{value}</span>
    <span class="tile-label">{label}</span>
  </div>
);

const ProxyCard: FC<{ proxy: ProxyStats; stats: StatsConfig; csrfToken?: string }> = ({ proxy, stats, csrfToken }) => {
  const admin = csrfToken !== undefined && proxy.backend !== undefined && proxy.servers.length > 0;
  const table = (
    <div class="scroll">
      <table class="grid" id={`proxy-${proxy.name}`}>
        <thead>
          <tr class="groups">
            {admin ? <th rowspan={2} class="sel" /> : null}
            <th rowspan={2} class="name">
              Name
            </th>
            <th colspan={4}>Server</th>
            <th colspan={3}>Sessions</th>
            <th colspan={2}>Bytes</th>
            <th colspan={6}>Responses</th>
            <th colspan={2}>Errors</th>
            <th colspan={2}>Warnings</th>
            <th colspan={4}>Health check</th>
          </tr>
          <tr>
            <th>Status</th>
            <th title="Time since the last status change">Last chg</th>
            <th>Wght</th>
            <th title="Active or backup server; for a backend: usable active / backup servers">Role</th>
            <th title="Current">Cur</th>
            <th>Max</th>
            <th>Total</th>
            <th>In</th>
            <th>Out</th>
            <th>1xx</th>
            <th>2xx</th>
            <th>3xx</th>
            <th>4xx</th>
            <th>5xx</th>
            <th title="Other status codes">Other</th>
            <th title="Connection errors">Conn</th>
            <th title="Response errors">Resp</th>
            <th title="Retries">Retr</th>
            <th title="Redispatches">Redis</th>
            <th class="text">Result</th>
            <th title="Failed checks">Fail</th>
            <th title="UP to DOWN transitions">Dwn</th>
            <th title="Total downtime">Downtime</th>
          </tr>
        </thead>
        <tbody>
          {proxy.frontend ? <Row row={proxy.frontend} admin={admin} /> : null}
          {proxy.servers.map((row) => (
            <Row row={row} admin={admin} />
          ))}
          {proxy.backend ? <Row row={proxy.backend} admin={admin} /> : null}
        </tbody>
      </table>
    </div>
  );
  return (
    <section class="card" aria-label={`Proxy ${proxy.name}`}>
      <h2>
        {proxy.name}
        <span class="kind">{proxy.frontend && proxy.backend ? 'listen' : proxy.frontend ? 'frontend' : 'backend'}</span>
      </h2>
      {admin ? (
        <form method="post" action={stats.uri} class="admin">
          <input type="hidden" name="b" value={proxy.name} />
          <input type="hidden" name="token" value={csrfToken} />
          {table}
          <div class="actions">
            <label>
              Selected servers:{' '}
              <select name="action" aria-label={`Action for ${proxy.name}`}>
                <option value="">Choose an action…</option>
                <option value="ready">Set state to READY</option>
                <option value="drain">Set state to DRAIN</option>
                <option value="maint">Set state to MAINT</option>
              </select>
            </label>
            <label>
              weight{' '}
              <input name="weight" type="number" min="0" max="256" inputmode="numeric" placeholder="keep" aria-label={`Weight for ${proxy.name}`} />
            </label>
            <button type="submit">Apply</button>
          </div>
        </form>
      ) : (
        table
      )}
    </section>
  );
};

const Row: FC<{ row: StatsRow; admin: boolean }> = ({ row, admin }) => {
  const f = row.fields;
  const server = row.objType === 'Server';
  const status = String(f.status ?? '');
  const kind = row.objType === 'Frontend' ? 'frontend' : row.objType === 'Backend' ? 'backend' : f.bck ? 'server backup' : 'server';
  return (
    <tr class={kind} data-server={server ? String(f.svname) : undefined}>
      {admin ? <td class="sel">{server ? <input type="checkbox" name="s" value={String(f.svname)} aria-label={`Select ${f.svname}`} /> : null}</td> : null}
      <td class="name">
        {server ? String(f.svname) : String(f.svname) === 'FRONTEND' ? 'Frontend' : 'Backend'}
        {server && f.bck ? <span class="badge">backup</span> : null}
      </td>
      <td>
        <span class={`pill ${statusTone(status)}`}>{status}</span>
      </td>
      <td>{f.lastchg === undefined ? '' : duration(Number(f.lastchg) * 1000)}</td>
      <td class="num">{show(f.weight)}</td>
      <td class="num">{server ? (f.bck ? 'backup' : 'active') : f.act === undefined ? '' : `${f.act} / ${f.bck}`}</td>
      <td class="num">{show(f.scur)}</td>
      <td class="num">{show(f.smax)}</td>
      <td class="num">{show(f.stot)}</td>
      <td class="num" title={`${f.bin ?? 0} bytes`}>{bytes(f.bin)}</td>
      <td class="num" title={`${f.bout ?? 0} bytes`}>{bytes(f.bout)}</td>
      <td class="num">{show(f.hrsp_1xx)}</td>
      <td class="num">{show(f.hrsp_2xx)}</td>
      <td class="num">{show(f.hrsp_3xx)}</td>
      <td class={`num ${Number(f.hrsp_4xx) ? 'warn-text' : ''}`}>{show(f.hrsp_4xx)}</td>
      <td class={`num ${Number(f.hrsp_5xx) ? 'err-text' : ''}`}>{show(f.hrsp_5xx)}</td>
      <td class="num">{show(f.hrsp_other)}</td>
      <td class="num">{show(f.econ)}</td>
      <td class="num">{show(f.eresp)}</td>
      <td class="num">{show(f.wretr)}</td>
      <td class="num">{show(f.wredis)}</td>
      <td class="text" title={f.check_desc === undefined ? undefined : `${f.check_desc}${f.last_chk ? `: ${f.last_chk}` : ''}`}>
        {f.check_status === undefined ? '' : `${f.check_status}${f.check_code !== undefined ? `/${f.check_code}` : ''}`}
        {f.check_duration !== undefined ? <span class="muted"> {f.check_duration}ms</span> : null}
      </td>
      <td class="num">{show(f.chkfail)}</td>
      <td class="num">{show(f.chkdown)}</td>
      <td class="num">{f.downtime === undefined ? '' : duration(Number(f.downtime) * 1000)}</td>
    </tr>
  );
};

const Legend: FC = () => (
  <section class="card legend" aria-label="Legend">
    <h2>Legend</h2>
    <ul>
      <li><span class="pill ok">UP</span> takes traffic</li>
      <li><span class="pill ok-soft">no check</span> takes traffic, not health-checked</li>
      <li><span class="pill warn">UP 1/3</span> failing checks, going down</li>
      <li><span class="pill info">DOWN 1/2</span> passing checks, going up</li>
      <li><span class="pill err">DOWN</span> failed its health checks</li>
      <li><span class="pill drain">DRAIN</span> keeps its sticky clients, gets no new ones</li>
      <li><span class="pill drain">NOLB</span> its health check answered 404 (<code>http-check disable-on-404</code>): as DRAIN</li>
      <li><span class="pill maint">MAINT</span> in maintenance: gets nothing</li>
    </ul>
  </section>
);

function statusTone(status: string): string {
  if (status === 'UP' || status === 'OPEN') return 'ok';
  if (status === 'no check') return 'ok-soft';
  if (status.startsWith('UP ')) return 'warn';
  if (status.startsWith('DOWN ')) return 'info';
  if (status.startsWith('DOWN')) return 'err';
  if (status.startsWith('DRAIN') || status.startsWith('NOLB')) return 'drain';
  if (status === 'MAINT') return 'maint';
  return '';
}

function summary(proxies: readonly ProxyStats[]) {
  const servers = proxies.flatMap((p) => p.servers.map((s) => String(s.fields.status)));
  const backends = proxies.flatMap((p) => (p.backend ? [p.backend] : []));
  return {
    servers: servers.length,
    up: servers.filter((s) => s === 'UP' || s === 'no check' || s.startsWith('UP ')).length,
    down: servers.filter((s) => s.startsWith('DOWN')).length,
    drain: servers.filter((s) => s.startsWith('DRAIN')).length,
    maint: servers.filter((s) => s === 'MAINT').length,
    requests: proxies.reduce((n, p) => n + Number(p.frontend?.fields.stot ?? 0), 0),
    errors5xx: backends.reduce((n, b) => n + Number(b.fields.hrsp_5xx ?? 0), 0),
  };
}

function show(value: unknown): string {
  return value === undefined ? '' : String(value);
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function bytes(value: unknown): string {
  if (value === undefined) return '';
  let n = Number(value);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let unit = 0;
  while (n >= 1024 && unit < units.length - 1) {
    n /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${n.toFixed(n < 10 ? 1 : 0)} ${units[unit]}`;
}

/** HAProxy's human durations: `12s`, `5m12s`, `3h04m`, `2d5h`. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d${Math.floor((s % 86400) / 3600)}h`;
}

const CSS = `
:root { --bg:#f5f6f8; --card:#fff; --ink:#1f2430; --muted:#6b7280; --line:#e5e7eb; --head:#f9fafb;
  --ok:#15803d; --ok-bg:#dcfce7; --err:#b91c1c; --err-bg:#fee2e2; --warn:#a16207; --warn-bg:#fef3c7;
  --info:#1d4ed8; --info-bg:#dbeafe; --maint:#4b5563; --maint-bg:#e5e7eb; --drain:#9a3412; --drain-bg:#ffedd5; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink); font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif; }
.top { display:flex; flex-wrap:wrap; gap:12px; justify-content:space-between; align-items:center; padding:16px 24px; background:#111827; color:#f9fafb; }
.top h1 { margin:0; font-size:20px; font-weight:650; letter-spacing:.2px; }
.top .sub { margin:2px 0 0; color:#9ca3af; font-size:13px; }
.links { display:flex; flex-wrap:wrap; gap:6px; }
.links a { color:#e5e7eb; text-decoration:none; padding:5px 10px; border:1px solid #374151; border-radius:6px; font-size:13px; }
.links a:hover { background:#1f2937; }
main { padding:20px 16px 32px; max-width:1600px; margin:0 auto; }
.banner { padding:10px 14px; border-radius:8px; margin-bottom:16px; font-weight:500; }
.banner a { margin-left:8px; color:inherit; }
.banner.ok { background:var(--ok-bg); color:var(--ok); } .banner.warn { background:var(--warn-bg); color:var(--warn); } .banner.err { background:var(--err-bg); color:var(--err); }
.summary { display:grid; grid-template-columns:repeat(auto-fit,minmax(150px,1fr)); gap:12px; margin-bottom:20px; }
.tile { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:12px 14px; display:flex; flex-direction:column; border-left:4px solid #d1d5db; }
.tile.ok { border-left-color:var(--ok); } .tile.warn { border-left-color:#f59e0b; } .tile.err { border-left-color:var(--err); }
.tile-value { font-size:22px; font-weight:650; font-variant-numeric:tabular-nums; }
.tile-label { color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:.4px; }
.card { background:var(--card); border:1px solid var(--line); border-radius:10px; margin-bottom:20px; overflow:hidden; box-shadow:0 1px 2px rgba(0,0,0,.04); }
.card h2 { margin:0; padding:12px 16px; font-size:16px; border-bottom:1px solid var(--line); display:flex; align-items:center; gap:10px; }
.kind { font-size:11px; font-weight:600; color:var(--muted); background:var(--head); border:1px solid var(--line); border-radius:999px; padding:1px 8px; text-transform:uppercase; letter-spacing:.4px; }
.scroll { overflow-x:auto; }
table.grid { border-collapse:collapse; width:100%; font-size:13px; font-variant-numeric:tabular-nums; white-space:nowrap; }
.grid th, .grid td { padding:7px 6px; border-bottom:1px solid var(--line); text-align:left; }
.grid thead th { background:var(--head); color:var(--muted); font-size:12px; font-weight:600; }
.grid tr.groups th { text-align:center; border-left:1px solid var(--line); color:var(--ink); }
.grid tr.groups th.name, .grid tr.groups th.sel { text-align:left; border-left:0; }
.grid td.num, .grid thead tr:not(.groups) th { text-align:right; }
.grid thead tr:not(.groups) th.text, .grid td.text { text-align:left; }
.grid thead tr:not(.groups) th:first-child, .grid thead tr:not(.groups) th:nth-child(2) { text-align:left; }
.grid td.name { font-weight:600; }
.grid tr.frontend td, .grid tr.backend td { background:#fafafa; }
.grid tr.backend td { font-weight:600; border-top:2px solid var(--line); }
.badge { margin-left:6px; font-size:10px; font-weight:600; color:var(--info); background:var(--info-bg); border-radius:4px; padding:1px 5px; }
.grid tbody tr:hover td { background:#f3f4f6; }
.sel { width:28px; }
.pill { display:inline-block; min-width:54px; text-align:center; padding:1px 8px; border-radius:999px; font-size:12px; font-weight:600; }
.pill.ok { color:var(--ok); background:var(--ok-bg); } .pill.ok-soft { color:var(--ok); background:#f0fdf4; border:1px dashed #86efac; }
.pill.err { color:var(--err); background:var(--err-bg); } .pill.warn { color:var(--warn); background:var(--warn-bg); }
.pill.info { color:var(--info); background:var(--info-bg); } .pill.maint { color:var(--maint); background:var(--maint-bg); }
.pill.drain { color:var(--drain); background:var(--drain-bg); }
.err-text { color:var(--err); font-weight:600; } .warn-text { color:var(--warn); }
.muted { color:var(--muted); font-size:12px; }
.actions { display:flex; flex-wrap:wrap; gap:12px; align-items:center; padding:10px 16px; background:var(--head); border-top:1px solid var(--line); }
.actions select, .actions input { font:inherit; padding:4px 8px; border:1px solid #d1d5db; border-radius:6px; background:#fff; }
.actions input { width:80px; }
.actions button { font:inherit; font-weight:600; padding:5px 14px; border:0; border-radius:6px; background:#2563eb; color:#fff; cursor:pointer; }
.actions button:hover { background:#1d4ed8; }
.legend ul { list-style:none; margin:0; padding:12px 16px; display:flex; flex-wrap:wrap; gap:10px 24px; }
.legend li { display:flex; align-items:center; gap:8px; color:var(--muted); }
`;
