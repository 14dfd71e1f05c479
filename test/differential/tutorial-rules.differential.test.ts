/**
 * A typical tutorial's configuration through the real balancer (Node adapter,
 * fast path included) and through haproxy 2.6, each in front of its own echo
 * servers: the HTTP→HTTPS redirect, X-Forwarded-Proto, host- and path-based
 * switching with a backend rewrite, security headers on responses, `/health`
 * answered by the balancer, Prometheus at `/metrics`, basic auth from a
 * `userlist`. What the client and the servers observed must be the same.
 * (No TLS here: the redirecting frontend and the application frontend are
 * two plain listeners, so `ssl_fc` is false on both, as on a TLS terminator's
 * plain side.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shaCrypt } from '../../src/rules/sha-crypt.ts';
import { startEchoBackend, type EchoBackend, type EchoReply } from '../helpers/echo-backend.ts';
import { startEdge } from '../helpers/edge-balancer.ts';
import { startHaproxy } from '../helpers/haproxy.ts';
import { send } from '../helpers/http-client.ts';
import { freePort } from '../helpers/ports.ts';

const HASH = shaCrypt('s3cret', '$6$Qm3b0x7T$')!;

const CONFIG = `
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s

userlist admins
    user alice password ${HASH}

frontend http_in
    bind 127.0.0.1:\${PORT}
    redirect scheme https code 301 if !{ ssl_fc }

frontend www
    bind 127.0.0.1:\${PORT2}
    monitor-uri /health
    acl auth_ok http_auth(admins)
    http-request use-service prometheus-exporter if { path /metrics }
    http-request auth realm Admin if { path_beg /admin } !auth_ok
    http-request set-header X-Forwarded-Proto https if { ssl_fc }
    http-request set-header X-Forwarded-Proto http if !{ ssl_fc }
    http-request return status 200 content-type text/plain string ok if { path /ready }
    http-response set-header Strict-Transport-Security "max-age=31536000; includeSubDomains"
    http-response set-header X-Content-Type-Options nosniff
    http-response set-header X-Frame-Options DENY
    http-response del-header Server
    http-response deny if { res.hdr(cache-control) -m sub leak }
    use_backend api if { hdr_beg(host) -i api. }
    use_backend static if { path_beg /static/ }
    default_backend app

backend app
    server a1 127.0.0.1:\${S1}

backend api
    http-response set-header X-Frame-Options SAMEORIGIN
    server p1 127.0.0.1:\${S2}

backend static
    http-request set-path %[path,regsub(^/static,)]
    server s1 127.0.0.1:\${S3}
`;

const basic = (user: string, pass: string): [string, string] => ['Authorization', `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`];

/** `port`: 1 is the redirecting frontend, 2 the application's. */
const CASES: { name: string; port: 1 | 2; path: string; headers?: [string, string][] }[] = [
  { name: 'HTTP→HTTPS redirect keeps host and query', port: 1, path: '/shop?item=3', headers: [['Host', 'www.example.com']] },
  { name: 'monitor-uri /health', port: 2, path: '/health' },
  { name: 'http-request return', port: 2, path: '/ready' },
  { name: 'default backend, X-Forwarded-Proto and security headers', port: 2, path: '/page?x=1' },
  { name: 'host switching; the backend rule runs before the frontend one', port: 2, path: '/v1/users', headers: [['Host', 'API.example.com']] },
  { name: 'path switching with a backend set-path', port: 2, path: '/static/css/site.css' },
  { name: 'basic auth challenge', port: 2, path: '/admin/' },
  { name: 'basic auth with the userlist password', port: 2, path: '/admin/', headers: [basic('alice', 's3cret')] },
  { name: 'basic auth with a wrong password', port: 2, path: '/admin/', headers: [basic('alice', 'wrong')] },
  { name: 'Prometheus at /metrics', port: 2, path: '/metrics' },
  { name: 'http-response deny replaces a response', port: 2, path: '/?cache-control=leak' },
];

const CLIENT_HEADERS = ['location', 'www-authenticate', 'content-type', 'cache-control', 'strict-transport-security', 'x-content-type-options', 'x-frame-options', 'server'];

interface Seen {
  status: number;
  headers: Record<string, string | undefined>;
  /** The balancer's own answers' bodies; for /metrics whether a metric family is there. */
  body?: string;
  server?: string;
  serverSawTarget?: string;
  serverSawProto?: string[];
}

interface Running {
  ports: [number, number];
  close(): Promise<void>;
}

async function start(kind: 'haproxy' | 'edge'): Promise<Running> {
  const backends: EchoBackend[] = [];
  for (const name of ['app', 'api', 'static']) backends.push(await startEchoBackend(name));
  const ports: [number, number] = [await freePort(), await freePort()];
  const env: Record<string, string> = { PORT: String(ports[0]), PORT2: String(ports[1]) };
  backends.forEach((b, i) => (env[`S${i + 1}`] = String(b.port)));
  const proxy = kind === 'haproxy' ? await startHaproxy(CONFIG, ports, env) : await startEdge(CONFIG, env);
  return {
    ports,
    close: async () => {
      await (kind === 'haproxy' ? proxy.close() : (proxy as Awaited<ReturnType<typeof startEdge>>).close(0));
      await Promise.all(backends.map((b) => b.close()));
    },
  };
}

async function observe(running: Running, { port, path, headers = [] }: (typeof CASES)[number]): Promise<Seen> {
  const response = await send(running.ports[port - 1], path, { headers: [...headers, ['Connection', 'close']] });
  const seen: Seen = { status: response.status, headers: Object.fromEntries(CLIENT_HEADERS.map((n) => [n, response.get(n)])) };
  // The echo servers answer JSON; a Date-free `server` header is the echo's, `content-type` its own.
  let reply: EchoReply | undefined;
  try {
    reply = JSON.parse(response.body) as EchoReply;
  } catch {
    reply = undefined;
  }
  if (path === '/metrics') seen.body = String(response.body.includes('\nhaproxy_server_status{'));
  else if (!reply) seen.body = response.body;
  if (reply) {
    seen.server = reply.server;
    seen.serverSawTarget = reply.url;
    seen.serverSawProto = reply.headers.filter(([n]) => n.toLowerCase() === 'x-forwarded-proto').map(([, v]) => v);
  }
  if (seen.headers['content-type']) seen.headers['content-type'] = seen.headers['content-type'].toLowerCase().replace(/;\s*charset=utf-8$/, '');
  return seen;
}

const observed = new Map<string, { haproxy: Seen; edge: Seen }>();

beforeAll(async () => {
  const results: Record<'haproxy' | 'edge', Seen[]> = { haproxy: [], edge: [] };
  for (const kind of ['haproxy', 'edge'] as const) {
    const running = await start(kind);
    try {
      for (const c of CASES) results[kind].push(await observe(running, c));
    } finally {
      await running.close();
    }
  }
  CASES.forEach((c, i) => observed.set(c.name, { haproxy: results.haproxy[i]!, edge: results.edge[i]! }));
}, 60_000);

afterAll(() => observed.clear());

describe('a tutorial configuration with rules, edge-balancer on Node vs haproxy 2.6', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const { haproxy, edge } = observed.get(c.name)!;
      expect(edge).toEqual(haproxy);
    });
  }

  it('the rules did something (not two identical pass-throughs)', () => {
    expect(observed.get('HTTP→HTTPS redirect keeps host and query')!.edge).toMatchObject({ status: 301, headers: { location: 'https://www.example.com/shop?item=3' } });
    expect(observed.get('path switching with a backend set-path')!.edge).toMatchObject({ server: 'static', serverSawTarget: '/css/site.css' });
    expect(observed.get('Prometheus at /metrics')!.edge).toMatchObject({ status: 200, body: 'true' });
    expect(observed.get('basic auth challenge')!.edge.status).toBe(401);
    expect(observed.get('http-response deny replaces a response')!.edge.status).toBe(observed.get('http-response deny replaces a response')!.haproxy.status);
    expect(observed.get('http-response deny replaces a response')!.haproxy.status).not.toBe(200);
  });
});
