/** A server that is dead, hangs up or is too slow: retries, redispatch, checks and the error pages. */
import { DEFAULTS, ERROR_PAGE_HEADERS, ignoringHeader, PAGE_502, PAGE_503, PAGE_504, WORKERS_CONNECTION, type Scenario, type Step } from '../scenario.ts';

const STICKY_PAIR = `    cookie SERVERNAME insert indirect nocache
    server s1 127.0.0.1:\${DEAD} cookie s1
    server s2 127.0.0.1:\${S1} cookie s2
`;

const RETRIES_THEN_503: Step[] = [
  { cookie: 'SERVERNAME=s1', expect: { status: 503, body: PAGE_503, headers: ERROR_PAGE_HEADERS, setCookie: [], reachesBackend: false } },
];
const NO_SERVER_503: Step[] = [{ expect: { status: 503, body: PAGE_503, headers: ERROR_PAGE_HEADERS, reachesBackend: false } }];
const HANG_UP_502: Step[] = [{ expect: { status: 502, body: PAGE_502, headers: ERROR_PAGE_HEADERS } }];
const TIMEOUT_504: Step[] = [{ path: '/?delay=3000', expect: { status: 504, body: PAGE_504, headers: ERROR_PAGE_HEADERS } }];

export const FAILURE_SCENARIOS: readonly Scenario[] = [
  {
    name: 'dead server, option redispatch: a sticky client is moved with a fresh cookie',
    backends: ['s2'],
    config: `${DEFAULTS}    retries 2
listen app
    bind 127.0.0.1:\${PORT}
    option redispatch
${STICKY_PAIR}`,
    steps: [{ cookie: 'SERVERNAME=s1', expect: { status: 200, servedBy: 's2', setCookie: ['SERVERNAME=s2; path=/'] } }],
  },
  {
    name: 'dead server, no redispatch: retries, then the 503 page',
    backends: ['s2'],
    config: `${DEFAULTS}    retries 1
listen app
    bind 127.0.0.1:\${PORT}
${STICKY_PAIR}`,
    steps: RETRIES_THEN_503,
    differs: { Workers: { why: WORKERS_CONNECTION, steps: ignoringHeader(RETRIES_THEN_503, 'connection') } },
  },
  {
    name: 'dead server marked DOWN by its check: its cookie is ignored, even without redispatch',
    backends: ['s2'],
    config: `${DEFAULTS}listen app
    bind 127.0.0.1:\${PORT}
    cookie SERVERNAME insert indirect nocache
    server s1 127.0.0.1:\${DEAD} cookie s1 check inter 100ms
    server s2 127.0.0.1:\${S1} cookie s2 check inter 100ms
`,
    // At start-up one failed check is enough to mark a server DOWN.
    steps: [{ cookie: 'SERVERNAME=s1', eventually: true, expect: { status: 200, servedBy: 's2', setCookie: ['SERVERNAME=s2; path=/'] } }],
  },
  {
    name: 'no server left: the 503 page',
    backends: ['s1'],
    config: `${DEFAULTS}listen app
    bind 127.0.0.1:\${PORT}
    server s1 127.0.0.1:\${S1} disabled
`,
    steps: NO_SERVER_503,
    differs: { Workers: { why: WORKERS_CONNECTION, steps: ignoringHeader(NO_SERVER_503, 'connection') } },
  },
  {
    name: 'server hangs up without answering: the 502 page',
    backends: [],
    config: `${DEFAULTS}listen app
    bind 127.0.0.1:\${PORT}
    server s1 127.0.0.1:\${CLOSES}
`,
    steps: HANG_UP_502,
    differs: {
      Workers: {
        why:
          "in workerd, fetch reports a server that hangs up in the same words as one that cannot be reached ('Network connection lost'), so the Worker treats it as a connection failure: retried, then the 503 page",
        steps: [{ expect: { status: 503, body: PAGE_503 } }],
      },
    },
  },
  {
    name: 'timeout server: the 504 page',
    backends: ['s1'],
    config: `${DEFAULTS}listen app
    bind 127.0.0.1:\${PORT}
    timeout server 300ms
    server s1 127.0.0.1:\${S1}
`,
    steps: TIMEOUT_504,
    differs: { Workers: { why: WORKERS_CONNECTION, steps: ignoringHeader(TIMEOUT_504, 'connection') } },
  },
];
