import { describe, expect, it } from 'vitest';
import { parseHaproxyConfig } from '../../src/config/index.ts';
import { DEFAULTS, listenWith, parse } from './helpers.ts';

const backendOf = (text: string, index = 0) => parse(text).config.backends[index]!;
const frontendOf = (text: string, index = 0) => parse(text).config.frontends[index]!;

describe('defaults inheritance (HAProxy 2.6)', () => {
  it('a defaults section applies to the sections after it, and the section can override', () => {
    const text = `defaults
    mode http
    timeout connect 1s
    timeout client 2s
    timeout server 3s
    balance leastconn
    retries 5
    option redispatch
    option forwardfor header X-Real-IP
    default-server inter 3s rise 4 weight 7
backend a
    server s1 127.0.0.1:1 check
backend b
    balance first
    timeout server 9s
    server s1 127.0.0.1:1 check weight 2 inter 500
`;
    const [a, b] = parse(text).config.backends;
    expect(a).toMatchObject({ balance: 'leastconn', retries: 5, redispatch: true, timeouts: { connect: 1000, client: 2000, server: 3000 } });
    expect(a!.forwardFor).toEqual({ header: 'X-Real-IP', ifNone: false });
    expect(a!.servers[0]).toMatchObject({ weight: 7, check: { inter: 3000, fastinter: 3000, downinter: 3000, rise: 4, fall: 3 } });
    expect(b).toMatchObject({ balance: 'first', timeouts: { connect: 1000, server: 9000 } });
    expect(b!.servers[0]).toMatchObject({ weight: 2, check: { inter: 500, fastinter: 500, rise: 4 } });
  });

  it('each new defaults section starts from scratch (observed: timeouts of the first one are gone)', () => {
    const text = `defaults
    mode http
    timeout connect 1s
    option redispatch
defaults
    mode http
    retries 1
backend b
    server s1 127.0.0.1:1
`;
    const { config, notices } = parse(text);
    expect(config.backends[0]).toMatchObject({ redispatch: false, retries: 1, timeouts: {} });
    expect(notices).toContain("haproxy.cfg:8: missing timeouts for backend 'b': timeout connect, timeout server (no limit; HAProxy warns about this too)");
  });

  it('named defaults and "from"', () => {
    const text = `defaults slow
    mode http
    timeout connect 10s
defaults fast
    mode http
    timeout connect 1s
backend a from slow
    server s1 127.0.0.1:1
backend b
    server s1 127.0.0.1:1
`;
    const [a, b] = parse(text).config.backends;
    expect(a!.timeouts.connect).toBe(10_000);
    expect(b!.timeouts.connect).toBe(1000);
  });

  it('defaults carry over to the next file, sections do not', () => {
    const { config } = parseHaproxyConfig(
      [
        { file: 'a.cfg', text: DEFAULTS },
        { file: 'b.cfg', text: 'backend b\n    server s1 127.0.0.1:1\n' },
      ],
      { env: {} },
    );
    expect(config.backends[0]!.timeouts).toEqual({ connect: 5000, client: 30000, server: 30000 });
  });

  it('default-server lines add up and apply to later server lines only', () => {
    const b = backendOf(`${DEFAULTS}backend b
    server s0 127.0.0.1:1 check
    default-server inter 1s
    default-server fall 5 backup
    server s1 127.0.0.1:2 check
    server s2 127.0.0.1:3 check no-backup fastinter 200 downinter 5s
`);
    expect(b.servers.map((s) => [s.name, s.backup, s.check])).toEqual([
      ['s0', false, { inter: 2000, fastinter: 2000, downinter: 2000, rise: 2, fall: 3 }],
      ['s1', true, { inter: 1000, fastinter: 1000, downinter: 1000, rise: 2, fall: 5 }],
      ['s2', false, { inter: 1000, fastinter: 200, downinter: 5000, rise: 2, fall: 5 }],
    ]);
  });
});

describe('server lines', () => {
  it('reads every supported keyword', () => {
    const b = backendOf(`${DEFAULTS}backend b
    server s1 backend.internal:8081 weight 0 cookie c1 check inter 500ms fastinter 100 downinter 10s rise 1 fall 1 port 9000 addr 10.0.0.9 maxconn 20
    server s2 [::1]:8082 disabled backup maxconn 0
`);
    expect(b.servers[0]).toEqual({
      name: 's1',
      host: 'backend.internal',
      port: 8081,
      weight: 0,
      cookie: 'c1',
      backup: false,
      disabled: false,
      maxconn: 20,
      check: { inter: 500, fastinter: 100, downinter: 10_000, rise: 1, fall: 1, port: 9000, addr: '10.0.0.9' },
      source: { file: 'haproxy.cfg', line: 7 },
    });
    expect(b.servers[1]).toEqual({ name: 's2', host: '::1', port: 8082, weight: 1, backup: true, disabled: true, source: { file: 'haproxy.cfg', line: 8 } });
  });

  it('without check there is no ServerCheck, even with inter', () => {
    expect(backendOf(`${DEFAULTS}backend b\n    server s1 127.0.0.1:1 inter 1s\n`).servers[0]!.check).toBeUndefined();
  });

  it('expands $VAR and ${VAR} in addresses even unquoted, as str2sa_range does', () => {
    const env = { HOST: '10.1.2.3', PORT: '8081', BIND: '9000' };
    const { config } = parse(`${DEFAULTS}listen l\n    bind :\${BIND}\n    server s1 \${HOST}:$PORT addr \${HOST}\n    server s2 "127.0.0.1:\${PORT}"\n`, { env });
    expect(config.frontends[0]!.binds).toEqual([{ host: '', port: 9000 }]);
    expect(config.backends[0]!.servers.map((s) => `${s.host}:${s.port}`)).toEqual(['10.1.2.3:8081', '127.0.0.1:8081']);
  });
});

describe('bind', () => {
  it('reads wildcard, IPv4, IPv6, host names, ranges and lists', () => {
    const f = frontendOf(`${DEFAULTS}frontend f
    bind *:80
    bind 0.0.0.0:81
    bind ::1:82
    bind localhost:83
    bind :90-92,
    default_backend b
backend b
    server s 127.0.0.1:1
`);
    expect(f.binds).toEqual([
      { host: '', port: 80 },
      { host: '0.0.0.0', port: 81 },
      { host: '::1', port: 82 },
      { host: 'localhost', port: 83 },
      { host: '', port: 90 },
      { host: '', port: 91 },
      { host: '', port: 92 },
    ]);
  });
});

describe('cookie', () => {
  it('reads every option; maxidle/maxlife are in seconds when bare', () => {
    const b = backendOf(listenWith('cookie SRV insert indirect nocache postonly preserve httponly secure domain .a.com domain .b.com maxidle 30m maxlife 3600 attr SameSite=Lax attr "Partitioned"'));
    expect(b.cookie).toEqual({
      name: 'SRV',
      mode: 'insert',
      indirect: true,
      nocache: true,
      postonly: true,
      preserve: true,
      httponly: true,
      secure: true,
      domains: ['.a.com', '.b.com'],
      maxidle: 1_800_000,
      maxlife: 3_600_000,
      attrs: ['SameSite=Lax', 'Partitioned'],
    });
  });

  it('accepts rewrite, and prefix with preserve when indirect (haproxy -c does)', () => {
    expect(backendOf(listenWith('cookie SRV rewrite')).cookie!.mode).toBe('rewrite');
    expect(backendOf(listenWith('cookie SRV prefix indirect preserve')).cookie).toMatchObject({ mode: 'prefix', preserve: true });
  });

  it('insert-only options in prefix mode are accepted, as by HAProxy, with a notice', () => {
    const { config, notices } = parse(listenWith('cookie SRV prefix postonly maxidle 1s'));
    expect(config.backends[0]!.cookie).toMatchObject({ mode: 'prefix', postonly: true, maxidle: 1000 });
    expect(notices).toContain("haproxy.cfg:8: 'cookie SRV prefix': postonly, maxidle only apply to inserted cookies and have no effect here (HAProxy accepts them too)");
  });

  it('notices a cookie that no server takes part in, and server cookies without a cookie line', () => {
    expect(parse(listenWith('cookie SRV insert')).notices).toContain(
      "haproxy.cfg:8: listen 'app' has 'cookie SRV' but no server has a 'cookie VALUE', so persistence never applies",
    );
    expect(parse(`${DEFAULTS}backend b\n    server s1 127.0.0.1:1 cookie s1\n`).notices).toContain(
      "haproxy.cfg:7: backend 'b': server cookie values are unused without a 'cookie NAME insert|prefix|rewrite' line",
    );
  });
});

describe('options', () => {
  it('connection modes: the last one wins, no option resets to keep-alive', () => {
    expect(frontendOf(listenWith('option http-server-close')).connectionMode).toBe('server-close');
    expect(frontendOf(listenWith('option httpclose', 'option http-keep-alive')).connectionMode).toBe('keep-alive');
    expect(frontendOf(listenWith('option httpclose', 'no option httpclose')).connectionMode).toBe('keep-alive');
    expect(frontendOf(listenWith('option httpclose', 'no option http-server-close')).connectionMode).toBe('close');
  });

  it('forwardfor with all its arguments, and no option forwardfor', () => {
    expect(frontendOf(listenWith('option forwardfor except 127.0.0.0/8 header X-Client-IP if-none')).forwardFor).toEqual({
      header: 'X-Client-IP',
      except: '127.0.0.0/8',
      ifNone: true,
    });
    expect(frontendOf(listenWith('option forwardfor except ::1/128')).forwardFor!.except).toBe('::1/128');
    const text = `${DEFAULTS.replace('mode http', 'mode http\n    option forwardfor')}backend b\n    no option forwardfor\n    server s 127.0.0.1:1\n`;
    expect(backendOf(text).forwardFor).toBeUndefined();
  });

  it('forwardfor and httpclose are kept on the frontend and the backend as written', () => {
    const { config } = parse(`${DEFAULTS}frontend f
    bind :80
    option forwardfor
    default_backend b
backend b
    option httpclose
    server s 127.0.0.1:1
`);
    expect(config.frontends[0]).toMatchObject({ connectionMode: 'keep-alive', forwardFor: { header: 'X-Forwarded-For' } });
    expect(config.backends[0]!.connectionMode).toBe('close');
    expect(config.backends[0]!.forwardFor).toBeUndefined();
  });

  it('redispatch, allbackups and their negations', () => {
    expect(backendOf(listenWith('option redispatch', 'option allbackups'))).toMatchObject({ redispatch: true, allBackups: true });
    expect(backendOf(listenWith('option redispatch', 'no option redispatch')).redispatch).toBe(false);
  });

  it('httpchk: no argument, the old URI-only form, METHOD URI [VERSION], and expect status', () => {
    expect(backendOf(listenWith('option httpchk')).httpCheck).toEqual({ method: 'OPTIONS', uri: '/' });
    expect(backendOf(listenWith('option httpchk /health')).httpCheck).toEqual({ method: 'OPTIONS', uri: '/health' });
    expect(backendOf(listenWith('option httpchk GET /health', 'http-check expect status 200')).httpCheck).toEqual({
      method: 'GET',
      uri: '/health',
      expect: [{ kind: 'status', ranges: [[200, 200]], inverse: false }],
    });
    const { config, notices } = parse(listenWith('option httpchk HEAD / HTTP/1.1'));
    expect(config.backends[0]!.httpCheck).toEqual({ method: 'HEAD', uri: '/' });
    expect(notices).toContain("haproxy.cfg:8: 'option httpchk': the HTTP version 'HTTP/1.1' is ignored");
  });

  it('httpchk with one argument takes it as the URI, even "GET" (as HAProxy does), with a notice', () => {
    const { config, notices } = parse(listenWith('option httpchk GET'));
    expect(config.backends[0]!.httpCheck).toEqual({ method: 'OPTIONS', uri: 'GET' });
    expect(notices[0]).toMatch(/did you mean 'option httpchk GET \/'\?/);
  });

  it('http-check expect: status lists and ranges, negation, regexes, strings, headers; several lines all apply', () => {
    const check = backendOf(
      listenWith(
        'option httpchk',
        'http-check expect status 200,302-304,',
        'http-check expect ! rstatus ^5',
        'http-check expect !!string ok',
        'http-check expect !rstring ^ERR',
        'http-check expect fhdr name -m beg X-Rea value -m sub yes',
        'http-check disable-on-404',
      ),
    ).httpCheck!;
    expect(check.disableOn404).toBe(true);
    const [status, rstatus, string, rstring, header] = check.expect!;
    expect(status).toEqual({ kind: 'status', ranges: [[200, 200], [302, 304], [0, 0]], inverse: false });
    expect(rstatus).toMatchObject({ kind: 'rstatus', inverse: true });
    expect(string).toEqual({ kind: 'string', text: 'ok', inverse: false });
    expect(rstring).toMatchObject({ kind: 'rstring', inverse: true });
    expect(header).toEqual({ kind: 'header', inverse: false, fullLine: true, name: { method: 'beg', text: 'X-Rea' }, value: { method: 'sub', text: 'yes' } });
  });

  it("a proxy's own http-check expect lines replace those of defaults", () => {
    const text = ['defaults', '    mode http', '    option httpchk', '    http-check expect status 200', 'backend b', '    http-check expect status 204', '    http-check expect string ok', '    server s 127.0.0.1:1 check', ''].join('\n');
    expect(parse(text).config.backends[0]!.httpCheck!.expect).toEqual([
      { kind: 'status', ranges: [[204, 204]], inverse: false },
      { kind: 'string', text: 'ok', inverse: false },
    ]);
  });

  it('http-check expect without option httpchk is ignored with a notice (HAProxy warns)', () => {
    const { config, notices } = parse(listenWith('http-check expect status 200'));
    expect(config.backends[0]!.httpCheck).toBeUndefined();
    expect(notices).toContain("haproxy.cfg:8: listen 'app' uses 'http-check expect' without 'option httpchk', so it is ignored (as in HAProxy)");
  });

  it('abortonclose is a backend option, inherited from defaults and undone by no option; http-no-delay is accepted', () => {
    expect(backendOf(listenWith('option abortonclose')).abortOnClose).toBe(true);
    expect(backendOf(listenWith('option abortonclose', 'no option abortonclose')).abortOnClose).toBeUndefined();
    expect(backendOf(listenWith('option http-no-delay')).abortOnClose).toBeUndefined();
  });

  it('balance random with draws is random', () => {
    expect(backendOf(listenWith('balance random(2)')).balance).toBe('random');
    expect(backendOf(listenWith('balance static-rr')).balance).toBe('static-rr');
  });
});

describe('timeouts', () => {
  it('reads the six supported timeouts; 0 means not set, as in HAProxy', () => {
    const f = frontendOf(listenWith('timeout http-request 10s', 'timeout http-keep-alive 2s', 'timeout check 1s', 'timeout client 0'));
    expect(f.timeouts).toEqual({ connect: 5000, server: 30000, httpRequest: 10_000, httpKeepAlive: 2000, check: 1000 });
  });

  it('timeout tunnel: read in defaults, listen and backend; a frontend\'s is ignored with HAProxy\'s warning', () => {
    expect(backendOf(listenWith('timeout tunnel 1h')).timeouts.tunnel).toBe(3_600_000);
    const text = `${DEFAULTS}    timeout tunnel 30s\nfrontend f\n    bind :80\n    timeout tunnel 5s\n    default_backend b\nbackend b\n    server s 127.0.0.1:1\n`;
    const { config, notices } = parse(text);
    expect(config.backends[0]!.timeouts.tunnel).toBe(30_000);
    expect(config.frontends[0]!.timeouts.tunnel).toBe(30_000);
    expect(notices).toContain("haproxy.cfg:9: 'timeout tunnel' ignored because frontend 'f' has no backend capability");
  });
});

describe('stats', () => {
  it("HAProxy's defaults and every option", () => {
    const stats = frontendOf(listenWith('stats enable')).stats;
    expect(stats).toEqual({ enabled: true, uri: '/haproxy?stats', realm: 'HAProxy Statistics', users: [], hideVersion: false, showLegends: false, admin: false });
    const full = frontendOf(listenWith('stats uri /s', 'stats realm "My Stats"', 'stats auth a:b:c', 'stats refresh 10', 'stats hide-version', 'stats show-legends', 'stats admin if TRUE')).stats;
    expect(full).toEqual({
      enabled: true,
      uri: '/s',
      realm: 'My Stats',
      users: [{ user: 'a', password: 'b:c' }],
      refresh: 10_000,
      hideVersion: true,
      showLegends: true,
      admin: true,
    });
  });

  it('any stats line enables stats, and stats in defaults reach every section', () => {
    expect(frontendOf(listenWith('stats uri /')).stats!.enabled).toBe(true);
    const text = `${DEFAULTS}    stats uri /st\nbackend b\n    server s 127.0.0.1:1\n`;
    expect(backendOf(text).stats!.uri).toBe('/st');
  });

  it('an unescaped realm keeps only its first word, as in HAProxy, with a notice', () => {
    const { config, notices } = parse(listenWith('stats realm Strictly Private'));
    expect(config.frontends[0]!.stats!.realm).toBe('Strictly');
    expect(notices[0]).toMatch(/^haproxy\.cfg:8: 'stats realm' uses only 'Strictly'/);
  });
});

describe('errorfile', () => {
  const page = 'HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/html\r\n\r\n<h1>Sorry</h1>\n';

  it('reads the file through options.readFile; a later line for the same code wins', () => {
    const files: Record<string, string> = { '/e/503.http': page, '/e/503b.http': 'HTTP/1.0 503\n\n', '/e/404.http': 'HTTP/1.1 404 Not Found\n\n' };
    const readFile = (path: string) => files[path] ?? '';
    const text = `${DEFAULTS}    errorfile 503 /e/503.http\nbackend b\n    errorfile 404 /e/404.http\n    server s 127.0.0.1:1\nbackend c\n    errorfile 503 /e/503b.http\n    server s 127.0.0.1:1\n`;
    const [b, c] = parse(text, { readFile }).config.backends;
    expect(b!.errorFiles).toEqual([
      { status: 503, path: '/e/503.http', content: page },
      { status: 404, path: '/e/404.http', content: 'HTTP/1.1 404 Not Found\n\n' },
    ]);
    expect(c!.errorFiles).toEqual([{ status: 503, path: '/e/503b.http', content: 'HTTP/1.0 503\n\n' }]);
  });
});

describe('global nbthread', () => {
  it("sets the Node command's worker processes; a later line replaces an earlier one, as in HAProxy", () => {
    expect(parse(`global\n    nbthread 4\n${DEFAULTS}`).config.global?.nbthread).toBe(4);
    expect(parse(`global\n    nbthread 4\n    nbthread 2\n${DEFAULTS}`).config.global?.nbthread).toBe(2);
    expect(parse(DEFAULTS).config.global?.nbthread).toBeUndefined();
  });

  it("refuses what HAProxy 2.6 refuses: 'nbthread' value must be between 1 and 64", () => {
    for (const value of ['0', '65', 'two']) {
      expect(() => parse(`global\n    nbthread ${value}\n${DEFAULTS}`)).toThrow(`haproxy.cfg:2: 'nbthread': invalid number '${value}'`);
    }
  });
});

describe('notices for accepted but unused directives', () => {
  it('lists each ignored directive with its line', () => {
    const text = `global
    log stdout local0
    stats socket /run/haproxy.sock mode 660
    cpu-map auto:1/1-4 0-3
    tune.bufsize 32768
    maxsslconn 100
${DEFAULTS}    option httplog
    option dontlognull
    log global
    timeout queue 5s
listen app
    bind :8080
    maxconn 100
    server s 127.0.0.1:1
`;
    expect(parse(text).notices).toEqual([
      "haproxy.cfg:2: 'log' is ignored (not needed by edge-balancer)",
      "haproxy.cfg:3: 'stats socket' is ignored (not needed by edge-balancer)",
      "haproxy.cfg:4: 'cpu-map' is ignored (not needed by edge-balancer)",
      "haproxy.cfg:5: 'tune.bufsize' is ignored (not needed by edge-balancer)",
      "haproxy.cfg:6: 'maxsslconn' is ignored (not needed by edge-balancer)",
      "haproxy.cfg:12: 'option httplog' is ignored (not needed by edge-balancer)",
      "haproxy.cfg:13: 'option dontlognull' is ignored (not needed by edge-balancer)",
      "haproxy.cfg:14: 'log' is ignored (not needed by edge-balancer)",
      "haproxy.cfg:15: 'timeout queue' is ignored (not needed by edge-balancer)",
    ]);
  });

  it("HAProxy's warnings: wrong-side directives, no bind, no mode http", () => {
    const text = `defaults
    timeout connect 1s
    timeout client 1s
    timeout server 1s
frontend f
    balance leastconn
    default_backend b
backend b
    bind :80
    server s 127.0.0.1:1
`;
    expect(parse(text).notices).toEqual([
      "haproxy.cfg:6: 'balance' ignored because frontend 'f' has no backend capability",
      "haproxy.cfg:5: frontend 'f' has no 'mode http': HAProxy would run it in mode tcp, edge-balancer always uses http",
      "haproxy.cfg:9: 'bind' ignored because backend 'b' has no frontend capability",
      "haproxy.cfg:8: backend 'b' has no 'mode http': HAProxy would run it in mode tcp, edge-balancer always uses http",
      "haproxy.cfg:5: frontend 'f' has no 'bind' directive, so it receives no traffic (declare it as a backend if this was intended)",
    ]);
  });

  it('a listen without servers (stats only) is fine', () => {
    const { config, notices } = parse(`${DEFAULTS}listen stats\n    bind :8090\n    stats enable\n`);
    expect(config.backends[0]!.servers).toEqual([]);
    expect(notices).toEqual([]);
  });
});

describe('global environment directives', () => {
  it('setenv/presetenv/unsetenv change what later lines interpolate', () => {
    const text = `global
    setenv PORT 8081
    presetenv HOST 127.0.0.1
    presetenv KEPT ignored
    unsetenv GONE
${DEFAULTS}listen l
    bind "127.0.0.1:\${BIND}"
    server s1 "\${HOST}:\${PORT}" cookie "\${KEPT}\${GONE}"
    cookie C insert
`;
    const { config } = parse(text, { env: { BIND: '9000', KEPT: 'k', GONE: 'g' } });
    expect(config.backends[0]!.servers[0]).toMatchObject({ host: '127.0.0.1', port: 8081, cookie: 'k' });
    expect(config.frontends[0]!.binds).toEqual([{ host: '127.0.0.1', port: 9000 }]);
  });
});
