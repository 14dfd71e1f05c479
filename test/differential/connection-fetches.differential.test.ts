/**
 * `dst`, `dst_port`, `env(NAME)` and `hdr_ip(NAME)` on haproxy 2.6 and on
 * edge-balancer (Node adapter): the headers rules built from them, as the
 * server saw them, and the answers ACLs on them chose.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EchoReply } from '../helpers/echo-backend.ts';
import { send } from '../helpers/http-client.ts';
import { runOn } from './harness.ts';

const CONFIG = `
global
    setenv EB_TEST_GLOBAL set-by-config
    unsetenv EB_TEST_DROPPED

defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s

frontend www
    bind 127.0.0.1:\${PORT}
    http-request deny deny_status 403 if { hdr_ip(x-client) 10.0.0.0/8 }
    http-request set-header X-Dst %[dst]
    http-request set-header X-Dst-Port-Matches yes if { dst_port "\${PORT}" }
    http-request set-header X-Local yes if { dst 127.0.0.0/8 }
    http-request set-header X-Env %[env(EB_TEST_STAGE)]
    http-request set-header X-Env-Unset <%[env(EB_TEST_UNSET)]>
    http-request set-header X-Global %[env(EB_TEST_GLOBAL)]
    http-request set-header X-Dropped <%[env(EB_TEST_DROPPED)]>
    http-request set-header X-Client-Ip %[req.hdr_ip(x-client)]
    default_backend app

backend app
    server a1 127.0.0.1:\${S1}
`;

const CLIENTS = ['192.168.0.1', '192.168.0.1:8080', '10.1.2.3', '10.1.2.3:8080', '010.1.2.3', '::1', 'garbage', '1.2.3.4, 5.6.7.8', '1.2.3.4, junk', '10.0.0.1, junk', '1.2.3.4:99999', '256.1.1.1'];

interface Seen {
  status: number;
  server?: Record<string, string[]>;
}

const seen: Record<'haproxy' | 'edge-balancer', Seen[]> = { haproxy: [], 'edge-balancer': [] };

beforeAll(async () => {
  // env() reads the process's environment on both: haproxy inherits the test's, edge-balancer runs in it.
  process.env['EB_TEST_STAGE'] = 'prod';
  // The configuration's `unsetenv` hides it from env(), and its `setenv` adds one.
  process.env['EB_TEST_DROPPED'] = 'still-here';
  for (const kind of ['haproxy', 'edge-balancer'] as const) {
    await runOn(kind, CONFIG, ['app'], async (proxy) => {
      for (const client of CLIENTS) {
        const response = await send(proxy.port, '/', { headers: [['X-Client', client], ['Connection', 'close']] });
        const entry: Seen = { status: response.status };
        if (response.status === 200) {
          const reply = JSON.parse(response.body) as EchoReply;
          const names = ['x-dst', 'x-dst-port-matches', 'x-local', 'x-env', 'x-env-unset', 'x-global', 'x-dropped', 'x-client-ip'];
          entry.server = Object.fromEntries(names.map((n) => [n, reply.headers.filter(([h]) => h.toLowerCase() === n).map(([, v]) => v)]));
        }
        seen[kind].push(entry);
      }
    });
  }
}, 30_000);

afterAll(() => {
  delete process.env['EB_TEST_STAGE'];
  delete process.env['EB_TEST_DROPPED'];
});

describe('dst, dst_port, env(), hdr_ip(), edge-balancer vs haproxy 2.6', () => {
  CLIENTS.forEach((client, i) => {
    it(`X-Client: ${client}`, () => {
      expect(seen['edge-balancer'][i]).toEqual(seen.haproxy[i]);
    });
  });

  it('the fetches found something (not two empty answers)', () => {
    expect(seen['edge-balancer'][0]).toEqual({
      status: 200,
      server: { 'x-dst': ['127.0.0.1'], 'x-dst-port-matches': ['yes'], 'x-local': ['yes'], 'x-env': ['prod'], 'x-env-unset': ['<>'], 'x-global': ['set-by-config'], 'x-dropped': ['<>'], 'x-client-ip': ['192.168.0.1'] },
    });
    expect(seen['edge-balancer'][2]!.status).toBe(403);
  });
});
