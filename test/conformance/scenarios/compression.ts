/**
 * `compression` (issue 12) on every runtime: the algorithm the client
 * accepts first (gzip, or deflate), `Vary: Accept-Encoding`, no
 * Content-Length; nothing for a client that accepts neither, for a body the
 * server already encoded, or under `Cache-Control: no-transform`; with
 * `offload` the server never sees Accept-Encoding when the balancer compresses.
 */
import { DEFAULTS, ignoringHeader, type Scenario, type Step } from '../scenario.ts';

const STEPS: readonly Step[] = [
  {
    path: '/',
    headers: [['Accept-Encoding', 'gzip, deflate']],
    expect: { status: 200, compressed: 'gzip', headers: { vary: 'Accept-Encoding' }, servedBy: 's1', backendHeaders: { 'accept-encoding': [] } },
  },
  {
    path: '/',
    headers: [['Accept-Encoding', 'br;q=0.9, deflate']],
    expect: { status: 200, compressed: 'deflate', headers: { vary: 'Accept-Encoding' }, servedBy: 's1', backendHeaders: { 'accept-encoding': [] } },
  },
  {
    path: '/',
    headers: [['Accept-Encoding', 'br']],
    expect: { status: 200, headers: { 'content-encoding': null, vary: null }, servedBy: 's1', backendHeaders: { 'accept-encoding': ['br'] } },
  },
  {
    path: '/?gzip=1',
    headers: [['Accept-Encoding', 'gzip']],
    expect: { status: 200, gzipped: true, headers: { vary: null }, servedBy: 's1' },
  },
  {
    path: '/?cache-control=no-transform',
    headers: [['Accept-Encoding', 'gzip']],
    expect: { status: 200, headers: { 'content-encoding': null, vary: null }, servedBy: 's1' },
  },
];

/**
 * On Workers the platform owns content coding with the client: the Worker
 * sees `Accept-Encoding: br, gzip` whatever the client sent, so the balancer
 * picks gzip, and workerd encodes the body per the client's real header (br
 * for a client that prefers it). Its fetch to the server carries workerd's
 * own Accept-Encoding.
 */
const WORKERS_STEPS: readonly Step[] = [
  ...ignoringHeader(STEPS.slice(0, 1), 'accept-encoding'),
  {
    path: '/',
    headers: [['Accept-Encoding', 'br;q=0.9, deflate']],
    expect: { status: 200, headers: { 'content-encoding': 'br', vary: 'Accept-Encoding', 'content-length': null } },
  },
  {
    path: '/',
    headers: [['Accept-Encoding', 'br']],
    expect: { status: 200, headers: { 'content-encoding': 'br', vary: 'Accept-Encoding', 'content-length': null } },
  },
  ...STEPS.slice(3, 4),
];

export const COMPRESSION_SCENARIOS: readonly Scenario[] = [
  {
    name: 'compression: gzip or deflate as the client accepts, Vary added, offload',
    backends: ['s1'],
    config: `${DEFAULTS}listen app
    bind 127.0.0.1:\${PORT}
    compression algo gzip deflate
    compression type application/json text/html
    compression offload
    server s1 127.0.0.1:\${S1}
`,
    steps: STEPS,
    differs: {
      Workers: {
        why: "the platform negotiates content coding with the client and encodes the Worker's answer itself: the Worker sees `Accept-Encoding: br, gzip` whatever the client sent, so the balancer asks for gzip (Vary added, Content-Length dropped) and workerd sends gzip, br or nothing as the client accepts; `offload` cannot hide Accept-Encoding from the server, workerd sets its own on the Worker's fetch",
        steps: WORKERS_STEPS,
      },
    },
  },
];
