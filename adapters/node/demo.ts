/** `npm start`: the seed configuration in front of two demo backends on loopback. */
import { parseHaproxyConfig } from '../../src/config/index.ts';
import { startDemoBackend } from './demo-backends.ts';
import { startBalancer } from './serve.ts';

/** The seed's `listen` section, plus `option redispatch` so a stopped server fails over on reload. */
export const DEMO_CONFIG = `# edge-balancer demo (HAProxy syntax)
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
`;

export async function runDemo(port: number): Promise<() => Promise<void>> {
  const backends = [await startDemoBackend('apache-1', '#1565c0'), await startDemoBackend('apache-2', '#2e7d32')];
  const { config } = parseHaproxyConfig([{ file: '<demo>', text: DEMO_CONFIG }], {
    env: { DEMO_PORT: String(port), BACKEND_1_PORT: String(backends[0]!.port), BACKEND_2_PORT: String(backends[1]!.port) },
  });
  const balancer = await startBalancer(config).catch(async (error: NodeJS.ErrnoException) => {
    await Promise.all(backends.map((b) => b.close()));
    if (error.code === 'EADDRINUSE') throw new Error(`port ${port} is in use; run with PORT=<free port> npm start`);
    throw error;
  });
  const url = `http://127.0.0.1:${balancer.listeners[0]!.port}/`;
  process.stderr.write(`
edge-balancer demo: open ${url}

  backends: apache-1 on 127.0.0.1:${backends[0]!.port}, apache-2 on 127.0.0.1:${backends[1]!.port}
  config:   the seed's "listen appname" (roundrobin, httpclose, forwardfor,
            cookie SERVERNAME insert indirect nocache, checks every 1 s)

  try:  reload            -> same server, its visit counter goes up (cookie SERVERNAME)
        delete the cookie -> round-robin picks the other server
        "Stop" button     -> the next reload is redispatched to the other server with
                             a fresh cookie; the checks log the server DOWN, then UP
  curl: curl -i ${url}   (no cookie: alternates apache-1, apache-2)

Access log below. Ctrl-C stops.

`);
  return async () => {
    await balancer.close(2_000);
    await Promise.all(backends.map((b) => b.close()));
  };
}
