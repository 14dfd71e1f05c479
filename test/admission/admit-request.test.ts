/**
 * The admission step on plain data: one decision per request head, the same
 * whichever runtime received it (the Node fast path passes the raw target,
 * Deno and Workers the URL they rebuilt).
 */
import { describe, expect, it } from 'vitest';
import { admitRequest, type Admission, type ReceivedHead } from '../../src/admission/admit-request.ts';
import { BalancerState } from '../../src/balancer/balancer-state.ts';
import { parseHaproxyConfig } from '../../src/config/index.ts';
import { MemoryHealthStore } from '../../src/health/memory-store.ts';

const CONFIG = `defaults
    mode http
frontend web
    bind 127.0.0.1:8080
    stats enable
    stats uri /stats
    use_backend admin if { path_beg /admin }
    use_backend api if { hdr(host) -i api.test }
    default_backend app
backend app
    server a1 127.0.0.1:1
backend admin
    server m1 127.0.0.1:2
backend api
    stats enable
    stats uri /api-stats
    server p1 127.0.0.1:3
frontend nowhere
    bind 127.0.0.1:8081
listen both
    bind 127.0.0.1:8082
    stats enable
    stats uri /
    server b1 127.0.0.1:4
`;

function balancer() {
  const { config } = parseHaproxyConfig([{ file: 't.cfg', text: CONFIG }], { env: {} });
  return new BalancerState(config, new MemoryHealthStore(), 0);
}

const state = balancer();
const conn = { clientAddress: '192.0.2.7', clientPort: 40000, httpVersion: '1.1' };

function admit(target: string, headers: [string, string][] = [['Host', 'www.test']], options: { method?: string; frontend?: string; rebuilt?: boolean } = {}): Admission {
  const head: ReceivedHead = { method: options.method ?? 'GET', target, headers, rebuilt: options.rebuilt };
  return admitRequest(state, state.frontends.get(options.frontend ?? 'web')!, head, conn);
}

/** `backend:target` for a proxied request, `stats:<uri>` or the answer's status otherwise. */
function outcome(admission: Admission): string {
  switch (admission.kind) {
    case 'proxy':
      return `${admission.runtime.backend.name}:${admission.head.target}`;
    case 'stats':
      return `stats:${admission.stats.uri}`;
    case 'answer':
      return String(admission.response.status);
    case 'reject':
      return 'reject';
    case 'prometheus':
      return 'prometheus';
  }
}

describe('admitRequest', () => {
  it('routes on the path and on Host, and forwards the target as received', () => {
    expect(outcome(admit('/x/../admin/a?b'))).toBe('app:/x/../admin/a?b');
    expect(outcome(admit('/admin/a?b'))).toBe('admin:/admin/a?b');
    expect(outcome(admit('/', [['Host', 'API.test']]))).toBe('api:/');
    // haproxy forwards an absolute-form target as it came, and routes on its path.
    expect(outcome(admit('http://www.test/admin/x'))).toBe('admin:http://www.test/admin/x');
  });

  it('builds the transaction the rules will read', () => {
    const admission = admit('/p?q', [['Host', 'www.test'], ['X-A', '1'], ['x-a', '2']]);
    expect(admission.kind).toBe('proxy');
    if (admission.kind !== 'proxy') return;
    const { transaction } = admission;
    expect(transaction.conn).toBe(conn);
    expect(transaction.frontend).toBe('web');
    expect(transaction.backend).toBe('app');
    expect(transaction.request).toEqual({ method: 'GET', target: '/p?q', headers: [['Host', 'www.test'], ['X-A', '1'], ['x-a', '2']] });
    expect(admission.head).toBe(transaction.request);
    expect(transaction.vars.size).toBe(0);
  });

  it('matches `stats uri` as http_stats_check_uri: the target as received, from its path on (issue 15 item 9)', () => {
    expect(outcome(admit('/stats'))).toBe('stats:/stats');
    expect(outcome(admit('/statsfoo?x'))).toBe('stats:/stats');
    expect(outcome(admit('/stats/../x'))).toBe('stats:/stats');
    expect(outcome(admit('/stats/%2e%2e/x'))).toBe('stats:/stats');
    expect(outcome(admit('http://www.test/stats'))).toBe('stats:/stats');
    expect(outcome(admit('http://www.test/stats;csv', [['Host', 'WWW.test']]))).toBe('stats:/stats');
    // Not stats on haproxy either (observed): the path after the authority does not start with /stats.
    expect(outcome(admit('http://www.test/x/../stats'))).toBe('app:http://www.test/x/../stats');
    expect(outcome(admit('/x/../stats'))).toBe('app:/x/../stats');
    // Only GET, HEAD and POST are intercepted.
    expect(outcome(admit('/stats', undefined, { method: 'HEAD' }))).toBe('stats:/stats');
    expect(outcome(admit('/stats', undefined, { method: 'PUT' }))).toBe('app:/stats');
  });

  it("serves the chosen backend's stats, and a listen's for every path of `stats uri /`", () => {
    expect(outcome(admit('/api-stats;csv', [['Host', 'api.test']]))).toBe('stats:/api-stats');
    expect(outcome(admit('/api-stats', [['Host', 'www.test']]))).toBe('app:/api-stats');
    expect(outcome(admit('/anything', undefined, { frontend: 'both' }))).toBe('stats:/');
    expect(outcome(admit('*', undefined, { frontend: 'both', method: 'OPTIONS' }))).toBe('400');
  });

  it("answers haproxy's 503 page when no backend takes the request", () => {
    const admission = admit('/', undefined, { frontend: 'nowhere' });
    expect(admission.kind).toBe('answer');
    if (admission.kind !== 'answer') return;
    expect(admission.response.status).toBe(503);
    expect(admission.response.body).toMatch(/No server is available/);
  });

  it("answers haproxy's 400 page to heads haproxy refuses", () => {
    expect(outcome(admit('/', []))).toBe('400');
    expect(outcome(admit('/', [['Host', 'a'], ['Host', 'b']]))).toBe('400');
    expect(outcome(admit('http://other.test/', [['Host', 'www.test']]))).toBe('400');
    const admission = admit('/', []);
    expect(admission.kind === 'answer' && admission.response.headers).toContainEqual(['connection', 'close']);
  });

  describe('a URL rebuilt by the runtime (Deno.serve, Workers: no raw target; issue 15 item 3)', () => {
    const rebuilt = (url: string, host?: string) => outcome(admit(url, host === undefined ? [] : [['host', host]], { rebuilt: true }));

    it('takes the target that follows Host, unnormalised, as Deno writes it', () => {
      expect(rebuilt('http://www.test/admin/x?y', 'www.test')).toBe('admin:/admin/x?y');
      expect(rebuilt('http://www.test/stats/../x', 'www.test')).toBe('stats:/stats');
      expect(rebuilt('http://www.test/stats/%2e%2e/x', 'www.test')).toBe('stats:/stats');
      expect(rebuilt('http://[::1]:8080/p', '[::1]:8080')).toBe('app:/p');
      expect(rebuilt('http://localhost:8080/p')).toBe('app:/p');
    });

    it('routes and forwards `GET /public` with `Host: a/admin/y?` as /public, as haproxy does', () => {
      // Deno builds `http://a/admin/y?/public` from that request.
      expect(rebuilt('http://a/admin/y?/public', 'a/admin/y?')).toBe('app:/public');
      expect(rebuilt('http://a b/public', 'a b')).toBe('app:/public');
    });

    it('reads any other URL by its authority, which Host must name', () => {
      expect(rebuilt('http://www.test/p', 'WWW.test:80')).toBe('app:/p');
      expect(rebuilt('https://www.test/p', 'www.test:443')).toBe('app:/p');
      expect(rebuilt('http://www.test?q', 'www.test:80')).toBe('app:/?q');
      // An absolute-form target naming another host than Host (haproxy: 400).
      expect(rebuilt('http://other.test/admin', 'www.test')).toBe('400');
    });

    it('refuses a URL whose path Host may have bent: it is never routed on a made-up path', () => {
      // The same request, had a runtime normalised the URL: its target cannot be found again.
      expect(rebuilt('http://a/admin/y/public', 'a/admin/y?')).toBe('400');
      expect(rebuilt('http://b/admin', 'u@b')).toBe('400');
      expect(rebuilt('http://a/p', 'a, b')).toBe('400');
      expect(rebuilt('not a url', 'a')).toBe('400');
    });
  });
});
