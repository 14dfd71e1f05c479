/**
 * Rules given in an object config (`acls`, `httpRequest`, `httpResponse`,
 * `redirects`, `useBackend` with an ACL, `monitorUri`, `userlists`) behave as
 * the same lines in a haproxy.cfg on haproxy 2.6: haproxy runs the text,
 * edge-balancer (Node adapter) the object, each in front of its own echo
 * servers, and what the client and the servers observed must be the same.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeDeps } from '../../adapters/node/node-deps.ts';
import { startBalancer } from '../../adapters/node/serve.ts';
import { readObjectConfig } from '../../src/config/index.ts';
import type { Logger } from '../../src/deps.ts';
import { startEchoBackend, type EchoBackend, type EchoReply } from '../helpers/echo-backend.ts';
import { startHaproxy } from '../helpers/haproxy.ts';
import { send } from '../helpers/http-client.ts';
import { freePort } from '../helpers/ports.ts';

const TEXT = `
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s

userlist admins
    user alice insecure-password s3cret

frontend www
    bind 127.0.0.1:\${PORT}
    monitor-uri /health
    acl auth_ok http_auth(admins)
    acl is_api hdr_beg(host) -i api.
    http-request auth realm Admin if { path_beg /admin } !auth_ok
    http-request set-header X-Forwarded-Proto http if !{ ssl_fc }
    http-request return status 200 content-type text/plain string ok if { path /ready }
    http-response set-header X-Frame-Options DENY
    http-response del-header Server
    redirect location /new code 302 if { path /old }
    use_backend api if is_api
    use_backend static if { path_beg /static/ }
    default_backend app

backend app
    server a1 127.0.0.1:\${S1}

backend api
    http-response set-header X-Served-By api
    server p1 127.0.0.1:\${S2}

backend static
    http-request set-path %[path,regsub(^/static,)]
    server s1 127.0.0.1:\${S3}
`;

/** The same configuration as an object. */
function objectConfig(port: number, servers: readonly number[]): unknown {
  const timeouts = { connect: '5s', client: '30s', server: '30s' };
  const backend = (name: string, server: string, index: number, rules: object = {}) => ({
    name,
    timeouts,
    ...rules,
    servers: [{ name: server, host: '127.0.0.1', port: servers[index] }],
  });
  return {
    userlists: [{ name: 'admins', users: ['alice insecure-password s3cret'] }],
    frontends: [
      {
        name: 'www',
        binds: [`127.0.0.1:${port}`],
        timeouts,
        monitorUri: '/health',
        acls: ['auth_ok http_auth(admins)', 'is_api hdr_beg(host) -i api.'],
        httpRequest: [
          'auth realm Admin if { path_beg /admin } !auth_ok',
          'set-header X-Forwarded-Proto http if !{ ssl_fc }',
          'return status 200 content-type text/plain string ok if { path /ready }',
        ],
        httpResponse: ['set-header X-Frame-Options DENY', 'del-header Server'],
        redirects: ['location /new code 302 if { path /old }'],
        useBackend: [{ backend: 'api', if: 'is_api' }, { backend: 'static', if: '{ path_beg /static/ }' }],
        defaultBackend: 'app',
      },
    ],
    backends: [
      backend('app', 'a1', 0),
      backend('api', 'p1', 1, { httpResponse: ['set-header X-Served-By api'] }),
      backend('static', 's1', 2, { httpRequest: ['set-path %[path,regsub(^/static,)]'] }),
    ],
  };
}

const basic = (user: string, pass: string): [string, string] => ['Authorization', `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`];

const CASES: { name: string; path: string; headers?: [string, string][] }[] = [
  { name: 'monitor-uri', path: '/health' },
  { name: 'http-request return', path: '/ready' },
  { name: 'old redirect form', path: '/old?x=1' },
  { name: 'default backend, X-Forwarded-Proto, response headers', path: '/page?x=1' },
  { name: 'use_backend with a named ACL; backend then frontend response rules', path: '/v1/users', headers: [['Host', 'API.example.com']] },
  { name: 'use_backend with an anonymous ACL and a backend set-path', path: '/static/site.css' },
  { name: 'auth challenge', path: '/admin/' },
  { name: 'auth with the userlist password', path: '/admin/', headers: [basic('alice', 's3cret')] },
];

const CLIENT_HEADERS = ['location', 'www-authenticate', 'content-type', 'x-frame-options', 'x-served-by', 'server'];

interface Seen {
  status: number;
  headers: Record<string, string | undefined>;
  body?: string;
  server?: string;
  serverSawTarget?: string;
  serverSawProto?: string[];
}

async function observe(port: number, { path, headers = [] }: (typeof CASES)[number]): Promise<Seen> {
  const response = await send(port, path, { headers: [...headers, ['Connection', 'close']] });
  const seen: Seen = { status: response.status, headers: Object.fromEntries(CLIENT_HEADERS.map((n) => [n, response.get(n)])) };
  let reply: EchoReply | undefined;
  try {
    reply = JSON.parse(response.body) as EchoReply;
  } catch {
    seen.body = response.body;
  }
  if (reply) {
    seen.server = reply.server;
    seen.serverSawTarget = reply.url;
    seen.serverSawProto = reply.headers.filter(([n]) => n.toLowerCase() === 'x-forwarded-proto').map(([, v]) => v);
  }
  if (seen.headers['content-type']) seen.headers['content-type'] = seen.headers['content-type'].toLowerCase().replace(/;\s*charset=utf-8$/, '');
  return seen;
}

async function observeAll(kind: 'haproxy' | 'edge'): Promise<Seen[]> {
  const backends: EchoBackend[] = [];
  let close: (() => Promise<unknown>) | undefined;
  try {
    for (const name of ['app', 'api', 'static']) backends.push(await startEchoBackend(name));
    const port = await freePort();
    if (kind === 'haproxy') {
      const env: Record<string, string> = { PORT: String(port) };
      backends.forEach((b, i) => (env[`S${i + 1}`] = String(b.port)));
      close = (await startHaproxy(TEXT, [port], env)).close;
    } else {
      const { config, notices } = readObjectConfig(objectConfig(port, backends.map((b) => b.port)), 'edge.json');
      expect(notices).toEqual([]);
      const silent: Logger = { info: () => {}, warn: () => {}, access: () => {} };
      const balancer = await startBalancer(config, { deps: createNodeDeps(silent) });
      close = () => balancer.close(0);
    }
    const seen: Seen[] = [];
    for (const c of CASES) seen.push(await observe(port, c));
    return seen;
  } finally {
    await close?.();
    await Promise.all(backends.map((b) => b.close()));
  }
}

const observed = new Map<string, { haproxy: Seen; edge: Seen }>();

beforeAll(async () => {
  const haproxy = await observeAll('haproxy');
  const edge = await observeAll('edge');
  CASES.forEach((c, i) => observed.set(c.name, { haproxy: haproxy[i]!, edge: edge[i]! }));
}, 60_000);

afterAll(() => observed.clear());

describe('rules in an object config on edge-balancer vs the same lines on haproxy 2.6', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const { haproxy, edge } = observed.get(c.name)!;
      expect(edge).toEqual(haproxy);
    });
  }

  it('the rules did something (not two identical pass-throughs)', () => {
    expect(observed.get('old redirect form')!.edge).toMatchObject({ status: 302, headers: { location: '/new' } });
    expect(observed.get('use_backend with a named ACL; backend then frontend response rules')!.edge).toMatchObject({ server: 'api', headers: { 'x-frame-options': 'DENY', 'x-served-by': 'api' } });
    expect(observed.get('use_backend with an anonymous ACL and a backend set-path')!.edge).toMatchObject({ server: 'static', serverSawTarget: '/site.css' });
    expect(observed.get('auth challenge')!.edge.status).toBe(401);
    expect(observed.get('auth with the userlist password')!.edge).toMatchObject({ status: 200, server: 'app', serverSawProto: ['http'] });
  });
});
