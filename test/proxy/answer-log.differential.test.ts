/**
 * The access-log line of a request the balancer answers itself, differential:
 * haproxy 2.6 logs a deny, a redirect, a `return`, an `auth` challenge, a
 * tarpit and a reject as `FRONTEND/<NOSRV>` with the answer's status (-1 for
 * a reject) and a termination state (PR, LR, PT), and does not log
 * `monitor-uri` requests. edge-balancer wrote no line for any of them.
 */
import { once } from 'node:events';
import { connect } from 'node:net';
import { describe, expect, test } from 'vitest';
import { formatHttpLog } from '../../src/proxy/access-log.ts';
import { startEchoBackend } from '../helpers/echo-backend.ts';
import { startEdge } from '../helpers/edge-balancer.ts';
import { startHaproxy } from '../helpers/haproxy.ts';
import { freePort } from '../helpers/ports.ts';
import { waitFor } from '../helpers/wait.ts';

const CONFIG = `
global
  log stdout format raw local0

userlist admins
  user bob insecure-password secret

defaults
  mode http
  log global
  option httplog
  timeout connect 2s
  timeout client 10s
  timeout server 10s
  timeout tarpit 50ms

frontend www
  bind 127.0.0.1:\${PORT}
  monitor-uri /health
  http-request deny if { path_beg /deny }
  http-request deny deny_status 429 if { path_beg /slow-down }
  http-request redirect location /elsewhere if { path_beg /moved }
  http-request return status 200 content-type text/plain string ok if { path_beg /ret }
  http-request auth realm admins if { path_beg /admin } !{ http_auth(admins) }
  http-request tarpit if { path_beg /tarpit }
  http-request reject if { path_beg /reject }
  default_backend app

backend app
  server s1 127.0.0.1:\${S1}
`;

const PATHS = ['/deny', '/slow-down', '/moved', '/ret', '/admin', '/tarpit', '/reject', '/health', '/proxied'];

/** Sends one request on its own connection and waits for the answer or the close. */
async function get(port: number, path: string): Promise<void> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.on('data', () => {});
  socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
  await once(socket, 'close');
}

/** frontend, backend/server, status, termination (its first two letters), request: what both logs share. */
function shared(line: string): string {
  const words = line.split(' ');
  const request = /"(.*)"$/.exec(line.trimEnd())?.[1]?.replace(/ HTTP\/1\.1$/, '');
  // haproxy: … fe be/srv Tq/Tw/Tc/Tr/Tt status bytes cookie cookie TERM …; edge-balancer: … fe be/srv Tr/Tt status TERM …
  const haproxyLine = words.length > 10;
  const termination = (haproxyLine ? words[9] : words[6])!.slice(0, 2);
  return `${words[2]} ${words[3]} ${words[5]} ${termination} "${request}"`;
}

describe('the balancer’s own answers in the access log: haproxy vs edge-balancer', () => {
  test('the same lines, monitor-uri left out', async () => {
    const backend = await startEchoBackend('s1');
    const env = { PORT: String(await freePort()), S1: String(backend.port) };
    try {
      const haproxy = await startHaproxy(CONFIG, [Number(env.PORT)], env);
      let fromHaproxy: string[];
      try {
        for (const path of PATHS) await get(Number(env.PORT), path);
        // The start-up probe's empty connection is haproxy's `<BADREQ>` line: not one of ours.
        const lines = () => haproxy.output().split('\n').filter((line) => line.includes(' www ') && !line.includes('<BADREQ>'));
        await waitFor(() => lines().some((line) => line.includes('/proxied')), 'haproxy logged the last request');
        // haproxy may write a line after the client saw its connection close: compare as sets.
        fromHaproxy = lines().map(shared).sort();
      } finally {
        await haproxy.close();
      }
      const edge = await startEdge(CONFIG, env);
      let fromEdge: string[];
      try {
        for (const path of PATHS) await get(edge.listeners[0]!.port, path);
        await waitFor(() => edge.access.some((entry) => entry.uri === '/proxied'), 'edge-balancer logged the last request');
        fromEdge = edge.access.map((entry) => shared(formatHttpLog(entry))).sort();
      } finally {
        await edge.close(0);
      }
      expect(fromHaproxy).toEqual(
        [
          'www www/<NOSRV> 403 PR "GET /deny"',
          'www www/<NOSRV> 429 PR "GET /slow-down"',
          'www www/<NOSRV> 302 LR "GET /moved"',
          'www www/<NOSRV> 200 LR "GET /ret"',
          'www www/<NOSRV> 401 LR "GET /admin"',
          'www www/<NOSRV> 500 PT "GET /tarpit"',
          'www www/<NOSRV> -1 PR "GET /reject"',
          'www app/s1 200 -- "GET /proxied"',
        ].sort(),
      );
      expect(fromEdge).toEqual(fromHaproxy);
    } finally {
      await backend.close();
    }
  });
});
