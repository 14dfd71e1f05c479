/**
 * Which request-targets the stats page catches (issue 15 item 9), on haproxy
 * and edge-balancer: haproxy's http_stats_check_uri compares `stats uri` with
 * the target as received, from its path on, so dot segments and `%2e%2e`
 * are not resolved and an absolute-form target is compared after its
 * authority. Also which requests are routed by `path_beg` and forwarded,
 * and how a Host with `/` and `?` in it is treated.
 */
import { describe, expect, it } from 'vitest';
import type { EchoReply } from '../helpers/echo-backend.ts';
import { send } from '../helpers/http-client.ts';
import { runOnBoth } from './harness.ts';

const config = `
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend web
    bind 127.0.0.1:\${PORT}
    stats enable
    stats uri /stats
    stats auth admin:secret
    use_backend admin if { path_beg /admin }
    default_backend app
backend app
    server app 127.0.0.1:\${S1}
backend admin
    server admin 127.0.0.1:\${S2}
`;

const REQUESTS: readonly { readonly path: string; readonly host?: string }[] = [
  { path: '/stats/../x' },
  { path: '/stats/%2e%2e/x' },
  { path: '/stats?x' },
  { path: '/statsfoo' },
  { path: 'http://web.test/stats', host: 'web.test' },
  { path: 'http://web.test/stats;csv', host: 'WEB.test' },
  { path: 'http://web.test/x/../stats', host: 'web.test' },
  { path: '/x/../stats' },
  { path: '/x/../admin/y' },
  { path: 'http://web.test/admin/y', host: 'web.test' },
  { path: '/public', host: 'a/admin/y?' },
  { path: '/public', host: 'a/stats' },
];

describe('stats URI and request-target: haproxy vs edge-balancer', () => {
  it('the same requests reach the stats page, the same reach each backend with the same target', async () => {
    const { haproxy, edge } = await runOnBoth(config, ['app', 'admin'], async ({ port }) => {
      const seen: string[] = [];
      for (const { path, host } of REQUESTS) {
        const response = await send(port, path, host ? { headers: [['Host', host]] } : {});
        let outcome = String(response.status);
        if (response.status === 401) outcome += response.get('www-authenticate') ?? '';
        if (response.status === 200) {
          const reply = JSON.parse(response.body) as EchoReply;
          outcome += ` ${reply.server} ${reply.url}`;
        }
        seen.push(`${host ?? ''} ${path} → ${outcome}`);
      }
      return seen;
    });
    expect(edge).toEqual(haproxy);
    // What haproxy 2.6.12 does, so that the comparison cannot pass on a broken oracle.
    expect(haproxy).toContain(' /stats/../x → 401Basic realm="HAProxy Statistics"');
    expect(haproxy).toContain('web.test http://web.test/stats → 401Basic realm="HAProxy Statistics"');
    expect(haproxy).toContain('a/admin/y? /public → 200 app /public');
  });
});
