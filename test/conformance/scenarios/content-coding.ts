/**
 * Bodies pass byte for byte (issue 15 item 4): a gzipped response reaches
 * the client as the server sent it, with its Content-Encoding and
 * Content-Length, and the server sees the client's own Accept-Encoding, or
 * none when the client sent none (haproxy without `compression` touches
 * neither).
 */
import { DEFAULTS, ignoringHeader, type Scenario, type Step } from '../scenario.ts';

const STEPS: readonly Step[] = [
  {
    path: '/?gzip=1',
    headers: [['Accept-Encoding', 'gzip']],
    expect: { status: 200, gzipped: true, servedBy: 's1', backendHeaders: { 'accept-encoding': ['gzip'] } },
  },
  {
    path: '/?gzip=1',
    expect: { status: 200, gzipped: true, servedBy: 's1', backendHeaders: { 'accept-encoding': [] } },
  },
  {
    path: '/',
    headers: [['Accept-Encoding', 'br;q=1, identity;q=0.5']],
    expect: { status: 200, servedBy: 's1', backendHeaders: { 'accept-encoding': ['br;q=1, identity;q=0.5'] } },
  },
];

export const CONTENT_CODING_SCENARIOS: readonly Scenario[] = [
  {
    name: 'a gzipped response passes byte for byte; Accept-Encoding as the client sent it',
    backends: ['s1'],
    config: `${DEFAULTS}listen app
    bind 127.0.0.1:\${PORT}
    server s1 127.0.0.1:\${S1}
`,
    steps: STEPS,
    differs: {
      Workers: {
        why: "workerd sets Accept-Encoding on the Worker's fetch to the server itself (`br, gzip`, whatever the client sent), and the platform compresses an uncompressed answer for a client that accepts it (Cloudflare's edge does too); a compressed body still passes byte for byte",
        steps: ignoringHeader(STEPS.slice(0, 2), 'accept-encoding'),
      },
    },
  },
];
