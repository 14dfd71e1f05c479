/**
 * The Deno raw front (adapters/deno/raw-front.ts, raw-connection.ts,
 * hand-over.ts) under the real `deno` binary: test/deno/raw-front-driver.mjs
 * runs one configuration twice, with the raw front and with Deno.serve alone
 * (`rawFront: false`), and each kind of request goes to both.
 *
 * Which path served a response: Deno.serve always adds a `date` header; the
 * raw front writes the server's head as given, and this backend sends no
 * Date (`sendDate = false`). So a response without `date` is the raw front's,
 * one with it Deno.serve's (directly, or on a connection handed over).
 *
 * Same meaning as Deno.serve: the answers are compared with, in each head,
 * header names lowercased (Deno.serve writes them so), lines sorted, `date`
 * removed and `connection: keep-alive` removed (the raw front says it, as
 * Node does; it is HTTP/1.1's default). Status lines, values, framing and
 * bodies must be the same, except where a row says otherwise.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageText } from '../../src/http1/response-head.ts';
import { builtinErrorResponse } from '../../src/proxy/error-pages.ts';
import { denoExecutable } from '../helpers/deno.ts';
import { freePorts } from '../helpers/ports.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const BIG = Buffer.alloc(1024 * 1024, 'x');

/** `/slow…` requests wait in `held` for the test's release; `/path/…` answers its path; `/headers` the request's headers. */
function backendHandler(held: ServerResponse[], arrived: () => void) {
  return (request: IncomingMessage, response: ServerResponse) => {
    response.sendDate = false;
    const path = request.url ?? '/';
    const body: Buffer[] = [];
    request.on('data', (chunk: Buffer) => body.push(chunk));
    request.on('end', () => {
      if (path === '/echo') return void response.end(Buffer.concat(body));
      if (path === '/headers') return void response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(request.headers));
      if (path.startsWith('/slow')) return void (held.push(response), arrived());
      if (path.startsWith('/path/')) return void response.writeHead(200, { 'content-length': String(path.length) }).end(path);
      if (path.startsWith('/small')) return void response.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100' }).end('y'.repeat(100));
      if (path === '/chunked') return void response.writeHead(200, { 'transfer-encoding': 'chunked' }).end('abc');
      if (path === '/close') return void response.writeHead(200, { 'content-length': '2', connection: 'close' }).end('ok');
      if (path === '/reason') return void response.writeHead(202, { 'content-length': '2' }).end('ok');
      if (path === '/204') return void response.writeHead(204).end();
      if (path === '/304') return void response.writeHead(304, { etag: '"a"' }).end();
      if (path === '/big') return void response.writeHead(200, { 'content-length': String(BIG.length) }).end(BIG);
      response.writeHead(404, { 'content-length': '0' }).end();
    });
  };
}

/** `proc.n` counts the requests whose rules ran; `X-Src`/`X-Dst` show the connection's facts. */
const CONFIG = (server: number, dead: number) => `
defaults
    mode http
    timeout connect 5s
    timeout server 30s
    timeout client 30s
listen app
    bind 127.0.0.1:\${PORT}
    stats enable
    stats uri /stats
    http-request set-var(proc.n) int(0) if !{ var(proc.n) -m found }
    http-request set-var(proc.n) var(proc.n),add(1)
    http-request set-header X-N %[var(proc.n)]
    http-request set-header X-Src %[src]:%[src_port]
    http-request set-header X-Dst %[dst]:%[dst_port]
    http-request deny if { path /denied }
    http-response set-status 299 reason Fine if { status 202 }
    use_backend down if { path /down }
    server s1 127.0.0.1:${server}
backend down
    retries 0
    server s1 127.0.0.1:${dead}
`;

interface Driver {
  readonly child: ChildProcess;
  readonly raw: number;
  readonly plain: number;
}

/** Starts the driver on `config`; resolves once it printed its listeners' ports. */
async function startDriver(config: string): Promise<Driver> {
  const [rawPort, plainPort] = await freePorts(2);
  const args = ['run', '--allow-net', '--allow-read', `${ROOT}test/deno/raw-front-driver.mjs`, config, String(rawPort), String(plainPort)];
  const child = spawn(denoExecutable(), args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = once(child, 'exit').then(([code]) => Promise.reject(new Error(`the deno driver exited (${code}) before listening`)));
  const [line] = (await Promise.race([once(createInterface({ input: child.stdout! }), 'line'), exited])) as [string];
  exited.catch(() => {});
  const { raw, plain } = JSON.parse(line) as { raw: number; plain: number };
  return { child, raw, plain };
}

async function stopDriver(driver: Driver | undefined): Promise<void> {
  if (!driver || driver.child.exitCode !== null || driver.child.signalCode !== null) return;
  const exited = once(driver.child, 'exit');
  driver.child.kill('SIGKILL');
  await exited;
}

const held: ServerResponse[] = [];
let arrived = () => {};
let backend: Server;
let driver: Driver;

beforeAll(async () => {
  backend = createServer(backendHandler(held, () => arrived()));
  backend.listen(0, '127.0.0.1');
  await once(backend, 'listening');
  const [dead] = await freePorts(1);
  driver = await startDriver(CONFIG((backend.address() as AddressInfo).port, dead!));
}, 60_000);

afterAll(async () => {
  await stopDriver(driver);
  backend?.closeAllConnections();
  await new Promise((resolve) => backend?.close(resolve));
});

/** Writes `pieces` one after the other on a fresh connection; resolves with all it received once it closes. */
async function exchange(port: number, pieces: readonly string[], halfClose = false, onConnect?: (socket: Socket) => void): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  let answer = '';
  socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
  const closed = once(socket, 'close');
  if (onConnect) socket.once('connect', () => onConnect(socket));
  for (const piece of pieces) await new Promise((resolve) => socket.write(piece, 'latin1', resolve));
  if (halfClose) socket.end();
  await closed;
  return answer;
}

/** A response head (bodies here never hold a status line). */
const HEAD = /HTTP\/1\.[01] \d{3}.*\r\n(?:[^\r\n]+\r\n)*\r\n/g;

/** Whether each response carries `date`, i.e. was written by Deno.serve. */
const viaDenoServe = (answer: string) => [...answer.matchAll(HEAD)].map(([head]) => /\r\ndate: /i.test(head));

/**
 * Heads with names lowercased, lines sorted, `date` and `connection: keep-alive`
 * left out (see the top comment); `reasons: false` keeps the status code of the
 * status line, `bodies: false` keeps the heads alone, without content-length.
 */
function normalised(answer: string, { reasons = true, bodies = true } = {}): string {
  const heads = answer.replace(HEAD, (head) => {
    const [status, ...lines] = head.slice(0, -4).split('\r\n');
    const kept = lines
      .map((line) => line.slice(0, line.indexOf(':')).toLowerCase() + line.slice(line.indexOf(':')))
      .filter((line) => !line.startsWith('date:') && line !== 'connection: keep-alive' && (bodies || !line.startsWith('content-length:')));
    return `\0${[reasons ? status : status!.slice(0, 12), ...kept.sort()].join('\r\n')}\r\n\r\n\0`;
  });
  return bodies ? heads : heads.split('\0').filter((_, i) => i % 2 === 1).join('');
}

/** The first response of an answer: what precedes the second head. */
const firstResponse = (answer: string) => answer.slice(0, [...answer.matchAll(HEAD)][1]?.index);

const CLOSING = 'GET /small/last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
const get = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: x\r\n${extra}\r\n`;

/**
 * Each kind of request and who answers it on the raw front's listener.
 * `closes`: the answer closes the connection: the closing request pipelined
 * after it gets no answer (Deno.serve answers it after its 503 page, although
 * that page says `connection: close`, so only its first answer is compared).
 * `reasons: false`: only the status code is compared (Deno.serve cannot write
 * a reason phrase a rule set; the raw front writes it, as haproxy does).
 * `bodies: false`: the heads only (the stats page counts the two listeners' requests).
 * `page`: a malformed request: the raw front answers HAProxy's page as the
 * Node adapter does, then closes (Deno.serve alone answers a bare 400, or
 * passes the request on: a bare LF, no Host).
 */
const TABLE: readonly { name: string; request: string; raw: boolean; closes?: boolean; reasons?: boolean; bodies?: boolean; page?: 400 }[] = [
  { name: 'a small GET', request: get('/small'), raw: true },
  { name: 'a chunked answer', request: get('/chunked'), raw: true },
  { name: "the server's Connection: close", request: get('/close'), raw: true },
  { name: 'HEAD', request: 'HEAD /small HTTP/1.1\r\nHost: x\r\n\r\n', raw: true },
  { name: '204', request: get('/204'), raw: true },
  { name: '304', request: get('/304'), raw: true },
  { name: '1 MiB', request: get('/big'), raw: true },
  { name: 'a rule-set reason phrase', request: get('/reason'), raw: true, reasons: false },
  { name: 'the client asks to close', request: get('/small', 'Connection: close\r\n'), raw: true, closes: true },
  { name: 'POST with Content-Length: 0', request: 'POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n', raw: true },
  { name: 'a 503 page (server down)', request: get('/down'), raw: true, closes: true },
  { name: 'a body', request: 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc', raw: false },
  { name: 'a chunked body', request: 'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n', raw: false },
  { name: 'HTTP/1.0', request: 'GET /small HTTP/1.0\r\nHost: x\r\n\r\n', raw: false, closes: true },
  { name: 'absolute form', request: 'GET http://x/small HTTP/1.1\r\nHost: x\r\n\r\n', raw: false },
  { name: 'no Host', request: 'GET /small HTTP/1.1\r\n\r\n', raw: true, page: 400 },
  { name: 'two Hosts', request: 'GET /small HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n', raw: true, page: 400 },
  { name: 'a deny', request: get('/denied'), raw: false },
  { name: 'the stats page', request: get('/stats'), raw: false, bodies: false },
  { name: 'Expect', request: get('/small', 'Expect: 100-continue\r\nContent-Length: 0\r\n'), raw: false },
  { name: 'obs-fold', request: 'GET /small HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n', raw: true, page: 400 },
  { name: 'a bare LF', request: 'GET /small HTTP/1.1\nHost: x\n\n', raw: true, page: 400 },
  { name: 'a space in the target', request: 'GET /a b HTTP/1.1\r\nHost: x\r\n\r\n', raw: true, page: 400 },
  // (Not FOO: this backend's node:http answers it with a 400 and a reset, which Deno.serve relays one way or another.)
  { name: 'a method the raw front does not read (PURGE)', request: 'PURGE /small HTTP/1.1\r\nHost: x\r\n\r\n', raw: false },
  { name: 'HTTP/0.9', request: 'GET /small\r\n', raw: true, page: 400 },
  { name: 'a non-ASCII header byte', request: get('/small', 'X-A: caf\xe9\r\n'), raw: false },
];

describe('Deno raw front: which path serves a request, and the same answer as Deno.serve', () => {
  for (const { name, request, raw, closes = false, reasons = true, bodies = true, page } of TABLE) {
    it(name, async () => {
      const viaRaw = await exchange(driver.raw, [request + CLOSING]);
      if (page) return expect(viaRaw).toBe(pageText(builtinErrorResponse(page)));
      const viaServe = await exchange(driver.plain, [request + CLOSING]);
      const dates = viaDenoServe(viaRaw);
      // Once handed over, the rest of the connection is Deno.serve's; after a closing answer, nothing more.
      expect(dates).toEqual(closes ? [!raw] : [!raw, !raw]);
      expect(viaDenoServe(viaServe).every(Boolean)).toBe(true);
      expect(normalised(viaRaw, { reasons, bodies })).toBe(normalised(closes ? firstResponse(viaServe) : viaServe, { reasons, bodies }));
      if (!reasons) expect(viaRaw).toMatch(/^HTTP\/1\.1 299 Fine\r\n/);
    });
  }
});

/** The JSON body of a `/headers` answer: what the server received. */
const receivedHeaders = (answer: string) => JSON.parse(answer.slice(answer.indexOf('{'), answer.lastIndexOf('}') + 1)) as Record<string, string>;

describe('Deno raw front: connections', () => {
  it('pipelined requests split at any byte boundary get their answers in order', async () => {
    const bytes = get('/path/1') + get('/chunked') + get('/path/2') + CLOSING;
    const expected = await exchange(driver.raw, [bytes]);
    expect(viaDenoServe(expected)).toEqual([false, false, false, false]);
    expect(normalised(expected)).toBe(normalised(await exchange(driver.plain, [bytes])));
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 6 }), async (cuts) => {
        const at = [0, ...cuts.sort((a, b) => a - b), bytes.length];
        expect(await exchange(driver.raw, at.slice(1).map((end, i) => bytes.slice(at[i], end)))).toBe(expected);
      }),
      { numRuns: 40 },
    );
  });

  // As haproxy; Deno.serve alone answers nothing once the client shut down its side (so does it on a connection handed over).
  it('a client that shuts down its sending side after its requests still gets every answer', async () => {
    const viaRaw = await exchange(driver.raw, [get('/path/1') + get('/path/2')], true);
    expect(viaDenoServe(viaRaw)).toEqual([false, false]);
    expect(viaRaw).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\n\/path\/1HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\n\/path\/2$/);
  });

  it('the stats page on a connection that proxied first: handed over after the first answer', async () => {
    const answer = await exchange(driver.raw, [get('/path/1') + get('/stats', 'Connection: close\r\n')]);
    expect(viaDenoServe(answer)).toEqual([false, true]);
    const [first, second] = answer.split(/(?=HTTP\/1\.1 )/);
    expect(first).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\n\/path\/1$/);
    expect(second).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*<h1>Statistics<\/h1>/);
  });

  it("a malformed request after two good ones gets HAProxy's 400 page after their answers, then the connection closes", async () => {
    const bytes = get('/path/1') + get('/path/2') + 'GET /a b HTTP/1.1\r\nHost: x\r\n\r\n';
    const viaRaw = await exchange(driver.raw, [bytes]);
    expect(viaDenoServe(viaRaw)).toEqual([false, false, false]);
    expect(viaRaw).toMatch(/\/path\/2HTTP\/1\.1 400 Bad request\r\n/);
    expect(viaRaw.endsWith(pageText(builtinErrorResponse(400)))).toBe(true);
    // The same bytes cut anywhere: the answers do not depend on how the head arrives.
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: bytes.length - 1 }), async (cut) => {
        expect(await exchange(driver.raw, [bytes.slice(0, cut), bytes.slice(cut)])).toBe(viaRaw);
      }),
      { numRuns: 15 },
    );
  });

  it('answers a flood of pipelined requests in order, more than it holds unread', async () => {
    const count = 2000;
    const requests = Array.from({ length: count }, (_, i) => get(`/path/${i}`)).join('') + CLOSING;
    expect(requests.length).toBeGreaterThan(64 * 1024);
    const answer = await exchange(driver.raw, [requests]);
    const bodies = [...answer.matchAll(/\r\n\r\n(\/path\/\d+)/g)].map(([, path]) => path);
    expect(bodies).toEqual(Array.from({ length: count }, (_, i) => `/path/${i}`));
    expect(viaDenoServe(answer).filter(Boolean)).toEqual([]);
    expect(normalised(answer)).toBe(normalised(await exchange(driver.plain, [requests])));
  });

  it("src and dst of a handed-over request are the client's connection's, as for an ordinary one", async () => {
    for (const request of [get('/headers'), 'POST /headers HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc']) {
      let clientPort = 0;
      const answer = await exchange(driver.raw, [request + CLOSING], false, (socket) => (clientPort = socket.localPort!));
      expect(viaDenoServe(answer)[0]).toBe(request.startsWith('POST'));
      const seen = receivedHeaders(answer);
      expect(seen['x-src']).toBe(`127.0.0.1:${clientPort}`);
      expect(seen['x-dst']).toBe(`127.0.0.1:${driver.raw}`);
    }
  });

  it('the rules run once for a request handed over with its admission (a deny) or without (a body)', async () => {
    // Each request on a connection of its own, closing it: `X-N` counts the requests whose rules ran.
    const close = 'Connection: close\r\n';
    const counted = async (request: string) => Number(receivedHeaders(await exchange(driver.raw, [request]))['x-n']);
    const before = await counted(get('/headers', close));
    expect(await exchange(driver.raw, [get('/denied', close)])).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n[^]*date: /);
    expect(await counted(get('/headers', close))).toBe(before + 2);
    expect(await counted(`POST /headers HTTP/1.1\r\nHost: x\r\n${close}Content-Length: 3\r\n\r\nabc`)).toBe(before + 3);
  });

  it("counts each request once in the stats, as Deno.serve alone does: the same counters' increase on both listeners", async () => {
    const counters = async (port: number) => {
      const csv = (await exchange(port, [get('/stats;csv', 'Connection: close\r\n')])).split('\r\n\r\n')[1]!.split('\n');
      const names = csv[0]!.slice(2).split(',');
      const wanted = ['stot', 'req_tot', 'hrsp_2xx', 'hrsp_4xx', 'hrsp_5xx', 'bin', 'bout'].map((name) => names.indexOf(name));
      return csv.filter((row) => /^app,(FRONTEND|BACKEND),/.test(row)).flatMap((row) => wanted.map((i) => Number(row.split(',')[i])));
    };
    const requests = get('/path/1') + get('/denied') + get('/path/2') + 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc' + CLOSING;
    const increase: number[][] = [];
    for (const port of [driver.raw, driver.plain]) {
      const before = await counters(port);
      await exchange(port, [requests]);
      increase.push((await counters(port)).map((after, i) => after - before[i]!));
    }
    expect(increase[0]).toEqual(increase[1]);
    // Four proxied, the deny, and the stats request that read `before` (counted once it is answered).
    expect(increase[0]![1]).toBe(6);
  });
});

/** An open connection, what it received so far and a wait for its answer to end with `suffix`. */
function openConnection(port: number, request: string) {
  const socket = connect(port, '127.0.0.1');
  const state = {
    answer: '',
    closed: once(socket, 'close'),
    endsWith: (suffix: string) => new Promise<void>((resolve) => socket.on('data', () => state.answer.endsWith(suffix) && resolve())),
  };
  socket.on('data', (d: Buffer) => (state.answer += d.toString('latin1')));
  socket.write(request);
  return state;
}

describe('Deno raw front: graceful close', () => {
  it('SIGTERM: idle connections close at once, busy ones get their answers, then deno exits (raw and handed over alike)', async () => {
    const stopping = await startDriver(CONFIG((backend.address() as AddressInfo).port, 1));
    try {
      const idle = openConnection(stopping.raw, get('/path/1'));
      const idleHandedOver = openConnection(stopping.raw, 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc');
      await Promise.all([idle.endsWith('\r\n\r\n/path/1'), idleHandedOver.endsWith('\r\n\r\nabc')]);
      const first = new Promise<void>((resolve) => (arrived = resolve));
      const busy = openConnection(stopping.raw, get('/slow/raw'));
      await first;
      const second = new Promise<void>((resolve) => (arrived = resolve));
      const handedOver = openConnection(stopping.raw, 'POST /slow/handed HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc');
      await second;
      const exited = once(stopping.child, 'exit');
      stopping.child.kill('SIGTERM');
      // Before the busy ones are answered (else deno would have exited at the end of its grace, answering nothing).
      await Promise.all([idle.closed, idleHandedOver.closed]);
      expect([busy.answer, handedOver.answer]).toEqual(['', '']);
      for (const response of held.splice(0)) response.writeHead(200, { 'content-length': '11' }).end('slow answer');
      await Promise.all([busy.closed, handedOver.closed]);
      expect(busy.answer).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nslow answer$/);
      expect(viaDenoServe(busy.answer)).toEqual([false]);
      expect(handedOver.answer).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nslow answer$/);
      expect(viaDenoServe(handedOver.answer)).toEqual([true]);
      expect(await exited).toEqual([0, null]);
    } finally {
      await stopDriver(stopping);
    }
  });
});
