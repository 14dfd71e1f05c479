/** The stats page: basic auth with HAProxy's realm and 401 page, and the CSV export. */
import { DEFAULTS, PAGE_401, type Scenario, type Step } from '../scenario.ts';

const STATS_LINES = `    stats enable
    stats realm Strictly\\ Private
    stats auth A_Username:YourPassword
    stats auth Another_User:passwd
`;

function statsSteps(port: 'PORT' | 'STATS', uri: string): Step[] {
  return [
    {
      port,
      path: uri,
      expect: {
        status: 401,
        body: PAGE_401,
        headers: { 'www-authenticate': 'Basic realm="Strictly Private"', 'cache-control': 'no-cache', 'content-type': 'text/html' },
        reachesBackend: false,
      },
    },
    { port, path: uri, auth: 'A_Username:wrong', expect: { status: 401, reachesBackend: false } },
    // The page itself is our own (not HAProxy's), so only its status is compared.
    { port, path: uri, auth: 'A_Username:YourPassword', expect: { status: 200, reachesBackend: false } },
    {
      port,
      path: `${uri};csv`,
      auth: 'Another_User:passwd',
      expect: {
        status: 200,
        bodyMatches: [/^# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,/, /^app,FRONTEND,/m, /^app,s1,(?:[^,]*,){15}no check,1,1,0,/m, /^app,BACKEND,/m],
      },
    },
  ];
}

export const STATS_SCENARIOS: readonly Scenario[] = [
  {
    name: 'stats on its own listener (the seed): basic auth and CSV',
    backends: ['s1'],
    config: `${DEFAULTS}listen app
    bind 127.0.0.1:\${PORT}
    server s1 127.0.0.1:\${S1}
listen stats
    bind 127.0.0.1:\${STATS}
    stats uri /
${STATS_LINES}`,
    steps: statsSteps('STATS', '/'),
    differs: {
      Workers: { why: 'a Worker has one address and serves the first frontend only, so a second listener is not reachable; the next scenario puts the stats on the application\'s frontend' },
    },
  },
  {
    name: 'stats under a path of the application frontend: basic auth and CSV',
    backends: ['s1'],
    config: `${DEFAULTS}listen app
    bind 127.0.0.1:\${PORT}
    stats uri /haproxy-stats
${STATS_LINES}    server s1 127.0.0.1:\${S1}
`,
    steps: [...statsSteps('PORT', '/haproxy-stats'), { path: '/other', expect: { status: 200, servedBy: 's1' } }],
  },
  {
    // issue 15 item 9: http_stats_check_uri compares the target as received, from its path on.
    name: 'the stats URI is matched on the target as sent: dot segments, %2e%2e and absolute form',
    backends: ['s1'],
    config: `${DEFAULTS}listen app
    bind 127.0.0.1:\${PORT}
    stats uri /haproxy-stats
${STATS_LINES}    server s1 127.0.0.1:\${S1}
`,
    steps: [
      ...['/haproxy-stats/../x', '/haproxy-stats/%2e%2e/x', '/haproxy-stats?x'].map((path): Step => ({
        path,
        expect: { status: 401, body: PAGE_401, reachesBackend: false },
      })),
      { path: 'http://app.test/haproxy-stats', headers: [['Host', 'app.test']], expect: { status: 401, body: PAGE_401, reachesBackend: false } },
      { path: '/x/../haproxy-stats', expect: { status: 200, servedBy: 's1' } },
    ],
    differs: {
      Workers: {
        why: "the Workers runtime hands the Worker a URL with dot segments already resolved (Cloudflare's edge normalises incoming URLs too), so `/haproxy-stats/../x` arrives as `/x`: the target as sent is not known there; and miniflare's local server answers an absolute-form request 500 before the Worker sees it",
        steps: [{ path: '/haproxy-stats?x', expect: { status: 401, body: PAGE_401, reachesBackend: false } }],
      },
    },
  },
];
