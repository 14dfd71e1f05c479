/**
 * Hostile input: every case of hostile-cases.ts, byte for byte, on haproxy and
 * on edge-balancer (the Node adapter, or the Deno CLI) with the same
 * configuration, in front of echo backends that record what reached them;
 * then fast-check generated raw requests against edge-balancer alone, which
 * must answer or close every one of them and keep serving.
 */
import { connect } from 'node:net';
import fc from 'fast-check';
import type { EchoBackend, EchoReply } from '../test/helpers/echo-backend.ts';
import { runOn, type ProxyKind } from '../test/differential/harness.ts';
import { HOSTILE_BACKENDS, HOSTILE_CASES, HOSTILE_CONFIG, type HostileCase } from './hostile-cases.ts';

/** An HTTP status, or the connection closed with no answer, or neither within the deadline. */
export type Answer = number | 'closed' | 'hung';

/** What the backend saw, for the parts a hostile request tries to influence. */
export interface BackendView {
  readonly server: string;
  readonly target: string;
  readonly host: readonly string[];
  /** Names of hop-by-hop headers the client sent that reached the server (see `leakedHopByHop`). */
  readonly hopByHop: readonly string[];
  readonly forwardedFor: readonly string[];
  readonly cookie: readonly string[];
  /** True when a header line named X-Injected arrived (only a client's cookie value carried that text). */
  readonly injected: boolean;
}

export interface CaseOutcome {
  readonly answer: Answer;
  /** Every request that reached a backend during the case (normally zero or one). */
  readonly reached: readonly BackendView[];
}

export interface CaseResult {
  readonly case: HostileCase;
  readonly haproxy: CaseOutcome;
  readonly edge: CaseOutcome;
}

export interface FuzzResult {
  readonly tried: number;
  readonly answered: number;
  readonly closed: number;
  readonly hung: number;
  /** Statuses seen, with counts. */
  readonly statuses: Readonly<Record<string, number>>;
  /** 0 when a normal request still got a 200 after the fuzz run, 1 otherwise. */
  readonly crashes: number;
  /** A few hung inputs, for the report (JSON-escaped). */
  readonly hungExamples: readonly string[];
}

export interface HostileInputResult {
  readonly cases: readonly CaseResult[];
  readonly fuzz: FuzzResult;
}

/** Beyond every timeout of HOSTILE_CONFIG (2 s at most), with room for a loaded machine. */
const DEADLINE_MS = 5_000;

/**
 * Writes `bytes` on a fresh connection; resolves with the status when the
 * server closes it after answering, 'closed' when it closed without an HTTP
 * answer, 'hung' when it neither answered nor closed within `deadlineMs` (the
 * socket is then destroyed). With `settleMs`, the answer counts once that long
 * has passed since its first bytes, for connections a proxy may keep open.
 */
export function sendWithDeadline(
  port: number,
  bytes: string,
  options: { halfClose?: boolean; deadlineMs?: number; settleMs?: number } = {},
): Promise<Answer> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let settle: NodeJS.Timeout | undefined;
    const finish = (answer: Answer) => {
      clearTimeout(deadline);
      clearTimeout(settle);
      socket.destroy();
      resolve(answer);
    };
    const statusOf = (): Answer => {
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(received);
      return match ? Number(match[1]) : 'closed';
    };
    const deadline = setTimeout(() => finish(received ? statusOf() : 'hung'), options.deadlineMs ?? DEADLINE_MS);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (options.settleMs !== undefined && !settle) settle = setTimeout(() => finish(statusOf()), options.settleMs);
    });
    // A reset after the answer (the proxy closed with unread request bytes) still counts as that answer.
    socket.on('error', () => finish(statusOf()));
    socket.on('close', () => finish(statusOf()));
    if (options.halfClose) socket.end(bytes, 'latin1');
    else socket.write(bytes, 'latin1');
  });
}

/** Hop-by-hop fields of RFC 9110 §7.6.1 a client may send. */
const HOP_BY_HOP = ['keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade'];

/**
 * The hop-by-hop headers of `request` that reached the server: the fixed
 * ones and every name the client listed in Connection. Connection and
 * Transfer-Encoding are left out: the proxy writes its own for the server
 * hop (`Connection: close` for httpclose, chunked framing of a body).
 */
function leakedHopByHop(request: string, saw: EchoReply): string[] {
  const head = request.split('\r\n\r\n', 1)[0]!;
  const listed = [...head.matchAll(/^connection:([^\r\n]*)/gim)].flatMap((m) => m[1]!.split(',').map((t) => t.trim().toLowerCase()));
  const sent = new Set([...HOP_BY_HOP, ...listed].filter((n) => n && n !== 'connection' && n !== 'transfer-encoding'));
  // Headers the proxy itself adds (X-Forwarded-For) or that every request needs (Host) are not
  // the client's when they show up; a client naming them is checked by the cases' own columns.
  for (const own of ['x-forwarded-for', 'host']) sent.delete(own);
  // `te: trailers` is the proxy's own line, as haproxy sends it (the client takes trailer fields).
  const proxyOwn = ([n, v]: [string, string]) => n.toLowerCase() === 'te' && v === 'trailers';
  return [...new Set(saw.headers.filter((line) => !proxyOwn(line)).map(([n]) => n.toLowerCase()).filter((n) => sent.has(n)))];
}

function viewOf(request: string, saw: EchoReply): BackendView {
  const values = (name: string) => saw.headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);
  return {
    server: saw.server,
    target: saw.url,
    host: values('host'),
    hopByHop: leakedHopByHop(request, saw),
    forwardedFor: values('x-forwarded-for'),
    cookie: values('cookie'),
    injected: saw.headers.some(([n]) => n.toLowerCase() === 'x-injected'),
  };
}

async function runCase(port: number, backends: readonly EchoBackend[], c: HostileCase): Promise<CaseOutcome> {
  const before = backends.map((b) => b.requests.length);
  const answer = await sendWithDeadline(port, c.bytes);
  const reached = backends.flatMap((b, i) => b.requests.slice(before[i]).map((saw) => viewOf(c.bytes, saw)));
  return { answer, reached };
}

export async function runHostileCases(kind: ProxyKind, cases: readonly HostileCase[] = HOSTILE_CASES): Promise<CaseOutcome[]> {
  return runOn(kind, HOSTILE_CONFIG, HOSTILE_BACKENDS, async ({ port, backends }) => {
    const outcomes: CaseOutcome[] = [];
    for (const c of cases) outcomes.push(await runCase(port, backends, c));
    return outcomes;
  });
}

// ---------------------------------------------------------------- fuzz

const byte = (min: number, max: number) => fc.integer({ min, max }).map((c) => String.fromCharCode(c));
/** Mostly token characters, sometimes anything from 0x00 to 0xff. */
const tokenish = (maxLength: number) =>
  fc.string({ unit: fc.oneof({ weight: 30, arbitrary: fc.constantFrom(...'abcXYZ019-_.!#$%&*+^`|~'.split('')) }, { weight: 1, arbitrary: byte(0, 0xff) }), minLength: 1, maxLength });
const anyText = (maxLength: number) => fc.string({ unit: fc.oneof({ weight: 30, arbitrary: byte(0x20, 0x7e) }, { weight: 1, arbitrary: byte(0, 0xff) }), maxLength });

const method = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'HEAD', 'OPTIONS', 'DELETE', 'CONNECT', 'TRACE', 'PRI', 'get') }, { weight: 1, arbitrary: tokenish(8) });
const pathChar = fc.oneof({ weight: 30, arbitrary: fc.constantFrom(...'abc019-._~!$&\'()*+,;=:@/?%'.split('')) }, { weight: 1, arbitrary: byte(0, 0xff) });
const target = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom('*', '//evil.test/', '@evil.test/', 'http://127.0.0.1:22/', 'http://a/prefixed', 'http://u@a/x', '127.0.0.1:22', '/prefixed/x', '/%00', '/?a=\x01') },
  { weight: 4, arbitrary: fc.string({ unit: pathChar, maxLength: 30 }).map((t) => `/${t}`) },
  { weight: 1, arbitrary: anyText(20) },
);
const version = fc.oneof({ weight: 6, arbitrary: fc.constant('HTTP/1.1') }, { weight: 1, arbitrary: fc.constantFrom('HTTP/1.0', 'HTTP/1.2', 'HTTP/2.0', 'HTTP/1.1 ', 'http/1.1', '') });
const headerName = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom('Host', 'Cookie', 'Connection', 'Content-Length', 'Transfer-Encoding', 'Expect', 'Upgrade', 'TE', 'X-A') },
  { weight: 3, arbitrary: tokenish(12) },
);
const headerValue = fc.oneof(fc.constantFrom('SERVERNAME=s2', 'close', 'chunked', '4', 'x\r\n y', '100-continue', 'h2c'), anyText(40));
const lineEnd = fc.oneof({ weight: 8, arbitrary: fc.constant('\r\n') }, { weight: 1, arbitrary: fc.constantFrom('\n', '\r') });
/** How the body is framed: none, a Content-Length (right or wrong), chunked (valid or not), or both. */
const framing = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ headers: [] as string[], body: '' }) },
  {
    weight: 3,
    // about a third right, the others off by -2…+20 bytes
    arbitrary: fc.tuple(anyText(20), fc.integer({ min: -2, max: 30 })).map(([body, delta]) => ({ headers: [`Content-Length: ${body.length + (delta > 20 ? 0 : delta)}`], body })),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(fc.array(anyText(8), { maxLength: 3 }), fc.boolean()).map(([chunks, valid]) => ({
      headers: ['Transfer-Encoding: chunked'],
      body: chunks.map((c) => `${valid ? c.length.toString(16) : 'z'}\r\n${c}\r\n`).join('') + '0\r\n\r\n',
    })),
  },
  { weight: 1, arbitrary: fc.constant({ headers: ['Content-Length: 5', 'Transfer-Encoding: chunked'], body: '0\r\n\r\n' }) },
);

export const fuzzRequest = fc
  .record({ method, target, version, headers: fc.array(fc.tuple(headerName, headerValue), { maxLength: 4 }), framing, eol: lineEnd })
  .map(({ method, target, version, headers, framing, eol }) => {
    const lines = [`${method} ${target} ${version}`.trimEnd(), 'Host: a', ...headers.map(([n, v]) => `${n}: ${v}`), ...framing.headers];
    return lines.map((l) => l + eol).join('') + eol + framing.body;
  });

/** edge-balancer on Node (`edge-balancer`) or on Deno. */
export type EdgeKind = Exclude<ProxyKind, 'haproxy'>;

export async function fuzzEdge(runs: number, seed?: number, kind: EdgeKind = 'edge-balancer'): Promise<FuzzResult> {
  return runOn(kind, HOSTILE_CONFIG, HOSTILE_BACKENDS, async ({ port }) => {
    const statuses: Record<string, number> = {};
    let tried = 0;
    let closed = 0;
    let hung = 0;
    const hungExamples: string[] = [];
    for (const bytes of fc.sample(fuzzRequest, { numRuns: runs, seed })) {
      tried++;
      // The client shuts down its side after the request, so an incomplete body ends; a
      // proxy that keeps the connection open after answering is given 300 ms.
      const answer = await sendWithDeadline(port, bytes, { halfClose: true, settleMs: 300 });
      if (answer === 'closed') closed++;
      else if (answer === 'hung') {
        hung++;
        if (hungExamples.length < 3) hungExamples.push(JSON.stringify(bytes));
      } else statuses[answer] = (statuses[answer] ?? 0) + 1;
    }
    const after = await sendWithDeadline(port, 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    const answered = Object.values(statuses).reduce((a, b) => a + b, 0);
    return { tried, answered, closed, hung, statuses, crashes: after === 200 ? 0 : 1, hungExamples };
  });
}

export async function runHostileInput(options: { fuzzRuns: number; edge?: EdgeKind }): Promise<HostileInputResult> {
  const haproxy = await runHostileCases('haproxy');
  const edge = await runHostileCases(options.edge ?? 'edge-balancer');
  const fuzz = await fuzzEdge(options.fuzzRuns, undefined, options.edge);
  return { cases: HOSTILE_CASES.map((c, i) => ({ case: c, haproxy: haproxy[i]!, edge: edge[i]! })), fuzz };
}

// ---------------------------------------------------------------- comparison and report

/**
 * Where edge-balancer deliberately answers differently from haproxy 2.6, by
 * case name, with the reason (README, "Behaviour compared with HAProxy").
 */
export const DELIBERATE_DIFFERENCES: Readonly<Record<string, string>> = {
  'Content-Length and Transfer-Encoding: chunked': 'ambiguous framing is refused, not repaired (request smuggling)',
  'two equal Content-Length lines': 'ambiguous framing is refused, not repaired (request smuggling)',
  'Content-Length: 4, 4 (one line)': 'ambiguous framing is refused, not repaired (request smuggling)',
  'obs-fold continuation line': 'obs-fold is refused, not unfolded (RFC 9112 §5.2 allows either)',
  'bare LF line endings': "Node's parser ends lines only at CRLF (RFC 9112 §2.2 lets a recipient choose); haproxy also ends them at a bare LF, see the cookie case",
  'bare LF in the cookie': 'a bare LF is refused: haproxy reads it as the end of the line and forwards what follows as a header of its own',
  'NUL in the cookie': 'control characters in header values are refused (haproxy refuses NUL in X-A above, yet passed this one)',
  'HTTP/1.2': "Node's parser knows only HTTP/1.0 and 1.1",
  CONNECT: 'CONNECT is not tunnelled: 405',
  'two equal Host lines': 'refused like two equal Content-Length lines; haproxy merges them',
  'target *': 'the upstream clients send origin- and absolute-form targets only (the rule undici has, kept by the raw upstream): 400 rather than a 502 counted against the server',
  'hop-by-hop headers, X-Secret named in Connection': 'headers named in Connection, and Proxy-Connection, Keep-Alive, Trailer, Upgrade are removed (RFC 9110 §7.6.1), TE reduced to `te: trailers` as haproxy does; haproxy forwards the others',
};

/**
 * Where edge-balancer on Deno answers otherwise than on Node, by case name:
 * what the raw front hands over is read by Deno.serve, which cannot be told
 * to answer as node:http does (README, "Run on Deno").
 */
export const DENO_DIFFERENCES: Readonly<Record<string, string>> = {
  'chunk size not hex': 'the body is read by Deno.serve, which closes the connection at a malformed chunk without an answer (haproxy and Node: 400)',
  'Transfer-Encoding on HTTP/1.0': "Deno.serve refuses Transfer-Encoding in an HTTP/1.0 request with its bare 400; haproxy and Node forward the chunked body",
  'absolute-form target, same host as Host, routed by its path': "Deno.serve gives the handler a URL, not the target as sent: the server receives the origin form (`/prefixed/x`), as RFC 9112 §3.2.1 asks of a request to an origin server; haproxy and Node forward the absolute form",
};

/** The answer, and for a forwarded request what the server saw of target, Host, hop-by-hop, X-Forwarded-For, Cookie. */
export function sameOutcome(a: CaseOutcome, b: CaseOutcome): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r/g, '\\r').replace(/\n/g, '\\n');
const shown = (bytes: string) =>
  cell(bytes.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\xff]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));

function inputCell(c: HostileCase): string {
  if (c.label) return `${c.name}: \`${cell(c.label)}\``;
  // The request line and the header lines that differ from a plain GET.
  const lines = c.bytes
    .split('\r\n\r\n', 1)[0]!
    .split('\r\n')
    .filter((l, i) => !(i === 1 && l === 'Host: a') && l !== 'Connection: close');
  const body = c.bytes.includes('\r\n\r\n') ? c.bytes.slice(c.bytes.indexOf('\r\n\r\n') + 4) : '';
  return `${c.name}: \`${shown(lines.join(' ⏎ '))}\`${body ? ` body \`${shown(body)}\`` : ''}`;
}

function outcomeCell(o: CaseOutcome): string {
  const answer = typeof o.answer === 'number' ? String(o.answer) : `**${o.answer}**`;
  if (o.reached.length === 0) return `${answer}, not forwarded`;
  const seen = o.reached.map((r) => {
    const parts = [`→ ${r.server} \`${cell(r.target.length > 40 ? `${r.target.slice(0, 40)}…` : r.target)}\``, `Host \`${cell(r.host.join(', ') || 'none')}\``];
    if (r.hopByHop.length) parts.push(`hop-by-hop: ${r.hopByHop.join(', ')}`);
    if (r.forwardedFor.length !== 1) parts.push(`X-Forwarded-For ×${r.forwardedFor.length}`);
    if (r.cookie.length) parts.push(`Cookie \`${shown(r.cookie.join(' ⏎ '))}\``);
    if (r.injected) parts.push('**X-Injected header**');
    return parts.join(', ');
  });
  return `${answer} ${seen.join('; ')}`;
}

export function hostileInputMarkdown(result: HostileInputResult): string[] {
  const lines = [
    '## Hostile input: malformed and smuggling-shaped requests, haproxy vs edge-balancer (Node)',
    '',
    'Each request is written raw on a fresh connection to both proxies, configured alike (`reliability/hostile-cases.ts`: a frontend routing `/prefixed` to a `cookie JSESSIONID prefix` backend and everything else to a `cookie SERVERNAME insert indirect nocache` one, `balance first`, `option httpclose`, `option forwardfor`). ' +
      `"→ s1 \`/\`" is the server the request reached and the target it saw; "hop-by-hop" lists the client's hop-by-hop headers that reached it; each forwarded request carried the one X-Forwarded-For line the proxy adds unless a count is shown; "hung" means neither an answer nor a close within ${DEADLINE_MS / 1000} s.`,
    '',
    '| Input | haproxy 2.6 | edge-balancer | Same |',
    '|---|---|---|---|',
  ];
  for (const r of result.cases) {
    const same = sameOutcome(r.haproxy, r.edge);
    const why = DELIBERATE_DIFFERENCES[r.case.name];
    const verdict = same ? 'yes' : why ? `no: ${why}` : '**no**';
    lines.push(`| ${inputCell(r.case)} | ${outcomeCell(r.haproxy)} | ${outcomeCell(r.edge)} | ${verdict} |`);
  }
  const f = result.fuzz;
  const statuses = Object.entries(f.statuses)
    .map(([s, n]) => `${n}× ${s}`)
    .join(', ');
  lines.push(
    '',
    '### Generated requests (fast-check) on edge-balancer',
    '',
    'Random methods, targets, versions, header names and values (token characters and any byte 0x00–0xff), line endings (CRLF, LF, CR) and framing (none, right or wrong Content-Length, valid or invalid chunks, both); the client shuts down its side after the request.',
    '',
    '| Inputs tried | Answered with a status | Closed without answer | Hung | Crashes (no 200 for a normal request afterwards) | Statuses |',
    '|---:|---:|---:|---:|---:|---|',
    `| ${f.tried} | ${f.answered} | ${f.closed} | ${f.hung} | ${f.crashes} | ${statuses} |`,
    '',
  );
  return lines;
}
