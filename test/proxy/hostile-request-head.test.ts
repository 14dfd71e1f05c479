/**
 * Requests shaped to confuse the proxy about what it forwards: the pure
 * decisions behind the hostile-input table (test/differential/hostile-input…),
 * each as haproxy 2.6 was observed to decide.
 */
import { describe, expect, it } from 'vitest';
import { BackendRuntime } from '../../src/balancer/backend-runtime.ts';
import { parseHaproxyConfig } from '../../src/config/index.ts';
import { MemoryHealthStore } from '../../src/health/memory-store.ts';
import { whyRequestHeadIsRefused } from '../../src/admission/refused-request-head.ts';
import { planRequest } from '../../src/proxy/request-plan.ts';
import { requestPath } from '../../src/routing/choose-backend.ts';

const head = (target: string, headers: [string, string][], httpVersion = '1.1') => ({ httpVersion, target, headers });
const lines = (n: number): [string, string][] => [['Host', 'a'], ...Array.from({ length: n - 1 }, (_, i): [string, string] => [`X-H${i}`, 'v'])];

describe('request heads refused with 400', () => {
  it('more than 101 header lines (tune.http.maxhdr)', () => {
    expect(whyRequestHeadIsRefused(head('/', lines(101)))).toBeUndefined();
    expect(whyRequestHeadIsRefused(head('/', lines(102)))).toMatch(/101 header lines/);
  });

  it('HTTP/1.1 without Host, or with two Host lines; HTTP/1.0 without Host passes', () => {
    expect(whyRequestHeadIsRefused(head('/', []))).toMatch(/without Host/);
    expect(whyRequestHeadIsRefused(head('/', [], '1.0'))).toBeUndefined();
    expect(whyRequestHeadIsRefused(head('/', [['Host', 'a'], ['host', '127.0.0.1:22']]))).toMatch(/Host line/);
    expect(whyRequestHeadIsRefused(head('/', [['Host', 'a'], ['Host', 'a']]))).toMatch(/Host line/);
  });

  it('an absolute-form target whose authority is not Host; case, user info and default port do not count', () => {
    expect(whyRequestHeadIsRefused(head('http://127.0.0.1:22/', [['Host', 'a']]))).toMatch(/absolute-form/);
    expect(whyRequestHeadIsRefused(head('http://a:8080/', [['Host', 'a']]))).toMatch(/absolute-form/);
    for (const target of ['http://a/x', 'http://A/x', 'http://u@a/x', 'http://a:80/x', 'https://a:443/']) {
      expect(whyRequestHeadIsRefused(head(target, [['Host', 'a']]))).toBeUndefined();
    }
    expect(whyRequestHeadIsRefused(head('http://a/x', [], '1.0'))).toBeUndefined();
  });

  it('an asterisk-form target, which the upstream client cannot send', () => {
    expect(whyRequestHeadIsRefused(head('*', [['Host', 'a']]))).toMatch(/asterisk/);
    // haproxy forwards these too; found by the generated requests of reliability/hostile-input.ts (were 502s)
    expect(whyRequestHeadIsRefused(head('*O', [['Host', 'a']]))).toMatch(/asterisk/);
  });
});

describe('routing and forwarding', () => {
  it('path_beg reads the path of an absolute-form target', () => {
    expect(requestPath('/prefixed/x?y=1')).toBe('/prefixed/x');
    expect(requestPath('http://127.0.0.1:22/prefixed/x?y')).toBe('/prefixed/x');
    expect(requestPath('http://a')).toBe('/');
    expect(requestPath('//evil.test/')).toBe('//evil.test/');
  });

  it('a client naming X-Forwarded-For in Connection does not remove the line option forwardfor adds', () => {
    const { config } = parseHaproxyConfig(
      [{ file: 't.cfg', text: 'listen app\n    bind :80\n    option forwardfor\n    server s1 127.0.0.1:1\n' }],
      { env: {} },
    );
    const runtime = new BackendRuntime(config.backends[0]!, new MemoryHealthStore());
    const request = { method: 'GET', target: '/', headers: [['Host', 'a'], ['Connection', 'X-Forwarded-For'], ['X-Forwarded-For', '6.6.6.6']] as [string, string][] };
    const plan = planRequest(runtime, config.frontends[0]!, request, '127.0.0.1', 0);
    expect(plan.head.headers.filter(([n]) => n.toLowerCase() === 'x-forwarded-for')).toEqual([['X-Forwarded-For', '127.0.0.1']]);
  });
});
