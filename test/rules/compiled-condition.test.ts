/**
 * The compiled ACL tests and `%[…]` expressions (src/rules/compiled-condition.ts)
 * against the general evaluation they shortcut (aclTestMatches,
 * evaluateOne), over a grid of requests chosen to hit each shortcut's
 * corners: header name case, repeated lines, comma lists, quotes, spaces,
 * `-i`, absolute-form targets. And, through the admission step, that what
 * one rule rewrites is what the next rule's fetch reads (nothing is kept
 * from an earlier read).
 */
import { describe, expect, it } from 'vitest';
import { admitRequest } from '../../src/admission/admit-request.ts';
import { BalancerState } from '../../src/balancer/balancer-state.ts';
import { parseHaproxyConfig } from '../../src/config/index.ts';
import { MemoryHealthStore } from '../../src/health/memory-store.ts';
import { aclTestMatches, parseAclTest } from '../../src/rules/acl.ts';
import { compileAclTest, sampleTextFunction } from '../../src/rules/compiled-condition.ts';
import { evaluateOne, parseSampleExpr } from '../../src/rules/sample-expression.ts';
import { sampleText, type SampleContext } from '../../src/rules/sample.ts';
import { txnOf } from './helpers.ts';

const LOAD = { phase: 'any', readFile: undefined } as const;

const ACLS = [
  'path_beg /api/',
  'path_beg -i /API/',
  'path /x',
  'path_end .php',
  'path_dir api',
  'path_dom h',
  'path_sub pi',
  'path_len 2',
  'path_beg /a /b /lo',
  'url_beg /x',
  'url http://h/x',
  'url_sub ?q',
  'method GET POST',
  'method -i get',
  'hdr(host) -i admin.example.com',
  'hdr(host) admin.example.com',
  'hdr(Host) -i ADMIN.example.com',
  'hdr_beg(host) -i admin.',
  'hdr_dom(host) -i example.com',
  'hdr_end(x-list) b',
  'hdr(X-List) a b e',
  'hdr(x-list) "c,d"',
  'hdr(x-list) c,d',
  'hdr_sub(user-agent) Firefox',
  'hdr(x-empty) -m found',
  'hdr(host,1) -i admin.example.com',
  'ssl_fc',
  'ssl_fc -m found',
];

const TARGETS = ['/api/x', '/API/x', '/x', '/a.php', 'http://h/x', 'http://h/api/y?q', 'HTTP://h', '/x?y=/api/', '*', '/login?q', 'h/x'];

const HEADER_SETS: [string, string][][] = [
  [],
  [['Host', 'admin.example.com']],
  [['host', 'ADMIN.example.com']],
  [['HOST', 'a'], ['Host', 'admin.example.com']],
  [['Host', ' admin.example.com\t']],
  [['Host', 'admin.example.com, www.example.com']],
  [['X-List', 'a, b'], ['x-list', '"c,d", e'], ['x-empty', '']],
  [['x-list', 'b,'], ['User-Agent', 'Mozilla/5.0 Firefox/128'], ['X-LIST', ' "c,d" ']],
];

const CONNECTIONS = [{}, { tls: {} }];
const METHODS = ['GET', 'get', 'POST'];

function* contexts(): Generator<SampleContext> {
  for (const target of TARGETS)
    for (const headers of HEADER_SETS)
      for (const conn of CONNECTIONS)
        for (const method of METHODS) yield { txn: txnOf(target, headers.map(([n, v]) => [n, v]), { method, conn }), env: {} };
}

describe('compiled ACL tests', () => {
  it.each(ACLS)('%s decides as the general evaluation on every request of the grid', (acl) => {
    const parsed = parseAclTest(acl.split(' '), LOAD);
    if (!parsed.ok) throw new Error(`${acl}: ${parsed.problem}`);
    const compiled = compileAclTest(parsed.test);
    let matched = 0;
    let checked = 0;
    for (const ctx of contexts()) {
      const expected = aclTestMatches(parsed.test, ctx);
      expect(compiled(ctx), `${acl} on ${ctx.txn.request.method} ${ctx.txn.request.target} ${JSON.stringify(ctx.txn.request.headers)}`).toBe(expected);
      if (expected) matched++;
      checked++;
    }
    // Each test meets requests it matches and requests it does not, except the never/always kinds.
    expect(checked).toBeGreaterThan(100);
    // (a comma list is split before matching: `c,d` never matches a value.)
    if (!['ssl_fc -m found', 'path_len 2', 'hdr(x-list) c,d'].includes(acl)) expect(matched).toBeGreaterThan(0);
  });
});

describe('compiled %[…] expressions', () => {
  it.each(['req.hdr(host)', 'hdr(x-list)', 'req.hdr(X-List)', 'hdr(x-empty)', 'path', 'url', 'method', 'req.hdr(host,1)', 'req.hdr(host),lower'])(
    '%[%s] renders as the general evaluation',
    (text) => {
      const parsed = parseSampleExpr(text, LOAD);
      if (!parsed.ok) throw new Error(parsed.problem);
      const compiled = sampleTextFunction(parsed.expr);
      for (const ctx of contexts()) {
        const sample = evaluateOne(parsed.expr, ctx);
        expect(compiled(ctx)).toBe(sample === undefined ? undefined : sampleText(sample));
      }
    },
  );
});

describe('what one rule rewrites, the next rule reads', () => {
  const text = `defaults
    mode http
frontend www
    bind 127.0.0.1:8080
    http-request set-header Host admin.example.com if { path_beg /promote }
    http-request set-header X-Host-Seen %[req.hdr(host)]
    http-request del-header X-Secret if { path_beg /promote }
    http-request set-header X-Secret-Seen %[req.hdr(x-secret)]
    http-request set-path /api%[path] if { path_beg /v2/ }
    http-request set-header X-Api yes if { path_beg /api/ }
    use_backend admin if { hdr(host) -i admin.example.com }
    use_backend api if { path_beg /api/ }
    default_backend app
backend app
    server a 127.0.0.1:1
backend admin
    server b 127.0.0.1:2
backend api
    server c 127.0.0.1:3
`;
  const { config } = parseHaproxyConfig([{ file: 't.cfg', text }], { env: {} });
  const state = new BalancerState(config, new MemoryHealthStore(), 0);
  const entry = state.frontends.get('www')!;

  function admit(target: string) {
    const admission = admitRequest(state, entry, { method: 'GET', target, headers: [['Host', 'www.test'], ['X-Secret', 's']] }, { clientAddress: '192.0.2.1', httpVersion: '1.1' });
    if (admission.kind !== 'proxy') throw new Error(admission.kind);
    const header = (name: string) => admission.head.headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);
    return { backend: admission.runtime.backend.name, target: admission.head.target, header };
  }

  it('a Host set by a rule is the Host later fetches and use_backend read, request after request', () => {
    for (let round = 0; round < 3; round++) {
      const promoted = admit('/promote');
      expect(promoted.backend).toBe('admin');
      expect(promoted.header('host')).toEqual(['admin.example.com']);
      expect(promoted.header('x-host-seen')).toEqual(['admin.example.com']);
      const plain = admit('/other');
      expect(plain.backend).toBe('app');
      expect(plain.header('x-host-seen')).toEqual(['www.test']);
    }
  });

  it('a deleted header is gone for the next fetch', () => {
    expect(admit('/promote').header('x-secret-seen')).toEqual(['']);
    expect(admit('/other').header('x-secret-seen')).toEqual(['s']);
  });

  it('a path set by a rule is the path the next conditions test', () => {
    const rewritten = admit('/v2/items?x=1');
    expect(rewritten.target).toBe('/api/v2/items?x=1');
    expect(rewritten.header('x-api')).toEqual(['yes']);
    expect(rewritten.backend).toBe('api');
    expect(admit('/v3/items').backend).toBe('app');
  });
});
