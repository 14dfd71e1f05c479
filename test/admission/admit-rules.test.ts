/**
 * The admission step running the rule engine: each kind of rule outcome
 * becomes one decision, rules run where HAProxy runs them relative to the
 * stats page, and the response step applies `http-response` rules (or
 * replaces the response). On plain data, no sockets.
 */
import { describe, expect, it } from 'vitest';
import { admitRequest, prometheusAnswer, type Admission } from '../../src/admission/admit-request.ts';
import { responseHeadForClient } from '../../src/admission/response-step.ts';
import { BalancerState } from '../../src/balancer/balancer-state.ts';
import { parseHaproxyConfig } from '../../src/config/index.ts';
import { MemoryHealthStore } from '../../src/health/memory-store.ts';
import { planRequest } from '../../src/proxy/request-plan.ts';

const CONFIG = `defaults
    mode http
    timeout connect 1500ms
frontend web
    bind 127.0.0.1:8080
    stats enable
    stats uri /stats
    http-request deny if { path_beg /stats } { src 192.0.2.66 }
    http-request tarpit if { path /slow }
    http-request reject if { path /drop }
    http-request use-service prometheus-exporter if { path /metrics }
    http-request set-header X-Seen yes
    http-response set-header X-Frame-Options DENY
    http-response set-status 299 reason Fine if { status 200 } { res.hdr(x-fine) yes }
    http-response deny if { res.hdr(x-leak) -m found }
    default_backend app
backend app
    http-request set-path /app%[path]
    server a1 127.0.0.1:1
`;

const { config } = parseHaproxyConfig([{ file: 't.cfg', text: CONFIG }], { env: {} });
const state = new BalancerState(config, new MemoryHealthStore(), 0);
const entry = state.frontends.get('web')!;

function admit(target: string, clientAddress = '192.0.2.7'): Admission {
  return admitRequest(state, entry, { method: 'GET', target, headers: [['Host', 'www.test']] }, { clientAddress, httpVersion: '1.1' });
}

describe('admission with rules', () => {
  it('forwards the head as the frontend and backend rules rewrote it', () => {
    const admission = admit('/x?q=1');
    expect(admission.kind).toBe('proxy');
    if (admission.kind !== 'proxy') return;
    expect(admission.head.target).toBe('/app/x?q=1');
    expect(admission.head.headers).toEqual([['Host', 'www.test'], ['X-Seen', 'yes']]);
  });

  it('runs the http-request rules before serving the stats page (they may deny it)', () => {
    expect(admit('/stats').kind).toBe('stats');
    const denied = admit('/stats', '192.0.2.66');
    expect(denied.kind === 'answer' && denied.response.status).toBe(403);
  });

  it('tarpit: the 500 page after `timeout connect`; reject; the prometheus service', () => {
    const slow = admit('/slow');
    expect(slow.kind === 'answer' && [slow.response.status, slow.delayMs]).toEqual([500, 1500]);
    expect(admit('/drop').kind).toBe('reject');
    const metrics = admit('/metrics');
    expect(metrics.kind).toBe('prometheus');
    if (metrics.kind !== 'prometheus') return;
    const page = prometheusAnswer(state, metrics, 0);
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/^haproxy_server_status\{/m);
    // HAProxy runs http-response rules over a service's page.
    expect(page.headers).toContainEqual(['X-Frame-Options', 'DENY']);
  });

  it("tarpit lasts the deciding section's `timeout tarpit`, else that section's `timeout connect` (HAProxy's s->be)", () => {
    const text = `defaults
    mode http
    timeout connect 1500ms
frontend web
    bind 127.0.0.1:8080
    timeout tarpit 300ms
    http-request tarpit if { path /front }
    default_backend app
backend app
    timeout connect 700ms
    http-request tarpit if { path /back }
    server a1 127.0.0.1:1
backend plain
    timeout tarpit 2s
    server p1 127.0.0.1:1
frontend other
    bind 127.0.0.1:8081
    http-request tarpit
    default_backend plain
`;
    const tarpitState = new BalancerState(parseHaproxyConfig([{ file: 't.cfg', text }], { env: {} }).config, new MemoryHealthStore(), 0);
    const delayOf = (frontend: string, target: string) => {
      const admission = admitRequest(tarpitState, tarpitState.frontends.get(frontend)!, { method: 'GET', target, headers: [['Host', 'www.test']] }, { clientAddress: '192.0.2.7', httpVersion: '1.1' });
      return admission.kind === 'answer' ? [admission.response.status, admission.delayMs] : admission.kind;
    };
    expect(delayOf('web', '/front')).toEqual([500, 300]);
    expect(delayOf('web', '/back')).toEqual([500, 700]);
    // The frontend's rule: its own timeouts (connect from defaults), not the backend's tarpit.
    expect(delayOf('other', '/')).toEqual([500, 1500]);
  });

  it('http-response rules rewrite the head, set a reason, or replace the response', () => {
    const admission = admit('/');
    if (admission.kind !== 'proxy') throw new Error(admission.kind);
    const plan = planRequest(admission.runtime, entry.frontend, admission.head, '192.0.2.7', 0);
    const forClient = (headers: [string, string][]) =>
      responseHeadForClient(plan, entry.frontend, 0, false, { status: 200, headers }, admission.transaction, admission.rules);
    expect(forClient([['content-type', 'text/plain']])).toEqual({
      kind: 'head',
      head: { status: 200, headers: [['content-type', 'text/plain'], ['X-Frame-Options', 'DENY']] },
    });
    const fine = forClient([['x-fine', 'yes']]);
    expect(fine.kind === 'head' && [fine.head.status, fine.head.reason]).toEqual([299, 'Fine']);
    const leak = forClient([['x-leak', '1']]);
    expect(leak.kind === 'page' && leak.page.status).toBe(502);
  });

  it('a configuration without rules leaves the response head as planned (same object)', () => {
    const { config: plain } = parseHaproxyConfig([{ file: 'p.cfg', text: 'defaults\n    mode http\nlisten l\n    bind :8080\n    server s 127.0.0.1:1\n' }], { env: {} });
    const plainState = new BalancerState(plain, new MemoryHealthStore(), 0);
    const plainEntry = plainState.frontends.get('l')!;
    const admission = admitRequest(plainState, plainEntry, { method: 'GET', target: '/', headers: [['Host', 'h']] }, { clientAddress: '192.0.2.7', httpVersion: '1.1' });
    if (admission.kind !== 'proxy') throw new Error(admission.kind);
    const plan = planRequest(admission.runtime, plainEntry.frontend, admission.head, '192.0.2.7', 0);
    const response = { status: 200, headers: [['a', '1']] as [string, string][] };
    const forClient = responseHeadForClient(plan, plainEntry.frontend, 0, false, response, admission.transaction, admission.rules);
    expect(forClient.kind).toBe('head');
    expect(admission.transaction.response).toBeUndefined();
  });
});

describe('the Hono app (Deno, Workers, library use)', () => {
  it('treats an https: request URL as TLS for ssl_fc, so the usual HTTPS redirect does not loop', async () => {
    const { createBalancer } = await import('../../src/app.ts');
    const { createNodeDeps } = await import('../../adapters/node/node-deps.ts');
    const text = 'defaults\n    mode http\nfrontend f\n    bind :8080\n    http-request redirect scheme https code 301 if !{ ssl_fc }\n    http-request return status 200 content-type text/plain string tls if { ssl_fc }\n';
    const { config: redirecting } = parseHaproxyConfig([{ file: 'r.cfg', text }], { env: {} });
    const deps = createNodeDeps({ info: () => {}, warn: () => {}, access: () => {} });
    const app = createBalancer(redirecting, deps);
    const plain = await app.request('http://shop.test/a?b=1', { headers: { host: 'shop.test' } });
    expect([plain.status, plain.headers.get('location')]).toEqual([301, 'https://shop.test/a?b=1']);
    const secure = await app.request('https://shop.test/a?b=1', { headers: { host: 'shop.test' } });
    expect([secure.status, await secure.text()]).toEqual([200, 'tls']);
  });
});
