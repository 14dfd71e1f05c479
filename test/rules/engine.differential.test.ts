/**
 * The rule engine against the real haproxy 2.6, before the admission step
 * calls it: each request goes through haproxy in front of echo backends, and
 * through `decideRequest`/`decideResponse` on the same configuration and
 * request head. Compared: status, Location, the body of answers, response
 * headers the rules set, which backend served, the target and the headers
 * the server saw.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHaproxyConfig } from '../../src/config/index.ts';
import type { Backend } from '../../src/config/types.ts';
import { decideRequest, decideResponse } from '../../src/rules/pipeline.ts';
import { createCredentialCheck } from '../../src/rules/userlist.ts';
import { shaCrypt } from '../../src/rules/sha-crypt.ts';
import { startEchoBackend, type EchoBackend, type EchoReply } from '../helpers/echo-backend.ts';
import { startHaproxy, type RunningHaproxy } from '../helpers/haproxy.ts';
import { send } from '../helpers/http-client.ts';
import { freePort } from '../helpers/ports.ts';
import { txnOf } from './helpers.ts';

const HASH = shaCrypt('s3cret', '$6$k9Hq2xv1$')!;

/** A typical tutorial's configuration (TLS replaced by a header so both run on plain HTTP). */
const CONFIG = `
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s

userlist admins
    user alice password ${HASH}
    user bob insecure-password hunter2

frontend www
    bind 127.0.0.1:\${PORT}
    monitor-uri /health
    acl is_api hdr_beg(host) -i api.
    acl is_api path_beg /api/
    acl old_proto hdr(x-proto) -i http
    acl auth_ok http_auth(admins)
    http-request redirect scheme https code 301 if old_proto
    http-request redirect prefix /v3 drop-query append-slash if { path_beg /v2 }
    http-request deny deny_status 429 if { hdr_cnt(x-flood) gt 1 }
    http-request deny if { path_reg ^/admin/secret } !auth_ok
    http-request auth realm Admins if { path_beg /admin } !auth_ok
    http-request return status 200 content-type text/plain string pong hdr X-Pong yes if { path /ping }
    http-request set-header X-Forwarded-Proto https
    http-request set-var(txn.host) req.hdr(host),lower,field(1,:)
    http-request set-header X-Host %[var(txn.host)]
    http-request set-path /internal%[path] if { path_beg -i /INT }
    http-request del-header X-Debug
    http-request replace-value X-List ^b$ B
    http-response set-header X-Frame-Options DENY
    http-response set-header X-Seen-Host %[var(txn.host)]
    use_backend api if is_api
    default_backend web

backend web
    server w1 127.0.0.1:\${S1}

backend api
    http-request set-header X-Backend api
    http-response set-header X-Frame-Options SAMEORIGIN
    server a1 127.0.0.1:\${S2}
`;

interface Seen {
  status: number;
  location?: string;
  body?: string;
  responseHeaders: Record<string, string | undefined>;
  server?: string;
  url?: string;
  serverSaw?: Record<string, string[]>;
}

const RESPONSE_HEADERS = ['x-frame-options', 'x-seen-host', 'x-pong', 'www-authenticate', 'content-type', 'cache-control'];
const SERVER_HEADERS = ['x-forwarded-proto', 'x-host', 'x-debug', 'x-list', 'x-backend'];

const basic = (user: string, pass: string): [string, string] => ['Authorization', `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`];
const CASES: { name: string; path: string; headers?: [string, string][] }[] = [
  { name: 'monitor-uri', path: '/health' },
  { name: 'redirect scheme https keeps port and query', path: '/x?y=1', headers: [['Host', 'a.test:8443'], ['X-Proto', 'http']] },
  { name: 'redirect prefix drop-query append-slash', path: '/v2/dir?z=1' },
  { name: 'deny_status 429 on two header values', path: '/', headers: [['X-Flood', '1, 2']] },
  { name: 'one X-Flood value passes', path: '/', headers: [['X-Flood', '1']] },
  { name: 'auth challenge', path: '/admin/' },
  { name: 'auth with a SHA-512 crypt password', path: '/admin/x', headers: [basic('alice', 's3cret')] },
  { name: 'auth with a wrong password', path: '/admin/x', headers: [basic('alice', 'nope')] },
  { name: 'auth with insecure-password', path: '/admin/secret', headers: [basic('bob', 'hunter2')] },
  { name: 'deny without credentials (rule order)', path: '/admin/secret' },
  { name: 'return string with hdr', path: '/ping' },
  { name: 'host switching + backend rules + response order', path: '/', headers: [['Host', 'API.example.com:81']] },
  { name: 'path switching', path: '/api/users' },
  { name: 'set-path -i, del-header, replace-value', path: '/Int/x?q=1', headers: [['X-Debug', '1'], ['X-List', 'a, b, c']] },
];

let haproxy: RunningHaproxy;
let web: EchoBackend;
let api: EchoBackend;
let env: Record<string, string>;

beforeAll(async () => {
  web = await startEchoBackend('web');
  api = await startEchoBackend('api');
  const port = await freePort();
  env = { PORT: String(port), S1: String(web.port), S2: String(api.port) };
  haproxy = await startHaproxy(CONFIG, [port], env);
});

afterAll(async () => {
  await haproxy?.close();
  await Promise.all([web?.close(), api?.close()]);
});

async function throughHaproxy(path: string, headers: [string, string][]): Promise<Seen> {
  const response = await send(Number(env.PORT), path, { headers });
  let reply: EchoReply | undefined;
  try {
    reply = JSON.parse(response.body) as EchoReply;
  } catch {
    reply = undefined;
  }
  return {
    status: response.status,
    ...(response.get('location') !== undefined ? { location: response.get('location')! } : {}),
    ...(reply ? {} : { body: response.body }),
    responseHeaders: Object.fromEntries(RESPONSE_HEADERS.map((n) => [n, response.get(n)])),
    ...(reply ? { server: reply.server, url: reply.url, serverSaw: pick(reply.headers) } : {}),
  };
}

function pick(headers: readonly [string, string][]): Record<string, string[]> {
  return Object.fromEntries(SERVER_HEADERS.map((n) => [n, headers.filter(([h]) => h.toLowerCase() === n).map(([, v]) => v)]));
}

function throughEngine(path: string, headers: [string, string][]): Seen {
  const { config } = parseHaproxyConfig([{ file: 'haproxy.cfg', text: CONFIG }], { env });
  const frontend = config.frontends[0]!;
  const backends = new Map<string, Backend>(config.backends.map((b) => [b.name, b]));
  const ruleEnv = { checkCredentials: createCredentialCheck(config.userlists ?? []) };
  // What Node's client sends: Host first unless given, then the test's lines, then Connection.
  const lines: [string, string][] = headers.some(([n]) => n.toLowerCase() === 'host') ? [...headers] : [['Host', `127.0.0.1:${env.PORT}`], ...headers];
  lines.push(['Connection', 'close']);
  const txn = txnOf(path, lines, { conn: { clientAddress: '127.0.0.1' } });
  const decision = decideRequest(frontend, backends, txn, ruleEnv);
  const answer = decision.kind === 'answer' || decision.kind === 'monitor' ? decision.answer : undefined;
  if (answer) {
    const get = (n: string) => answer.headers.filter(([h]) => h.toLowerCase() === n).map(([, v]) => v)[0];
    return {
      status: answer.status,
      ...(get('location') !== undefined ? { location: get('location')! } : {}),
      body: answer.body,
      responseHeaders: Object.fromEntries(RESPONSE_HEADERS.map((n) => [n, get(n)])),
    };
  }
  if (decision.kind !== 'forward') throw new Error(`unexpected decision ${decision.kind}`);
  txn.response = { status: 200, headers: [['Content-Type', 'application/json']] };
  decideResponse(frontend, backends.get(decision.backend!), txn, ruleEnv);
  const get = (n: string) => txn.response!.headers.filter(([h]) => h.toLowerCase() === n).map(([, v]) => v)[0];
  return {
    status: txn.response.status,
    responseHeaders: Object.fromEntries(RESPONSE_HEADERS.map((n) => [n, n === 'content-type' || n === 'cache-control' ? get(n)?.toLowerCase() : get(n)])),
    server: decision.backend,
    url: txn.request.target,
    serverSaw: pick(txn.request.headers),
  };
}

describe('rule engine vs haproxy 2.6 on a tutorial configuration', () => {
  for (const { name, path, headers = [] } of CASES) {
    it(name, async () => {
      const observed = await throughHaproxy(path, headers);
      const engine = throughEngine(path, headers);
      // The echo backend answers JSON with its own content type; the engine's stand-in response says the same.
      if (observed.server) observed.responseHeaders['content-type'] = observed.responseHeaders['content-type']?.toLowerCase().split(';')[0];
      expect(engine).toEqual(observed);
    });
  }
});
