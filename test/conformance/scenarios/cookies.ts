/** Cookie persistence: the seed configuration (insert) and prefix mode. */
import { answerWith, DEFAULTS, ignoringHeader, WORKERS_CONNECTION, type Scenario, type Step } from '../scenario.ts';

/**
 * The seed's exchanges. `keepAlive`: what reaches the client of the server's
 * `Keep-Alive: timeout=5`; `forwardedFor`: the X-Forwarded-For lines a
 * backend sees when the client sent one.
 */
function seedSteps({ keepAlive = null, forwardedFor = ['203.0.113.7', '127.0.0.1'] }: { keepAlive?: string | null; forwardedFor?: string[] } = {}): Step[] {
  return [
    // A cacheable answer carrying our cookie gets Cache-Control: private
    // (nocache); httpclose closes both sides.
    {
      path: answerWith({ 'cache-control': 'public, max-age=60', 'keep-alive': 'timeout=5' }),
      expect: {
        status: 200,
        servedBy: 's1',
        setCookie: ['SERVERNAME=s1; path=/'],
        headers: { 'cache-control': 'public, max-age=60, private', connection: 'close', 'keep-alive': keepAlive },
        backendHeaders: { 'x-forwarded-for': ['127.0.0.1'], connection: ['close'] },
      },
    },
    // Not cacheable: nocache adds nothing.
    { expect: { status: 200, servedBy: 's2', setCookie: ['SERVERNAME=s2; path=/'], headers: { 'cache-control': null } } },
    // indirect: our cookie is removed, the others stay in order; a valid one brings no new Set-Cookie.
    { cookie: 'a=1; SERVERNAME=s1; b=2', expect: { servedBy: 's1', setCookie: [], backendHeaders: { cookie: ['a=1; b=2'] } } },
    { cookie: 'SERVERNAME=s2', expect: { servedBy: 's2', setCookie: [], backendHeaders: { cookie: [] } } },
    // An unknown server: balanced as usual, and a fresh cookie.
    { cookie: 'SERVERNAME=s9', expect: { status: 200, servedBy: 's1', setCookie: ['SERVERNAME=s1; path=/'] } },
    // forwardfor adds its own line after the client's.
    {
      cookie: 'SERVERNAME=s2',
      headers: [['X-Forwarded-For', '203.0.113.7']],
      expect: { servedBy: 's2', backendHeaders: { 'x-forwarded-for': forwardedFor } },
    },
  ];
}

export const COOKIE_SCENARIOS: readonly Scenario[] = [
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
    steps: seedSteps(),
    differs: {
      haproxy: {
        why:
          "HAProxy 2.6 passes on a Keep-Alive header the server sends, even under httpclose; edge-balancer removes it as the hop-by-hop header it is (RFC 9110 §7.6.1), meaningless next to Connection: close",
        steps: seedSteps({ keepAlive: 'timeout=5' }),
      },
      Workers: { why: WORKERS_CONNECTION, steps: ignoringHeader(seedSteps(), 'connection') },
    },
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
      // The server's cookie is prefixed, attributes and other cookies untouched.
      {
        path: answerWith({ 'set-cookie': ['JSESSIONID=abc; Path=/; HttpOnly', 'theme=dark'] }),
        expect: { servedBy: 's1', setCookie: ['JSESSIONID=s1~abc; Path=/; HttpOnly', 'theme=dark'] },
      },
      // The prefix routes and is stripped before the backend.
      { cookie: 'x=1; JSESSIONID=s2~xyz', expect: { servedBy: 's2', backendHeaders: { cookie: ['x=1; JSESSIONID=xyz'] } } },
      // With indirect, a client already pinned to s2 does not get s2's new session cookie again.
      {
        cookie: 'JSESSIONID=s2~xyz',
        path: answerWith({ 'set-cookie': ['JSESSIONID=renewed', 'theme=dark'] }),
        expect: { servedBy: 's2', setCookie: ['theme=dark'] },
      },
      // Without `~` the value passes unchanged and is balanced; no session is invented.
      { cookie: 'JSESSIONID=plain', expect: { servedBy: 's2', setCookie: [], backendHeaders: { cookie: ['JSESSIONID=plain'] } } },
      // Any `xxx~` prefix is stripped, even an unknown server's.
      { cookie: 'JSESSIONID=s9~abc', expect: { servedBy: 's1', backendHeaders: { cookie: ['JSESSIONID=abc'] } } },
    ],
  },
];
