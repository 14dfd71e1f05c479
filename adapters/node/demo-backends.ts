/**
 * Two small web apps for the `npm start` demo. Each names itself and counts
 * visits per browser session (its own `demo_session` cookie), so stickiness is
 * visible: reload and the same server counts on. "Stop this server" closes its
 * port for a while, so failover and the health checks can be watched.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { serveLiveFeed } from './demo-live.ts';

export interface DemoBackend {
  readonly name: string;
  readonly port: number;
  close(): Promise<void>;
}

const OUTAGE_MS = 20_000;

/** `statsUrl`: the balancer's stats page, linked from every page. */
export async function startDemoBackend(name: string, color: string, statsUrl: string): Promise<DemoBackend> {
  const visits = new Map<string, number>();
  let nextSession = 1;
  let stopped = false;
  let restartTimer: NodeJS.Timeout | undefined;
  let server = createServer();
  let port = 0;

  const handler: Parameters<typeof createServer>[1] = (req, res) => {
    if (req.method === 'POST' && req.url === '/stop') {
      res.writeHead(303, { location: '/', connection: 'close' }).end();
      void pause();
      return;
    }
    const session = /(?:^|;\s*)demo_session=([\w-]+)/.exec(req.headers.cookie ?? '')?.[1] ?? `${name}-${nextSession++}`;
    const count = (visits.get(session) ?? 0) + 1;
    visits.set(session, count);
    const headers: Record<string, string> = { 'content-type': 'text/html; charset=utf-8' };
    if (!req.headers.cookie?.includes(`demo_session=${session}`)) headers['set-cookie'] = `demo_session=${session}; Path=/`;
    res.writeHead(200, headers).end(page(name, color, count, req.headers, statsUrl));
  };

  let feeds = 0;
  let ticks = 0;
  const live = () => `${name}: message ${++ticks} from ${name} (${feeds} live connection${feeds === 1 ? '' : 's'} here)`;

  async function listen(): Promise<void> {
    server = createServer(handler);
    server.on('upgrade', (req, socket: Socket) => {
      feeds++;
      socket.once('close', () => feeds--);
      serveLiveFeed(req, socket, live);
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  }

  /** Simulates a crash: the port refuses connections until the restart. */
  async function pause(): Promise<void> {
    if (stopped) return;
    stopped = true;
    await closeServer(server);
    restartTimer = setTimeout(() => {
      stopped = false;
      void listen();
    }, OUTAGE_MS);
  }

  await listen();
  return {
    name,
    port,
    async close() {
      clearTimeout(restartTimer);
      if (!stopped) await closeServer(server);
    },
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(
  name: string,
  color: string,
  count: number,
  headers: Record<string, string | string[] | undefined>,
  statsUrl: string,
): string {
  const seen = ['cookie', 'x-forwarded-for', 'connection']
    .map((h) => `<tr><th>${h}</th><td>${escapeHtml(String(headers[h] ?? '(none)'))}</td></tr>`)
    .join('');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${name}</title>
<style>body{font:16px system-ui,sans-serif;margin:3em;color:#222}h1{color:${color}}
table{border-collapse:collapse}th,td{text-align:left;padding:.2em 1em .2em 0;font-family:ui-monospace,monospace;font-size:14px}</style></head>
<body><h1>Served by ${name}</h1>
<p>Visit <strong>${count}</strong> of this browser session on ${name}.</p>
<p>Reload: the balancer's <code>SERVERNAME</code> cookie keeps you here and the counter goes up.
Delete that cookie: round-robin sends you to the other server.</p>
<form method="post" action="/stop"><button>Stop ${name} for ${OUTAGE_MS / 1000} s</button></form>
<p>After stopping it, reload: with <code>option redispatch</code> you are moved to the other server with a fresh cookie, and the health checks mark ${name} DOWN.</p>
<p>The balancer's <a href="${escapeHtml(statsUrl)}">stats page</a> (credentials in the terminal) shows each server's state, and lets you drain one or put it in maintenance.</p>
<h2>Live from ${name} over a WebSocket</h2><pre id="live" style="height:6em;overflow:auto;background:#f4f4f4;padding:.5em">connecting…</pre>
<script>const out=document.getElementById('live');const ws=new WebSocket(location.href.replace(/^http/,'ws').replace(/[?#].*$/,''));
ws.onmessage=(e)=>{out.textContent=e.data+'\\n'+(out.textContent==='connecting…'?'':out.textContent).split('\\n').slice(0,5).join('\\n')};
ws.onclose=()=>{out.textContent='(closed)\\n'+out.textContent}</script>
<h2>What ${name} received</h2><table>${seen}</table></body></html>
`;
}
