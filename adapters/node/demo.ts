/** `npm start`: the seed configuration in front of two demo backends on loopback. */
import { randomBytes } from 'node:crypto';
import { parseHaproxyConfig } from '../../src/config/index.ts';
import { startDemoBackend } from './demo-backends.ts';
import { startBalancer } from './serve.ts';

/**
 * The seed's `listen` sections: the application, plus `option redispatch` so a
 * stopped server fails over on reload, and the stats page with admin actions.
 * `stats auth` takes no variables (as in HAProxy), so the credentials, made
 * up at each start, are written into the text.
 */
export const demoConfig = (credentials: { admin: string; ops: string }) => `# edge-balancer demo (HAProxy syntax)
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
    retries 3

listen appname
    bind 127.0.0.1:\${DEMO_PORT}
    balance roundrobin
    option httpclose
    option forwardfor
    option redispatch
    cookie SERVERNAME insert indirect nocache
    server apache-1 127.0.0.1:\${BACKEND_1_PORT} cookie s1 check inter 1s
    server apache-2 127.0.0.1:\${BACKEND_2_PORT} cookie s2 check inter 1s

listen stats
    bind 127.0.0.1:\${STATS_PORT}
    stats enable
    stats uri /
    stats realm Strictly\\ Private
    stats auth admin:${credentials.admin}
    stats auth ops:${credentials.ops}
    stats admin if TRUE
    stats refresh 5s
    stats show-legends
`;

const newPassword = () => randomBytes(9).toString('base64url');

export async function runDemo(port: number, statsPort = port + 1): Promise<() => Promise<void>> {
  const statsUrl = `http://127.0.0.1:${statsPort}/`;
  const backends = [await startDemoBackend('apache-1', '#1565c0', statsUrl), await startDemoBackend('apache-2', '#2e7d32', statsUrl)];
  const credentials = { admin: newPassword(), ops: newPassword() };
  const { config } = parseHaproxyConfig([{ file: '<demo>', text: demoConfig(credentials) }], {
    env: {
      DEMO_PORT: String(port),
      STATS_PORT: String(statsPort),
      BACKEND_1_PORT: String(backends[0]!.port),
      BACKEND_2_PORT: String(backends[1]!.port),
    },
  });
  const balancer = await startBalancer(config).catch(async (error: NodeJS.ErrnoException) => {
    await Promise.all(backends.map((b) => b.close()));
    if (error.code === 'EADDRINUSE') {
      throw new Error(`port ${port} or ${statsPort} is in use; run with PORT=<free port> (and STATS_PORT=<free port>) npm start`);
    }
    throw error;
  });
  const url = `http://127.0.0.1:${balancer.listeners[0]!.port}/`;
  process.stderr.write(`
edge-balancer demo: open ${url}

  backends: apache-1 on 127.0.0.1:${backends[0]!.port}, apache-2 on 127.0.0.1:${backends[1]!.port}
  config:   the seed's "listen appname" (roundrobin, httpclose, forwardfor,
            cookie SERVERNAME insert indirect nocache, checks every 1 s)

  try:  reload            -> same server, its visit counter goes up (cookie SERVERNAME);
                             the page's live feed is a WebSocket to that same server
        delete the cookie -> round-robin picks the other server
        "Stop" button     -> the next reload is redispatched to the other server with
                             a fresh cookie; the checks log the server DOWN, then UP
  curl: curl -i ${url}   (no cookie: alternates apache-1, apache-2)

  stats: ${statsUrl}   ("listen stats", basic auth, realm "Strictly Private")
         user admin, password ${credentials.admin}
         user ops,   password ${credentials.ops}
         (made up at this start; both may set servers to drain/maint from the page)
         csv: ${statsUrl};csv   prometheus: ${statsUrl};prometheus

Access log below. Ctrl-C stops.

`);
  return async () => {
    await balancer.close(2_000);
    await Promise.all(backends.map((b) => b.close()));
  };
}
