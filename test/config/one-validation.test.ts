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
  'rules: ACLs, http-request/http-response, redirects, use_backend with a named ACL, monitor-uri, a userlist': {
    text: `${DEFAULTS}userlist ops
    group admins
    user alice insecure-password s3cret groups admins
frontend www
    bind :80
    acl is_api path_beg -i /api
    acl is_admin path_beg /admin
    http-request auth realm ops if is_admin !{ http_auth_group(ops) admins }
    http-request set-header X-Forwarded-Proto https if { ssl_fc }
    http-request return status 200 content-type text/plain string pong if { path /ping }
    http-response set-header X-Frame-Options DENY
    redirect scheme https code 301 if { hdr(host) -i old.example.com }
    monitor-uri /health
    monitor fail if { nbsrv(api) lt 1 }
    unique-id-format %{+X}o\\ %ci:%cp
    unique-id-header X-Request-ID
    use_backend api if is_api
    default_backend web
backend web
    http-request set-path /app%[path] unless { path_beg /app }
    http-response del-header Server
    server w 127.0.0.1:8081
backend api
    server a 127.0.0.1:8082
`,
    object: {
      userlists: [{ name: 'ops', groups: ['admins'], users: ['alice insecure-password s3cret groups admins'] }],
      frontends: [
        {
          name: 'www',
          binds: [':80'],
          timeouts: TIMEOUTS,
          acls: ['is_api path_beg -i /api', 'is_admin path_beg /admin'],
          httpRequest: [
            'auth realm ops if is_admin !{ http_auth_group(ops) admins }',
            'set-header X-Forwarded-Proto https if { ssl_fc }',
            'return status 200 content-type text/plain string pong if { path /ping }',
          ],
          httpResponse: ['set-header X-Frame-Options DENY'],
          redirects: ['scheme https code 301 if { hdr(host) -i old.example.com }'],
          monitorUri: '/health',
          monitorFail: '{ nbsrv(api) lt 1 }',
          uniqueIdFormat: '%{+X}o %ci:%cp',
          uniqueIdHeader: 'X-Request-ID',
          useBackend: [{ backend: 'api', if: 'is_api' }],
          defaultBackend: 'web',
        },
      ],
      backends: [
        {
          name: 'web',
          timeouts: TIMEOUTS,
          httpRequest: ['set-path /app%[path] unless { path_beg /app }'],
          httpResponse: ['del-header Server'],
          servers: [{ name: 'w', host: '127.0.0.1', port: 8081 }],
        },
        { name: 'api', timeouts: TIMEOUTS, servers: [{ name: 'a', host: '127.0.0.1', port: 8082 }] },
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
  [
    'an unknown http-request action',
    `${DEFAULTS}frontend www\n    bind :80\n    http-request set-heder X-A 1\n`,
    { frontends: [{ name: 'www', binds: [':80'], httpRequest: ['set-heder X-A 1'] }] },
    'frontends[0].httpRequest[0]',
  ],
  [
    'a regex that does not compile',
    `${DEFAULTS}backend b\n    acl bad path_reg (\n`,
    { backends: [{ name: 'b', acls: ['bad path_reg ('] }] },
    'backends[0].acls[0]',
  ],
  [
    'use_backend with an undeclared ACL',
    `${DEFAULTS}frontend www\n    bind :80\n    acl is_api path_beg /api\n    use_backend api if is_apii\nbackend api\n`,
    { frontends: [{ name: 'www', binds: [':80'], acls: ['is_api path_beg /api'], useBackend: [{ backend: 'api', if: 'is_apii' }] }], backends: [{ name: 'api' }] },
    'frontends[0].useBackend[0].if',
  ],
  [
    'http_auth() of an unknown userlist',
    `${DEFAULTS}userlist ops\n    user alice insecure-password x\nfrontend www\n    bind :80\n    http-request auth unless { http_auth(opz) }\n`,
    { userlists: [{ name: 'ops', users: ['alice insecure-password x'] }], frontends: [{ name: 'www', binds: [':80'], httpRequest: ['auth unless { http_auth(opz) }'] }] },
    'frontends[0].httpRequest[0]',
  ],
  [
    'a userlist user in an unknown group',
    `${DEFAULTS}userlist ops\n    user alice insecure-password x groups admin\n`,
    { userlists: [{ name: 'ops', users: ['alice insecure-password x groups admin'] }] },
    'userlists[0]',
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
      expect(fromObject!.hint).toBe(fromText!.hint);
      // A line of HAProxy text in an object names its directive after the path.
      expect([fromText!.problem, `'${fromText!.directive}': ${fromText!.problem}`]).toContain(fromObject!.problem);
    });
  }

  it("an object listen's rules go in its frontend entry (they run once, as a frontend)", () => {
    const errors = errorsOf(() => readObjectConfig({ frontends: [{ name: 'app', isListen: true }], backends: [{ name: 'app', httpRequest: ['deny'] }] }, 'edge.json'));
    expect(errors.map((e) => e.message)).toEqual([
      "edge.json: 'backends[0]': listen 'app': its rules belong to its frontends[] entry; move httpRequest, httpResponse and redirects there",
    ]);
  });

  it('object rule lists: only strings of HAProxy text; `if`, `unless` and `condition` exclude each other', () => {
    const errors = errorsOf(() =>
      readObjectConfig({ frontends: [{ name: 'f', httpRequest: [{ action: 'deny' }, 'deny if { path_beg "/x }'], useBackend: [{ backend: 'f', if: 'TRUE', unless: 'FALSE' }] }], backends: [{ name: 'f' }] }, 'edge.json'),
    );
    expect(errors.map((e) => [e.directive, e.problem])).toEqual([
      ['frontends[0].httpRequest[0]', 'expected a non-empty string of HAProxy text, got {"action":"deny"}'],
      ['frontends[0].httpRequest[1]', 'unmatched quote at position 20'],
      ['frontends[0].useBackend[0].unless', "only one of 'condition', 'if' and 'unless' may be given"],
    ]);
  });

  it('duplicate names: the same rule, each reader saying where the first one is', () => {
    const [fromText] = errorsOf(() => readText(`${DEFAULTS}listen b\n    bind :80\nbackend b\n`));
    const objectErrors = errorsOf(() => readObjectConfig({ frontends: [{ name: 'b', isListen: true, binds: [':80'] }], backends: [{ name: 'b' }, { name: 'b' }] }, 'edge.json'));
    expect(fromText!.problem).toBe("backend 'b' has the same name as listen 'b' declared at haproxy.cfg:6");
    expect(objectErrors.map((e) => [e.directive, e.problem])).toEqual([['backends[1].name', "backend 'b' has the same name as listen 'b' declared at frontends[0]"]]);
  });
});
