/** Fetches and match methods, each stating haproxy 2.6's result (manual 7.1-7.3; observed where marked). */
import { describe, expect, it } from 'vitest';
import { aclHolds, txnOf } from './helpers.ts';

describe('path, url, query, base, url_param', () => {
  const txn = txnOf('/api/v2/users.json?id=7&x=a%20b&id=9', [['Host', 'Example.com:8080']]);
  it('path stops at ? and the ACL suffixes pick the method', () => {
    expect(aclHolds('path /api/v2/users.json', txn)).toBe(true);
    expect(aclHolds('path_beg /api/', txn)).toBe(true);
    expect(aclHolds('path_beg /API/', txn)).toBe(false);
    expect(aclHolds('path_beg -i /API/', txn)).toBe(true);
    expect(aclHolds('path_end .json', txn)).toBe(true);
    expect(aclHolds('path_sub v2', txn)).toBe(true);
    expect(aclHolds('path_reg ^/api/v[0-9]+/', txn)).toBe(true);
    expect(aclHolds('path_len 18', txn)).toBe(true);
    expect(aclHolds('path_len gt 30', txn)).toBe(false);
  });
  it('path_dir and path_dom need delimiters around the pattern (match_word)', () => {
    expect(aclHolds('path_dir v2', txn)).toBe(true);
    expect(aclHolds('path_dir /api/v2', txn)).toBe(true);
    expect(aclHolds('path_dir v', txn)).toBe(false);
    expect(aclHolds('path_dom users', txn)).toBe(true);
    expect(aclHolds('path_dom json', txn)).toBe(true);
    expect(aclHolds('path_dom son', txn)).toBe(false);
  });
  it('hdr_dom needs a delimiter; the Host port is part of the value (observed)', () => {
    expect(aclHolds('hdr_dom(host) -i example.com', txn)).toBe(true);
    expect(aclHolds('hdr(host) -i example.com', txn)).toBe(false);
    expect(aclHolds('hdr_dom(host) ample.com', txnOf('/', [['Host', 'example.com']]))).toBe(false);
    expect(aclHolds('hdr_dom(host) example.org', txnOf('/', [['Host', 'notexample.org']]))).toBe(false);
    expect(aclHolds('hdr_dom(host) example.org', txnOf('/', [['Host', 'example.org:8443']]))).toBe(true);
  });
  it('url is the whole target; query and url_param read after ?', () => {
    expect(aclHolds('url_beg /api/v2/users.json?id=7', txn)).toBe(true);
    expect(aclHolds('query -m sub x=a%20b', txn)).toBe(true);
    expect(aclHolds('urlp(id) 9', txn)).toBe(true);
    expect(aclHolds('url_param(id) -m int gt 8', txn)).toBe(true);
    expect(aclHolds('query -m found', txnOf('/x'))).toBe(false);
    expect(aclHolds('base_beg example.com:8080/api', txnOf('/api?q', [['host', 'example.com:8080']]))).toBe(true);
  });
  it('an absolute-form target: path from the slash after the authority', () => {
    expect(aclHolds('path /x', txnOf('http://a.test:81/x?y'))).toBe(true);
    expect(aclHolds('path /', txnOf('http://a.test'))).toBe(true);
  });
});

describe('headers', () => {
  const txn = txnOf('/', [
    ['Accept', 'text/html, application/json;q="a,b"'],
    ['X-Forwarded-For', '10.0.0.1, 10.0.0.2'],
    ['x-forwarded-for', '10.0.0.3'],
  ]);
  it('hdr() splits at commas outside quotes, fhdr() does not', () => {
    expect(aclHolds('hdr(accept) application/json;q="a,b"', txn)).toBe(true);
    expect(aclHolds('req.fhdr(accept) text/html', txn)).toBe(false);
    expect(aclHolds('req.fhdr(accept) -m beg text/html, app', txn)).toBe(true);
  });
  it('occurrences: 1 the first, -1 the last, counted across lines', () => {
    expect(aclHolds('hdr(x-forwarded-for,1) 10.0.0.1', txn)).toBe(true);
    expect(aclHolds('hdr(x-forwarded-for,-1) 10.0.0.3', txn)).toBe(true);
    expect(aclHolds('hdr(x-forwarded-for,-2) 10.0.0.2', txn)).toBe(true);
    expect(aclHolds('hdr(x-forwarded-for,2) 10.0.0.3', txn)).toBe(false);
    expect(aclHolds('hdr_cnt(x-forwarded-for) 3', txn)).toBe(true);
    expect(aclHolds('req.fhdr_cnt(x-forwarded-for) 2', txn)).toBe(true);
  });
  it('-m found, -m len and hdr_val', () => {
    expect(aclHolds('hdr(authorization) -m found', txn)).toBe(false);
    expect(aclHolds('hdr(accept) -m found', txn)).toBe(true);
    expect(aclHolds('hdr_val(content-length) gt 0', txnOf('/', [['Content-Length', '12']]))).toBe(true);
    expect(aclHolds('hdr_val(content-length) 10:20', txnOf('/', [['Content-Length', '25']]))).toBe(false);
  });
  it('cookies: every Cookie line, pairs split at ;', () => {
    const withCookies = txnOf('/', [['Cookie', 'a=1; SERVERID=s2'], ['Cookie', 'lang=fr']]);
    expect(aclHolds('cook(SERVERID) s2', withCookies)).toBe(true);
    expect(aclHolds('req.cook(lang) fr', withCookies)).toBe(true);
    expect(aclHolds('cook(serverid) s2', withCookies)).toBe(false);
    expect(aclHolds('req.cook_cnt(a) 1', withCookies)).toBe(true);
  });
});

describe('connection, method, version, variables', () => {
  it('src/dst with CIDR and dotted masks; LOCALHOST', () => {
    const txn = txnOf('/', [], { conn: { clientAddress: '10.1.2.3' } });
    expect(aclHolds('src 10.0.0.0/8', txn)).toBe(true);
    expect(aclHolds('src 10.1.0.0/255.255.0.0', txn)).toBe(true);
    expect(aclHolds('src 192.168.0.0/16 ::1', txn)).toBe(false);
    expect(aclHolds('src ::1', txnOf('/', [], { conn: { clientAddress: '::1' } }))).toBe(true);
    expect(aclHolds('dst_port 8080', txn)).toBe(true);
    expect(aclHolds('src_port ge 1024', txn)).toBe(true);
  });
  it('method, req.ver, ssl_fc', () => {
    expect(aclHolds('method POST PUT', txnOf('/', [], { method: 'PUT' }))).toBe(true);
    expect(aclHolds('req.ver 1.0', txnOf('/', [], { conn: { httpVersion: '1.0' } }))).toBe(true);
    expect(aclHolds('ssl_fc', txnOf('/'))).toBe(false);
    expect(aclHolds('ssl_fc', txnOf('/', [], { conn: { tls: { sni: 'a.test' } } }))).toBe(true);
    expect(aclHolds('ssl_fc_sni -i A.test', txnOf('/', [], { conn: { tls: { sni: 'a.test' } } }))).toBe(true);
  });
  it('var() needs -m; -m beg is case-sensitive unless -i (observed)', () => {
    const txn = txnOf('/');
    txn.vars.set('txn.host', 'Api.example.com');
    expect(aclHolds('var(txn.host) -m beg api', txn)).toBe(false);
    expect(aclHolds('var(txn.host) -i -m beg api', txn)).toBe(true);
    expect(aclHolds('var(txn.missing) -m found', txn)).toBe(false);
    expect(aclHolds('var(txn.missing,dflt) -m str dflt', txn)).toBe(true);
  });
  it('nbsrv and env through the environment', () => {
    expect(aclHolds('nbsrv(app) lt 1', txnOf('/'), { usableServers: (b) => (b === 'app' ? 0 : 2) })).toBe(true);
    expect(aclHolds('env(STAGE) prod', txnOf('/'), { environment: (name) => (name === 'STAGE' ? 'prod' : undefined) })).toBe(true);
  });
  it('status and res.hdr read the response', () => {
    const txn = txnOf('/', [], { response: { status: 404, headers: [['Set-Cookie', 'sid=abc; Path=/'], ['Content-Type', 'text/html']] } });
    expect(aclHolds('status 400:499', txn)).toBe(true);
    expect(aclHolds('res.hdr(content-type) -m beg text/', txn)).toBe(true);
    expect(aclHolds('res.cook(sid) abc', txn)).toBe(true);
  });
  it('-f reads patterns from a file, comments and blank lines skipped', () => {
    const files = { 'blocked.lst': '# bad networks\n10.0.0.0/8\n\n  192.168.0.0/16  \n' };
    expect(aclHolds('src -f blocked.lst', txnOf('/'), {}, files)).toBe(true);
    expect(aclHolds('path_beg -f blocked.lst', txnOf('/x'), {}, files)).toBe(false);
  });
  it('-- lets a pattern start with a dash', () => {
    expect(aclHolds('hdr(x) -- -1', txnOf('/', [['X', '-1']]))).toBe(true);
  });
});
