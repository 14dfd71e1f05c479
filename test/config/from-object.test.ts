import { describe, expect, it } from 'vitest';
import { configFromObject, ConfigErrors, parseHaproxyConfig } from '../../src/config/index.ts';
import type { ConfigError } from '../../src/config/index.ts';

const errorsOf = (input: unknown): readonly ConfigError[] => {
  try {
    configFromObject(input, 'edge.json');
  } catch (error) {
    if (error instanceof ConfigErrors) return error.errors;
    throw error;
  }
  throw new Error('expected the object to be rejected');
};

describe('configFromObject', () => {
  it('fills the same defaults as the HAProxy-syntax parser, so both give the same Config', () => {
    const fromText = parseHaproxyConfig(
      [
        {
          file: 'edge.json',
          text: `defaults
    mode http
    timeout connect 5s
listen app
    bind 127.0.0.1:8080
    option forwardfor
    cookie SRV insert indirect nocache
    server a 127.0.0.1:8081 cookie a check
    server b 127.0.0.1:8082 weight 2
`,
        },
      ],
      { env: {} },
    ).config;
    const source = (line: number) => ({ file: 'edge.json', line });
    const fromObject = configFromObject(
      {
        frontends: [{ name: 'app', isListen: true, binds: ['127.0.0.1:8080'], forwardFor: true, timeouts: { connect: '5s' }, source: source(4) }],
        backends: [
          {
            name: 'app',
            cookie: { name: 'SRV', mode: 'insert', indirect: true, nocache: true },
            forwardFor: true,
            timeouts: { connect: 5000 },
            servers: [
              { name: 'a', host: '127.0.0.1', port: 8081, cookie: 'a', check: true, source: source(8) },
              { name: 'b', host: '127.0.0.1', port: 8082, weight: 2, source: source(9) },
            ],
            source: source(4),
          },
        ],
      },
      'edge.json',
    );
    expect(fromObject).toStrictEqual(fromText);
    expect(Object.isFrozen(fromObject.backends[0]!.servers[0]!.check)).toBe(true);
  });

  it('accepts full objects, HAProxy time strings and condition text', () => {
    const config = configFromObject({
      frontends: [
        {
          name: 'www',
          binds: [{ port: 80 }, { host: '[::1]', port: 81 }, ':82,:83'],
          defaultBackend: 'web',
          useBackend: [
            { backend: 'api', condition: '{ path_beg /api } || { hdr(host) -i api.example.com }' },
            { backend: 'api', condition: { unless: true, anyOf: [[{ negate: true, test: 'path_beg /x' }]] } },
            { backend: 'web' },
          ],
          connectionMode: 'server-close',
          timeouts: { client: '30s', httpRequest: 10000, httpKeepAlive: '2s' },
          stats: {
            uri: '/stats',
            users: [{ user: 'a', password: 'b' }],
            refresh: '10s',
            jwt: { jwksUrl: 'https://team.cloudflareaccess.com/cdn-cgi/access/certs', issuer: 'https://team.cloudflareaccess.com', audience: ['aud1'] },
            prometheusPath: '/metrics',
          },
        },
      ],
      backends: [
        {
          name: 'web',
          servers: [{ name: 'w', host: 'w.internal', port: 80, check: { inter: '1s', rise: 1, addr: '10.0.0.1', port: 8080 } }],
          httpCheck: { method: 'GET', uri: '/health', expectStatus: 200 },
          errorFiles: [{ status: 503, path: 'inline', content: 'HTTP/1.0 503 X\r\n\r\nbody' }],
        },
        { name: 'api', balance: 'leastconn', retries: 0, redispatch: true, allBackups: true },
      ],
    });
    const www = config.frontends[0]!;
    expect(www.binds).toEqual([
      { host: '', port: 80 },
      { host: '::1', port: 81 },
      { host: '', port: 82 },
      { host: '', port: 83 },
    ]);
    expect(www.useBackend[0]!.condition.anyOf).toHaveLength(2);
    const negated = www.useBackend[1]!.condition;
    expect(negated.unless).toBe(true);
    expect(negated.anyOf).toHaveLength(1);
    expect(negated.anyOf[0]![0]).toMatchObject({ negate: true, tests: [{ text: 'path_beg /x', sample: { fetch: { name: 'path' } }, patterns: { method: 'beg', values: ['/x'] } }] });
    expect(www.useBackend[2]!.condition).toEqual({ unless: false, anyOf: [[]] });
    expect(www.useBackend[0]!.source).toEqual({ file: '<object>', line: 0 });
    expect(www.timeouts).toEqual({ client: 30_000, httpRequest: 10_000, httpKeepAlive: 2000 });
    expect(www.stats).toMatchObject({ enabled: true, uri: '/stats', realm: 'HAProxy Statistics', refresh: 10_000, prometheusPath: '/metrics' });
    expect(config.backends[0]!.servers[0]!.check).toEqual({ inter: 1000, fastinter: 1000, downinter: 1000, rise: 1, fall: 3, addr: '10.0.0.1', port: 8080 });
    // `expectStatus: N` is `http-check expect status N`.
    expect(config.backends[0]!.httpCheck).toEqual({ method: 'GET', uri: '/health', expect: [{ kind: 'status', ranges: [[200, 200]], inverse: false }] });
    expect(config.backends[1]).toMatchObject({ balance: 'leastconn', retries: 0, redispatch: true, allBackups: true, servers: [], errorFiles: [] });
  });

  it('reports every error with its JSON path (line 0)', () => {
    const errors = errorsOf({
      frontends: [{ name: 'www', binds: [{ port: 0 }, ':x'], defaultBackend: 'wbe', useBackend: [{ backend: 'api', condition: '{ path_beg /x' }] }],
      backends: [
        {
          name: 'web',
          balance: 'roundrobn',
          redispach: true,
          servers: [
            { name: 's1', host: '127.0.0.1', port: 8081, check: { inter: 0 } },
            { name: 's2', host: '127.0.0.1', port: '8082', weight: 300 },
            { name: 's1', host: '127.0.0.1', port: 8083 },
          ],
          cookie: { name: 'C', mode: 'rewrite', indirect: true },
          timeouts: { connect: '1.5s' },
        },
      ],
    });
    expect(errors.map((e) => [e.file, e.line, e.directive])).toEqual([
      ['edge.json', 0, 'frontends[0].binds[0].port'],
      ['edge.json', 0, 'frontends[0].binds[1]'],
      ['edge.json', 0, 'frontends[0].useBackend[0].condition'],
      ['edge.json', 0, 'backends[0].redispach'],
      ['edge.json', 0, 'backends[0].servers[0].check.inter'],
      ['edge.json', 0, 'backends[0].servers[1].port'],
      ['edge.json', 0, 'backends[0].servers[1].weight'],
      ['edge.json', 0, 'backends[0].servers[2].name'],
      ['edge.json', 0, 'backends[0].cookie.indirect'],
      ['edge.json', 0, 'backends[0].balance'],
      ['edge.json', 0, 'backends[0].timeouts.connect'],
      ['edge.json', 0, 'frontends[0].defaultBackend'],
    ]);
    const message = (path: string) => errors.find((e) => e.directive === path)!.message;
    expect(message('backends[0].redispach')).toBe("edge.json: 'backends[0].redispach': unknown field 'redispach'; did you mean 'redispatch'?");
    expect(message('backends[0].balance')).toBe(
      `edge.json: 'backends[0].balance': unknown value "roundrobn"; did you mean 'roundrobin'? expected one of roundrobin, static-rr, leastconn, first, random`,
    );
    expect(message('backends[0].servers[1].weight')).toMatch(/expected an integer from 0 to 256, got 300/);
    // The same words as for HAProxy text: one validation pass reports it for both readers.
    expect(message('frontends[0].defaultBackend')).toBe("edge.json: 'frontends[0].defaultBackend': frontend 'www': unable to find required default_backend 'wbe'; did you mean 'web'?");
  });

  it('checks the shape of the root and of required fields', () => {
    expect(errorsOf(null).map((e) => e.message)).toEqual(['edge.json: expected an object, got null']);
    expect(errorsOf({ backends: [{ servers: [{ host: 'h' }] }] }).map((e) => e.directive)).toEqual([
      'backends[0].name',
      'backends[0].servers[0].name',
      'backends[0].servers[0].port',
    ]);
    expect(errorsOf({ frontends: [{ name: 'l', isListen: true }] }).map((e) => e.message)).toEqual([
      "edge.json: 'frontends[0].isListen': listen 'l' needs a backend of the same name; add it to backends (a listen section is both)",
    ]);
    expect(errorsOf({ backends: [{ name: 'b' }, { name: 'b' }] }).map((e) => e.directive)).toEqual(['backends[1].name']);
    expect(errorsOf({ frontends: [{ name: 'f', stats: { jwt: { jwksUrl: 'ftp://x', issuer: 'i', audience: [] } } }] }).map((e) => e.directive)).toEqual([
      'frontends[0].stats.jwt.jwksUrl',
      'frontends[0].stats.jwt.audience',
    ]);
  });

  it('reads the stats login throttle: false, or delays with defaults for the fields left out', () => {
    const statsOf = (loginThrottle: unknown) =>
      configFromObject({ frontends: [{ name: 'f', stats: { loginThrottle } }] }, 'edge.json').frontends[0]!.stats!.loginThrottle;
    expect(statsOf(false)).toBe(false);
    expect(statsOf(undefined)).toBeUndefined();
    expect(statsOf({ delay: '1s' })).toEqual({ freeFailures: 5, delay: 1000, maxDelay: 10_000 });
    expect(statsOf({ freeFailures: 0, delay: 50, maxDelay: '2s' })).toEqual({ freeFailures: 0, delay: 50, maxDelay: 2000 });
    expect(errorsOf({ frontends: [{ name: 'f', stats: { loginThrottle: { delay: '5s', maxDelay: '1s' } } }] }).map((e) => e.message)).toEqual([
      "edge.json: 'frontends[0].stats.loginThrottle.maxDelay': must be at least delay (5000 ms), got 1000 ms",
    ]);
  });
});
