/**
 * The conformance scenarios, as data: a configuration (`${PORT}`, `${STATS}`
 * for listeners, `${S1}`… for backends, `${DEAD}` for a port nobody listens
 * on), requests in order, and what each answer and backend must show. They
 * run unchanged on every runtime (see runtimes.ts); `differs` says why a
 * runtime is expected to behave otherwise.
 */
export interface Step {
  readonly path?: string;
  readonly cookie?: string;
  /** `user:password` for basic auth. */
  readonly auth?: string;
  readonly port?: 'PORT' | 'STATS';
  readonly expect: {
    readonly status?: number;
    readonly servedBy?: string;
    /** Every Set-Cookie line, exactly. */
    readonly setCookie?: readonly string[];
    /** The Cookie lines the backend received. */
    readonly backendCookie?: readonly string[];
    readonly backendForwardedFor?: readonly string[];
    readonly wwwAuthenticate?: string;
    readonly body?: string;
    readonly bodyStartsWith?: string;
  };
}

export interface Scenario {
  readonly name: string;
  readonly config: string;
  readonly backends: readonly string[];
  /** A scenario whose configuration every runtime must refuse. */
  readonly invalid?: boolean;
  readonly steps: readonly Step[];
  readonly differs?: Partial<Record<'Node' | 'Deno' | 'Workers' | 'haproxy', string>>;
}

const DEFAULTS = `defaults
    mode http
    timeout connect 500ms
    timeout client 5s
    timeout server 5s
`;

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'seed: cookie insert indirect nocache, forwardfor, httpclose',
    backends: ['s1', 's2'],
    config: `${DEFAULTS}listen appname
    bind 127.0.0.1:\${PORT}
    balance roundrobin
    option httpclose
    option forwardfor
    cookie SERVERNAME insert indirect nocache
    server apache-1 127.0.0.1:\${S1} cookie s1 check
    server apache-2 127.0.0.1:\${S2} cookie s2 check
`,
    steps: [
      { expect: { status: 200, servedBy: 's1', setCookie: ['SERVERNAME=s1; path=/'], backendForwardedFor: ['127.0.0.1'] } },
      { expect: { status: 200, servedBy: 's2', setCookie: ['SERVERNAME=s2; path=/'] } },
      { cookie: 'a=1; SERVERNAME=s1; b=2', expect: { servedBy: 's1', setCookie: [], backendCookie: ['a=1; b=2'] } },
      { cookie: 'SERVERNAME=s2', expect: { servedBy: 's2', setCookie: [], backendCookie: [] } },
      { cookie: 'SERVERNAME=s9', expect: { status: 200, servedBy: 's1', setCookie: ['SERVERNAME=s1; path=/'] } },
    ],
  },
  {
    name: 'prefix: the application cookie carries the server',
    backends: ['s1', 's2'],
    config: `${DEFAULTS}listen app
    bind 127.0.0.1:\${PORT}
    cookie JSESSIONID prefix indirect nocache
    server s1 127.0.0.1:\${S1} cookie s1
    server s2 127.0.0.1:\${S2} cookie s2
`,
    steps: [
      { path: '/?set-cookie=JSESSIONID%3Dabc%3B%20Path%3D%2F', expect: { servedBy: 's1', setCookie: ['JSESSIONID=s1~abc; Path=/'] } },
      { cookie: 'x=1; JSESSIONID=s2~xyz', expect: { servedBy: 's2', backendCookie: ['x=1; JSESSIONID=xyz'] } },
      { cookie: 'JSESSIONID=plain', expect: { servedBy: 's2', backendCookie: ['JSESSIONID=plain'] } },
    ],
  },
  {
    name: 'weights: interleaved round-robin',
    backends: ['s1', 's2', 's3'],
    config: `${DEFAULTS}listen app
    bind 127.0.0.1:\${PORT}
    balance roundrobin
    server s1 127.0.0.1:\${S1} weight 3
    server s2 127.0.0.1:\${S2} weight 1
    server s3 127.0.0.1:\${S3} weight 2
`,
    steps: ['s1', 's3', 's1', 's2', 's1', 's3'].map((servedBy) => ({ expect: { servedBy } })),
  },
  {
    name: 'backup: used only when no active server is left',
    backends: ['s1', 'b1', 'b2'],
    config: `${DEFAULTS}frontend web
    bind 127.0.0.1:\${PORT}
    use_backend standby if { path_beg /standby }
    default_backend live
backend live
    server s1 127.0.0.1:\${S1}
    server b1 127.0.0.1:\${S2} backup
backend standby
    server s1 127.0.0.1:\${S1} disabled
    server b1 127.0.0.1:\${S2} backup
    server b2 127.0.0.1:\${S3} backup
`,
    steps: [
      { expect: { servedBy: 's1' } },
      { expect: { servedBy: 's1' } },
      { path: '/standby', expect: { servedBy: 'b1' } },
      { path: '/standby', expect: { servedBy: 'b1' } },
    ],
  },
  {
    name: 'dead server, option redispatch: a sticky client is moved with a fresh cookie',
    backends: ['s2'],
    config: `${DEFAULTS}    retries 2
listen app
    bind 127.0.0.1:\${PORT}
    option redispatch
    cookie SERVERNAME insert indirect nocache
    server s1 127.0.0.1:\${DEAD} cookie s1
    server s2 127.0.0.1:\${S1} cookie s2
`,
    steps: [{ cookie: 'SERVERNAME=s1', expect: { status: 200, servedBy: 's2', setCookie: ['SERVERNAME=s2; path=/'] } }],
  },
  {
    name: 'dead server, no redispatch: 503 page',
    backends: ['s2'],
    config: `${DEFAULTS}    retries 1
listen app
    bind 127.0.0.1:\${PORT}
    cookie SERVERNAME insert indirect nocache
    server s1 127.0.0.1:\${DEAD} cookie s1
    server s2 127.0.0.1:\${S1} cookie s2
`,
    steps: [
      {
        cookie: 'SERVERNAME=s1',
        expect: { status: 503, body: '<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n' },
      },
    ],
  },
  {
    name: 'stats: basic auth and CSV',
    backends: ['s1'],
    differs: { Workers: 'a Worker has one address, so it serves the first frontend only: put the stats lines there' },
    config: `${DEFAULTS}listen app
    bind 127.0.0.1:\${PORT}
    server s1 127.0.0.1:\${S1}
listen stats
    bind 127.0.0.1:\${STATS}
    stats enable
    stats uri /
    stats realm Strictly\\ Private
    stats auth A_Username:YourPassword
    stats auth Another_User:passwd
`,
    steps: [
      { port: 'STATS', expect: { status: 401, wwwAuthenticate: 'Basic realm="Strictly Private"' } },
      { port: 'STATS', auth: 'A_Username:wrong', expect: { status: 401 } },
      { port: 'STATS', path: '/;csv', auth: 'Another_User:passwd', expect: { status: 200, bodyStartsWith: '# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,' } },
    ],
  },
  {
    name: 'error page: no server left',
    backends: ['s1'],
    config: `${DEFAULTS}listen app
    bind 127.0.0.1:\${PORT}
    server s1 127.0.0.1:\${S1} disabled
`,
    steps: [
      { expect: { status: 503, body: '<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n' } },
    ],
  },
  {
    name: 'config error: a typo is refused',
    backends: [],
    invalid: true,
    config: `${DEFAULTS}listen app
    bind 127.0.0.1:8080
    balance roundrobn
    server s1 127.0.0.1:8081
`,
    steps: [],
  },
];
