/**
 * Both readers feed one validation pass (src/config/validate-config.ts): an
 * HAProxy text and the object that says the same thing give the same Config,
 * the same notices and the same errors (the HAProxy reader names the file,
 * line and directive, the object reader the object path).
 */
import { describe, expect, it } from 'vitest';
import { ConfigErrors, parseHaproxyConfig, readObjectConfig, type ConfigError } from '../../src/config/index.ts';

const TIMEOUTS = { client: '30s', connect: '5s', server: '30s' };
const DEFAULTS = 'defaults\n    mode http\n    timeout client 30s\n    timeout connect 5s\n    timeout server 30s\n';

/** Every `source` replaced: the two readers locate things differently (line numbers, object paths). */
function withoutSources(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSources);
  if (value === null || typeof value !== 'object' || value instanceof RegExp || value instanceof Map) return value;
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, key === 'source' ? '-' : withoutSources(v)]));
}

/** A notice without its location (`haproxy.cfg:7: ` or `edge.json: 'backends[0].cookie': `). */
const noticeText = (notice: string) => notice.replace(/^[^:]+(?::\d+)?: (?:'(?:frontends|backends)\[[^']*': )?/, '');

function readText(text: string) {
  return parseHaproxyConfig([{ file: 'haproxy.cfg', text }], { env: {} });
}

function errorsOf(read: () => unknown): readonly ConfigError[] {
  try {
    read();
  } catch (error) {
    if (error instanceof ConfigErrors) return error.errors;
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

interface Pair {
  readonly text: string;
  readonly object: unknown;
}

const ACCEPTED: Record<string, Pair> = {
  'a listen with cookie persistence, checks and defaults': {
    text: `${DEFAULTS}listen app
    bind 127.0.0.1:8080
    option forwardfor
    cookie SRV insert indirect nocache
    server a 127.0.0.1:8081 cookie a check inter 1s fall 2
    server b 127.0.0.1:8082 weight 2 maxconn 0
`,
    object: {
      frontends: [{ name: 'app', isListen: true, binds: ['127.0.0.1:8080'], forwardFor: true, timeouts: TIMEOUTS }],
      backends: [
        {
          name: 'app',
          cookie: { name: 'SRV', mode: 'insert', indirect: true, nocache: true },
          forwardFor: true,
          timeouts: TIMEOUTS,
          servers: [
            { name: 'a', host: '127.0.0.1', port: 8081, cookie: 'a', check: { inter: '1s', fall: 2 } },
            { name: 'b', host: '127.0.0.1', port: 8082, weight: 2, maxconn: 0 },
          ],
        },
      ],
    },
  },
  'content switching, a zero timeout, a zero maxconn and stats': {
    text: `${DEFAULTS}frontend www
    bind :80
    maxconn 0
    timeout client 0
    default_backend web
    use_backend api if { path_beg /api } || { hdr(host) -i api.example.com }
    stats uri /stats
    stats scope api
    stats scope nope
backend web
    balance leastconn
    retries 0
    option redispatch
    server w 127.0.0.1:8081
backend api
    option httpchk GET /health
    http-check expect status 200
    server a 127.0.0.1:8082 check
`,
    object: {
      frontends: [
        {
          name: 'www',
          binds: [':80'],
          maxconn: 0,
          timeouts: { ...TIMEOUTS, client: 0 },
          defaultBackend: 'web',
          useBackend: [{ backend: 'api', condition: '{ path_beg /api } || { hdr(host) -i api.example.com }' }],
          stats: { uri: '/stats', scope: ['api', 'nope'] },
        },
      ],
      backends: [
        { name: 'web', balance: 'leastconn', retries: 0, redispatch: true, timeouts: TIMEOUTS, servers: [{ name: 'w', host: '127.0.0.1', port: 8081 }] },
        { name: 'api', httpCheck: { method: 'GET', uri: '/health', expectStatus: 200 }, timeouts: TIMEOUTS, servers: [{ name: 'a', host: '127.0.0.1', port: 8082, check: true }] },
      ],
    },
  },
  "HAProxy's warnings: no bind, missing timeouts, cookie values without a cookie line": {
    text: `frontend f
    mode http
    default_backend b
backend b
    mode http
    server s 127.0.0.1:8081 cookie s
`,
    object: {
      frontends: [{ name: 'f', defaultBackend: 'b' }],
      backends: [{ name: 'b', servers: [{ name: 's', host: '127.0.0.1', port: 8081, cookie: 's' }] }],
    },
  },
};

describe('one validation pass for both readers: accepted configurations', () => {
  for (const [name, { text, object }] of Object.entries(ACCEPTED)) {
    it(name, () => {
      const fromText = readText(text);
      const fromObject = readObjectConfig(object, 'edge.json');
      expect(withoutSources(fromObject.config)).toStrictEqual(withoutSources(fromText.config));
      expect(fromObject.notices.map(noticeText)).toEqual(fromText.notices.map(noticeText));
    });
  }

  it('reports the warnings for an object config too, naming the object path', () => {
    const { notices } = readObjectConfig(ACCEPTED["HAProxy's warnings: no bind, missing timeouts, cookie values without a cookie line"]!.object, 'edge.json');
    expect(notices).toEqual([
      "edge.json: 'frontends[0]': frontend 'f' has no 'bind' directive, so it receives no traffic (declare it as a backend if this was intended)",
      "edge.json: 'frontends[0]': missing timeouts for frontend 'f': timeout client (no limit; HAProxy warns about this too)",
      "edge.json: 'backends[0]': backend 'b': server cookie values are unused without a 'cookie NAME insert|prefix|rewrite' line",
      "edge.json: 'backends[0]': missing timeouts for backend 'b': timeout connect, timeout server (no limit; HAProxy warns about this too)",
    ]);
  });

  it('keeps the order of frontends and of backends when a listen comes between', () => {
    const { config } = readObjectConfig({
      frontends: [{ name: 'www', binds: [':80'], defaultBackend: 'web' }, { name: 'app', isListen: true, binds: [':81'] }, { name: 'z', binds: [':82'], defaultBackend: 'api' }],
      backends: [{ name: 'web' }, { name: 'app', retries: 1 }, { name: 'api' }],
    });
    expect(config.frontends.map((f) => f.name)).toEqual(['www', 'app', 'z']);
    expect(config.backends.map((b) => [b.name, b.retries])).toEqual([['web', 3], ['app', 1], ['api', 3]]);
  });
});

/** [what, HAProxy text, the equivalent object, the object path of the error]. */
const REJECTED: [string, string, unknown, string][] = [
  [
    'default_backend names no backend',
    `${DEFAULTS}frontend www\n    bind :80\n    default_backend wbe\nbackend web\n`,
    { frontends: [{ name: 'www', binds: [':80'], timeouts: TIMEOUTS, defaultBackend: 'wbe' }], backends: [{ name: 'web', timeouts: TIMEOUTS }] },
    'frontends[0].defaultBackend',
  ],
  [
    'use_backend names no backend',
    `${DEFAULTS}frontend www\n    bind :80\n    use_backend ap if { path_beg /api }\nbackend api\n`,
    { frontends: [{ name: 'www', binds: [':80'], useBackend: [{ backend: 'ap', condition: '{ path_beg /api }' }] }], backends: [{ name: 'api' }] },
    'frontends[0].useBackend[0].backend',
  ],
  [
    'a listen routing to itself',
    `${DEFAULTS}listen app\n    bind :80\n    use_backend app if { path_beg /x }\n`,
    { frontends: [{ name: 'app', isListen: true, binds: [':80'], useBackend: [{ backend: 'app', condition: '{ path_beg /x }' }] }], backends: [{ name: 'app' }] },
    'frontends[0].useBackend[0].backend',
  ],
  [
    'nbsrv() of an unknown backend',
    `${DEFAULTS}frontend www\n    bind :80\n    use_backend api if { nbsrv(apii) gt 0 }\nbackend api\n`,
    { frontends: [{ name: 'www', binds: [':80'], useBackend: [{ backend: 'api', condition: '{ nbsrv(apii) gt 0 }' }] }], backends: [{ name: 'api' }] },
    'frontends[0].useBackend[0].condition',
  ],
  [
    "cookie 'rewrite' with 'indirect'",
    `${DEFAULTS}backend b\n    cookie C rewrite indirect\n`,
    { backends: [{ name: 'b', cookie: { name: 'C', mode: 'rewrite', indirect: true } }] },
    'backends[0].cookie.indirect',
  ],
  [
    "cookie 'preserve' without insert or indirect",
    `${DEFAULTS}backend b\n    cookie C prefix preserve\n`,
    { backends: [{ name: 'b', cookie: { name: 'C', mode: 'prefix', preserve: true } }] },
    'backends[0].cookie.preserve',
  ],
  [
    "a cookie attribute with ';'",
    `${DEFAULTS}backend b\n    cookie C insert attr x;y\n`,
    { backends: [{ name: 'b', cookie: { name: 'C', mode: 'insert', attrs: ['x;y'] } }] },
    'backends[0].cookie.attrs[0]',
  ],
];

describe('one validation pass for both readers: rejected configurations', () => {
  for (const [name, text, object, path] of REJECTED) {
    it(name, () => {
      const [fromText] = errorsOf(() => readText(text));
      const [fromObject, ...more] = errorsOf(() => readObjectConfig(object, 'edge.json'));
      expect(more).toEqual([]);
      expect(fromText!.line).toBeGreaterThan(0);
      expect([fromObject!.file, fromObject!.line, fromObject!.directive]).toEqual(['edge.json', 0, path]);
      expect([fromObject!.problem, fromObject!.hint]).toEqual([fromText!.problem, fromText!.hint]);
    });
  }

  it('duplicate names: the same rule, each reader saying where the first one is', () => {
    const [fromText] = errorsOf(() => readText(`${DEFAULTS}listen b\n    bind :80\nbackend b\n`));
    const objectErrors = errorsOf(() => readObjectConfig({ frontends: [{ name: 'b', isListen: true, binds: [':80'] }], backends: [{ name: 'b' }, { name: 'b' }] }, 'edge.json'));
    expect(fromText!.problem).toBe("backend 'b' has the same name as listen 'b' declared at haproxy.cfg:6");
    expect(objectErrors.map((e) => [e.directive, e.problem])).toEqual([['backends[1].name', "backend 'b' has the same name as listen 'b' declared at frontends[0]"]]);
  });
});
