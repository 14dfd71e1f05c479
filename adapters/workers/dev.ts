/**
 * `npm run dev:workers`: the Worker in `wrangler dev` (workerd on this
 * machine) in front of the Node demo's two backends, with the demo's
 * configuration given as EDGE_BALANCER_CONFIG.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { startDemoBackend } from '../node/demo-backends.ts';

const port = Number(process.env.PORT ?? 8787);
const statsUrl = `http://127.0.0.1:${port}/haproxy?stats`;
const backends = [await startDemoBackend('apache-1', '#1565c0', statsUrl), await startDemoBackend('apache-2', '#2e7d32', statsUrl)];
const password = randomBytes(9).toString('base64url');
const config = `defaults
    mode http
    timeout connect 5s
    timeout server 30s
    retries 3
listen appname
    bind :${port}
    balance roundrobin
    option forwardfor
    option redispatch
    cookie SERVERNAME insert indirect nocache
    stats uri /haproxy?stats
    stats realm Strictly\\ Private
    stats admin if TRUE
    server apache-1 127.0.0.1:${backends[0]!.port} cookie s1 check inter 1s
    server apache-2 127.0.0.1:${backends[1]!.port} cookie s2 check inter 1s
`;
process.stderr.write(`\nedge-balancer on workerd: http://127.0.0.1:${port}/   stats: ${statsUrl} (admin / ${password})\n\n`);
const wrangler = spawn(
  'npx',
  ['wrangler', 'dev', '--ip', '127.0.0.1', '--port', String(port), '--var', `EDGE_BALANCER_CONFIG:${config}`, '--var', `STATS_AUTH:admin:${password}`],
  { stdio: 'inherit' },
);
const stop = () => wrangler.kill('SIGINT');
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
wrangler.on('exit', async (code) => {
  await Promise.all(backends.map((b) => b.close()));
  process.exit(code ?? 0);
});
