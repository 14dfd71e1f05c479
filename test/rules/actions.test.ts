/** Actions, log-format values and converters, each with haproxy 2.6's result (observed where marked). */
import { describe, expect, it } from 'vitest';
import { parse, DEFAULTS } from '../config/helpers.ts';
import { runRequestRules, runResponseRules, type RuleOutcome } from '../../src/rules/run-rules.ts';
import { createCredentialCheck } from '../../src/rules/userlist.ts';
import { shaCrypt } from '../../src/rules/sha-crypt.ts';
import type { RuleEnvironment } from '../../src/rules/sample.ts';
import type { HttpTransaction } from '../../src/rules/transaction.ts';
import { txnOf } from './helpers.ts';

function frontendWith(lines: string[], files: Record<string, string> = {}, extra = '') {
  const text = `${DEFAULTS}${extra}frontend www\n    bind :8080\n${lines.map((l) => `    ${l}\n`).join('')}    default_backend app\nbackend app\n    server s1 127.0.0.1:8081\n`;
  const { config } = parse(text, { readFile: (p) => { if (p in files) return files[p]!; throw new Error('ENOENT'); } });
  return config;
}

function request(lines: string[], txn: HttpTransaction, env: RuleEnvironment = {}, files: Record<string, string> = {}): RuleOutcome {
  const config = frontendWith(lines, files);
  return runRequestRules(config.frontends[0]!.httpRequestRules ?? [], { txn, env });
}

describe('http-request header actions', () => {
  it('set-header replaces every line of the name; add-header appends; del-header removes all', () => {
    const txn = txnOf('/', [['X-Forwarded-Proto', 'http'], ['x-forwarded-proto', 'ftp'], ['Keep', '1'], ['X-Debug-A', '1'], ['X-Debug-B', '2']]);
    request(['http-request set-header X-Forwarded-Proto https', 'http-request add-header Via edge', 'http-request del-header x-debug- -m beg'], txn);
    expect(txn.request.headers).toEqual([['Keep', '1'], ['X-Forwarded-Proto', 'https'], ['Via', 'edge']]);
  });
  it('a value may read the header it replaces; a failed sample gives an empty value (observed)', () => {
    const txn = txnOf('/', [['Host', 'A.Example.com']]);
    request(['http-request set-header Host %[req.hdr(host),lower]', 'http-request set-header X-Missing %[req.hdr(x-none)]', 'http-request set-header X-Client %ci:%cp'], txn);
    expect(txn.request.headers).toEqual([['Host', 'a.example.com'], ['X-Missing', ''], ['X-Client', '192.168.1.10:51000']]);
  });
  it('replace-header replaces the whole value with the expanded replacement; replace-value works per value (observed: "a, b, c" → "a,B, c")', () => {
    const txn = txnOf('/', [['Cookie', 'a=1; secret=xyz; b=2'], ['X-List', 'a, b, c']]);
    request(['http-request replace-header Cookie (.*)secret=[^;]*;?(.*) \\1\\2', 'http-request replace-value X-List ^b$ B'], txn);
    expect(txn.request.headers).toEqual([['Cookie', 'a=1;  b=2'], ['X-List', 'a,B, c']]);
  });
});

describe('http-request URL actions and variables', () => {
  it('set-path keeps the query, set-query replaces it, set-method, set-uri', () => {
    const txn = txnOf('/old/x?q=1');
    request(['http-request set-path /new%[path]', 'http-request set-method POST'], txn);
    expect([txn.request.method, txn.request.target]).toEqual(['POST', '/new/old/x?q=1']);
    request(['http-request set-query a=2'], txn);
    expect(txn.request.target).toBe('/new/old/x?a=2');
    request(['http-request set-uri /z'], txn);
    expect(txn.request.target).toBe('/z');
  });
  it('regsub with flags, field, word, map from a file read at load', () => {
    const files = { 'hosts.map': '# host -> backend\napi.example.com api_be\nwww.example.com  web_be\n', 'prefix.map': '/api api\n/api/v2 api2\n' };
    const txn = txnOf('/api/v2/x', [['Host', 'API.example.com'], ['X-Path', 'a/b//c/d']]);
    request([
      'http-request set-var(txn.be) req.hdr(host),lower,map(hosts.map,default_be)',
      'http-request set-var(txn.pfx) path,map_beg(prefix.map)',
      'http-request set-header X-Sub %[path,regsub(/,_,g)]',
      'http-request set-header X-Field %[req.hdr(x-path),field(3,/)]',
      'http-request set-header X-Word %[req.hdr(x-path),word(3,/)]',
      'http-request set-header X-Last %[req.hdr(x-path),field(-1,/,2)]',
      'http-request set-header X-B64 %[str(user:pass),base64]',
      'http-request set-header X-Json %[str(a/b),json]',
      'http-request set-header X-Dec %[str(a%20b+c?d+e),url_dec]',
    ], txn, {}, files);
    expect(Object.fromEntries(txn.vars)).toEqual({ 'txn.be': 'api_be', 'txn.pfx': 'api2' });
    expect(txn.request.headers.slice(2)).toEqual([
      ['X-Sub', '_api_v2_x'],
      ['X-Field', ''],
      ['X-Word', 'c'],
      ['X-Last', 'c/d'],
      ['X-B64', 'dXNlcjpwYXNz'],
      ['X-Json', 'a\\/b'],
      ['X-Dec', 'a b+c?d e'],
    ]);
  });
  it('set-var keeps the sample type; var() reads it back in a later rule', () => {
    const txn = txnOf('/', [['Content-Length', '42']]);
    request(['http-request set-var(txn.len) req.hdr_val(content-length)', 'http-request set-header X-Big yes if { var(txn.len) -m int gt 40 }'], txn);
    expect(txn.vars.get('txn.len')).toBe(42);
    expect(txn.request.headers.at(-1)).toEqual(['X-Big', 'yes']);
  });
});

describe('answers', () => {
  it('redirect scheme https keeps the Host port and the query (observed)', () => {
    const outcome = request(['http-request redirect scheme https code 301 unless { ssl_fc }'], txnOf('/x?y', [['Host', 'a.test:8443']]));
    expect(outcome).toMatchObject({ kind: 'answer', answer: { status: 301, reason: 'Moved Permanently', headers: [['content-length', '0'], ['location', 'https://a.test:8443/x?y']], body: '' } });
    expect(request(['http-request redirect scheme https unless { ssl_fc }'], txnOf('/', [], { conn: { tls: {} } }))).toEqual({ kind: 'continue' });
  });
  it('redirect prefix drop-query append-slash: /dir?z=1 → /v3/dir/ (observed); 302 adds cache-control', () => {
    const outcome = request(['http-request redirect prefix /v3 drop-query append-slash set-cookie SEEN=1'], txnOf('/dir?z=1'));
    expect(outcome).toMatchObject({ kind: 'answer', answer: { status: 302, headers: [['content-length', '0'], ['location', '/v3/dir/'], ['cache-control', 'no-cache'], ['set-cookie', 'SEEN=1; path=/']] } });
  });
  it('the old redirect directive: prefix / adds nothing', () => {
    const config = frontendWith(['redirect prefix / code 308 if { hdr(host) -i old.test }']);
    const outcome = runRequestRules(config.frontends[0]!.redirectRules!, { txn: txnOf('/p?q', [['Host', 'old.test']]), env: {} });
    expect(outcome).toMatchObject({ kind: 'answer', answer: { status: 308, headers: [['content-length', '0'], ['location', '/p?q']] } });
  });
  it("deny answers HAProxy's 403 page and keeps the connection; deny_status picks the page", () => {
    const outcome = request(['http-request deny if { path_beg /admin }'], txnOf('/admin'));
    expect(outcome).toMatchObject({
      kind: 'answer',
      answer: { status: 403, body: '<html><body><h1>403 Forbidden</h1>\nRequest forbidden by administrative rules.\n</body></html>\n' },
    });
    if (outcome.kind === 'answer') expect(outcome.answer.headers.map(([n]) => n)).not.toContain('connection');
    expect(request(['http-request deny deny_status 429'], txnOf('/'))).toMatchObject({ answer: { status: 429 } });
  });
  it('return: hdr lines, content-length, content-type; lf-string renders samples', () => {
    const outcome = request(['http-request return status 200 content-type text/plain lf-string "path=%[path]" hdr X-A %[method] if { path /ping }'], txnOf('/ping'));
    expect(outcome).toMatchObject({ kind: 'answer', answer: { status: 200, headers: [['X-A', 'GET'], ['content-length', '10'], ['content-type', 'text/plain']], body: 'path=/ping' } });
  });
  it('allow stops the list; later rules do not run', () => {
    const txn = txnOf('/');
    expect(request(['http-request allow if TRUE', 'http-request deny'], txn)).toEqual({ kind: 'continue' });
  });
  it('use-service prometheus-exporter and tarpit return their own outcomes', () => {
    expect(request(['http-request use-service prometheus-exporter if { path /metrics }'], txnOf('/metrics'))).toMatchObject({ kind: 'service', name: 'prometheus-exporter' });
    expect(request(['http-request tarpit'], txnOf('/'))).toMatchObject({ kind: 'tarpit', answer: { status: 500 } });
  });
});

describe('userlist and http_auth', () => {
  const hash = shaCrypt('s3cret', '$6$abcdefgh$')!;
  const extra = `userlist admins\n    group ops\n    user alice password ${hash} groups ops\n    user bob insecure-password pw\n`;
  const config = frontendWith(['acl ok http_auth(admins)', 'acl ops http_auth_group(admins) ops', 'http-request auth realm Staff unless ok', 'http-request deny unless ops'], {}, extra);
  const env = { checkCredentials: createCredentialCheck(config.userlists ?? []) };
  const basic = (user: string, pass: string): [string, string] => ['Authorization', `Basic ${btoa(`${user}:${pass}`)}`];
  const run = (headers: [string, string][]) => runRequestRules(config.frontends[0]!.httpRequestRules!, { txn: txnOf('/', headers), env });

  it('no or bad credentials: 401 with the realm (observed)', () => {
    expect(run([])).toMatchObject({ kind: 'answer', answer: { status: 401, headers: expect.arrayContaining([['www-authenticate', 'Basic realm="Staff"']]) } });
    expect(run([basic('alice', 'wrong')])).toMatchObject({ answer: { status: 401 } });
  });
  it('SHA-512 crypt and insecure-password; groups', () => {
    expect(run([basic('alice', 's3cret')])).toEqual({ kind: 'continue' });
    expect(run([basic('bob', 'pw')])).toMatchObject({ answer: { status: 403 } });
  });
  it('crypt matches openssl passwd -6 / -5', () => {
    expect(shaCrypt('password', '$6$saltsalt$')).toBe('$6$saltsalt$qFmFH.bQmmtXzyBY0s9v7Oicd2z4XSIecDzlB5KiA2/jctKu9YterLp8wwnSq.qc.eoxqOmSuNp2xS0ktL3nh/');
    expect(shaCrypt('password', '$5$saltsalt$')).toBe('$5$saltsalt$gOjOtoMpVhru2uyjeJSEc/JaLQWOXMNmlOnj6T4AtC.');
    expect(shaCrypt('Hello world!', '$5$rounds=10000$saltstringsaltstring')).toBe('$5$rounds=10000$saltstringsaltst$3xv.VbSHBb41AL9AvLeujZkZRBAwqFMz2.opqey6IcA');
  });
});

describe('http-response', () => {
  it('backend-set headers, del-header, set-status with the class reason (observed: 299 → Success)', () => {
    const config = frontendWith(['http-response set-header Strict-Transport-Security "max-age=31536000"', 'http-response del-header Server', 'http-response set-status 299 if { status 200 }']);
    const txn = txnOf('/', [], { response: { status: 200, headers: [['Server', 'nginx'], ['Content-Type', 'text/html']] } });
    expect(runResponseRules(config.frontends[0]!.httpResponseRules!, { txn, env: {} })).toEqual({ kind: 'continue' });
    expect(txn.response).toEqual({ status: 299, reason: 'Success', headers: [['Content-Type', 'text/html'], ['Strict-Transport-Security', 'max-age=31536000']] });
  });
});

describe('configuration', () => {
  it('monitor-uri and monitor fail; unique-id; listen rules are the frontend side', () => {
    const config = frontendWith(['monitor-uri /health', 'monitor fail if { nbsrv(app) lt 1 }', 'unique-id-format %{+X}o%ci:%cp_%rt', 'unique-id-header X-Request-ID']);
    const www = config.frontends[0]!;
    expect(www.monitorUri).toBe('/health');
    expect(www.monitorFail).toBeDefined();
    expect(www.uniqueIdHeader).toBe('X-Request-ID');
  });
});
