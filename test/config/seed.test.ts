import { describe, expect, it } from 'vitest';
import { parseHaproxyConfig } from '../../src/config/index.ts';
import type { Backend, Config, Frontend } from '../../src/config/types.ts';
import { parse } from './helpers.ts';

const SEED = `global
    log 127.0.0.1 local0
    maxconn 4096
    daemon
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
listen appname
    bind 127.0.0.1:8080
    mode http
    balance roundrobin
    option httpclose
    option forwardfor
    cookie SERVERNAME insert indirect nocache
    server apache-1 127.0.0.1:8081 cookie s1 check
    server apache-2 127.0.0.1:8082 cookie s2 check
listen stats
    bind :8090
    stats enable
    stats uri /
    stats realm Strictly\\ Private
    stats auth A_Username:YourPassword
    stats auth Another_User:passwd
`;

const timeouts = { connect: 5000, client: 30000, server: 30000 };
const check = { inter: 2000, fastinter: 2000, downinter: 2000, rise: 2, fall: 3 };
const forwardFor = { header: 'X-Forwarded-For', ifNone: false };
const stats = {
  enabled: true,
  uri: '/',
  realm: 'Strictly Private',
  users: [
    { user: 'A_Username', password: 'YourPassword' },
    { user: 'Another_User', password: 'passwd' },
  ],
  hideVersion: false,
  showLegends: false,
  admin: false,
};

const expected: Config = {
  frontends: [
    {
      name: 'appname',
      isListen: true,
      binds: [{ host: '127.0.0.1', port: 8080 }],
      useBackend: [],
      forwardFor,
      connectionMode: 'close',
      timeouts,
      source: { file: 'haproxy.cfg', line: 10 },
    },
    {
      name: 'stats',
      isListen: true,
      binds: [{ host: '', port: 8090 }],
      useBackend: [],
      connectionMode: 'keep-alive',
      timeouts,
      stats,
      source: { file: 'haproxy.cfg', line: 19 },
    },
  ],
  backends: [
    {
      name: 'appname',
      balance: 'roundrobin',
      servers: [
        { name: 'apache-1', host: '127.0.0.1', port: 8081, weight: 1, cookie: 's1', backup: false, disabled: false, check, source: { file: 'haproxy.cfg', line: 17 } },
        { name: 'apache-2', host: '127.0.0.1', port: 8082, weight: 1, cookie: 's2', backup: false, disabled: false, check, source: { file: 'haproxy.cfg', line: 18 } },
      ],
      cookie: {
        name: 'SERVERNAME',
        mode: 'insert',
        indirect: true,
        nocache: true,
        postonly: false,
        preserve: false,
        httponly: false,
        secure: false,
        domains: [],
        attrs: [],
      },
      allBackups: false,
      redispatch: false,
      retries: 3,
      forwardFor,
      connectionMode: 'close',
      timeouts,
      errorFiles: [],
      source: { file: 'haproxy.cfg', line: 10 },
    },
    {
      name: 'stats',
      balance: 'roundrobin',
      servers: [],
      allBackups: false,
      redispatch: false,
      retries: 3,
      connectionMode: 'keep-alive',
      timeouts,
      errorFiles: [],
      stats,
      source: { file: 'haproxy.cfg', line: 19 },
    },
  ],
  global: { maxconn: 4096 },
};

describe('the seed configuration', () => {
  it('parses to the expected Config', () => {
    const { config } = parse(SEED);
    // toStrictEqual: optional fields that are not set are absent, not undefined.
    expect(config).toStrictEqual(expected);
  });

  it('reports the ignored global directives as notices', () => {
    expect(parse(SEED).notices).toEqual([
      "haproxy.cfg:2: 'log' is ignored (not needed by edge-balancer)",
      "haproxy.cfg:4: 'daemon' is ignored (not needed by edge-balancer)",
    ]);
  });

  it('is deeply frozen', () => {
    const { config } = parse(SEED);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.backends[0]!.servers[0]!.check)).toBe(true);
    expect(Object.isFrozen(config.frontends[1]!.stats!.users)).toBe(true);
    expect(() => (config.backends as Backend[]).push(config.backends[0]!)).toThrow(TypeError);
  });

  it('parses the prefix variant', () => {
    const { config } = parse(SEED.replace('cookie SERVERNAME insert indirect nocache', 'cookie JSESSIONID prefix indirect nocache'));
    expect(config.backends[0]!.cookie).toStrictEqual({
      name: 'JSESSIONID',
      mode: 'prefix',
      indirect: true,
      nocache: true,
      postonly: false,
      preserve: false,
      httponly: false,
      secure: false,
      domains: [],
      attrs: [],
    });
  });

  it('reads the same from several files, like haproxy -f global.cfg -f app.cfg', () => {
    const split = SEED.indexOf('listen appname');
    const { config } = parseHaproxyConfig(
      [
        { file: 'base.cfg', text: SEED.slice(0, split) },
        { file: 'app.cfg', text: SEED.slice(split) },
      ],
      { env: {} },
    );
    expect(config.backends.map((b) => b.name)).toEqual(['appname', 'stats']);
    expect(config.backends[0]!.timeouts).toEqual(timeouts);
    expect(config.frontends[0]!.source).toEqual({ file: 'app.cfg', line: 1 });
  });
});

describe('frontend and backends with use_backend rules', () => {
  const text = `defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend www
    bind :80
    bind 127.0.0.1:8080,[::1]:8080
    acl is_api path_beg /api /v2
    acl is_admin hdr(Host) -i admin.example.com
    use_backend api if is_api || { hdr(host) -i api.example.com }
    use_backend admin if is_admin !is_api
    use_backend static unless { path_beg /dyn }
    default_backend web
backend web
    server w1 10.0.0.1:80
backend api
    balance leastconn
    server a1 10.0.0.2:80
backend admin
    server x1 10.0.0.3:80
backend static
    server st1 10.0.0.4:80
`;

  it('builds the frontend with its binds and rules in order', () => {
    const { config, notices } = parse(text);
    expect(notices).toEqual([]);
    const www: Frontend = config.frontends[0]!;
    expect(www.isListen).toBe(false);
    expect(www.binds).toEqual([
      { host: '', port: 80 },
      { host: '127.0.0.1', port: 8080 },
      { host: '::1', port: 8080 },
    ]);
    expect(www.defaultBackend).toBe('web');
    // Each condition as text: groups ORed, terms ANDed, a named ACL's tests ORed.
    const summary = www.useBackend.map((rule) => ({
      backend: rule.backend,
      unless: rule.condition.unless,
      anyOf: rule.condition.anyOf.map((group) => group.map((term) => `${term.negate ? '!' : ''}${term.name ?? ''}[${term.tests.map((t) => t.text).join(' | ')}]`)),
      line: rule.source.line,
    }));
    expect(summary).toEqual([
      { backend: 'api', unless: false, anyOf: [['is_api[path_beg /api /v2]'], ['[hdr(host) -i api.example.com]']], line: 11 },
      { backend: 'admin', unless: false, anyOf: [['is_admin[hdr(Host) -i admin.example.com]', '!is_api[path_beg /api /v2]']], line: 12 },
      { backend: 'static', unless: true, anyOf: [['[path_beg /dyn]']], line: 13 },
    ]);
    expect(config.backends.map((b) => [b.name, b.balance])).toEqual([
      ['web', 'roundrobin'],
      ['api', 'leastconn'],
      ['admin', 'roundrobin'],
      ['static', 'roundrobin'],
    ]);
  });
});
