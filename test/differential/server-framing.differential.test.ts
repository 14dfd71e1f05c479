/**
 * How a server frames its response, and what the client then gets: the same
 * raw server behind haproxy and behind edge-balancer on Node and on Deno
 * (both parse server responses with src/http1/response-parser.ts: Node's raw
 * upstream, Deno's HTTP/1.1 client src/proxy/http1-client.ts). Heads and
 * bodies that arrive in pieces, a body delimited by the close, chunked with
 * trailer fields, interim 1xx heads (haproxy relays them, edge-balancer does
 * not), a bad or repeated Content-Length, Content-Length with chunked, a bad
 * chunk size, a header name followed by a space, a head over 16 KiB (502,
 * with two differences on purpose), a body cut short, and a kept connection
 * the server closes between two requests.
 */
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deno } from '../conformance/runtimes.ts';
import { sendRaw } from '../helpers/http-client.ts';
import { freePort } from '../helpers/ports.ts';
import { runOn } from './harness.ts';

type Edge = 'Node' | 'Deno';

/** Runs `scenario` against edge-balancer on `runtime`, serving `config`. */
async function runOnEdge<T>(runtime: Edge, config: string, scenario: (proxy: { port: number }) => Promise<T>): Promise<T> {
  if (runtime === 'Node') return runOn('edge-balancer', config, [], scenario);
  const port = await freePort();
  const running = await deno.start(config, { PORT: String(port) }, [port]);
  try {
    return await scenario({ port });
  } finally {
    await running.close();
  }
}

/** Writes `parts` one after the other, each once the previous one left (so they arrive apart). */
function writeApart(socket: Socket, parts: string[], then?: () => void): void {
  const [first, ...rest] = parts;
  if (first === undefined) return then?.();
  socket.write(first, 'latin1', () => setImmediate(() => writeApart(socket, rest, then)));
}

const ANSWERS: Record<string, (socket: Socket) => void> = {
  '/split': (s) => writeApart(s, ['HTTP/1.1 200 OK\r\nContent-Le', 'ngth: 11\r\nX-A: 1\r', '\n\r\nhello', ' world']),
  '/until-close': (s) => writeApart(s, ['HTTP/1.1 200 OK\r\nX-B: 2\r\n\r\nuntil ', 'the close'], () => s.end()),
  '/chunked': (s) => writeApart(s, ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n5\r\nhel', 'lo\r\n6;x=y\r\n world\r\n0\r\nX-Sum: 42\r\n\r\n']),
  '/interim': (s) => s.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'),
  '/bad-length': (s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\n\r\nhello'),
  '/bad-chunk': (s) => s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'),
  '/length-and-chunked': (s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n'),
  '/two-lengths': (s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\nhello'),
  '/same-lengths': (s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello'),
  '/space-before-colon': (s) => s.write('HTTP/1.1 200 OK\r\nX-A : 1\r\nContent-Length: 2\r\n\r\nok'),
  '/big-head': (s) => s.write(`HTTP/1.1 200 OK\r\nX-Big: ${'b'.repeat(20000)}\r\nContent-Length: 2\r\n\r\nok`),
  '/cut': (s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf', () => s.destroy()),
};

/** Answers each request head by its path; `/kept-then-closed` answers, then closes the idle connection. */
let server: Server;
let serverPort: number;
/** Called when a `/kept-then-closed` connection is closed. */
let keptClosed: () => void = () => {};
beforeAll(async () => {
  server = createServer((socket) => {
    socket.on('error', () => {});
    let received = '';
    socket.on('data', (d: Buffer) => {
      received += d.toString('latin1');
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      const path = received.slice(received.indexOf(' ') + 1, received.indexOf(' ', received.indexOf(' ') + 1));
      received = received.slice(end + 4);
      if (path === '/kept-then-closed') {
        socket.once('close', () => keptClosed());
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nkept', () => socket.end());
      }
      else (ANSWERS[path] ?? ((s: Socket) => s.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n')))(socket);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  serverPort = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const config = () => `
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 2s
    retries 0
frontend web
    bind 127.0.0.1:\${PORT}
    default_backend raw
backend raw
    server r1 127.0.0.1:${serverPort}
`;

/** What a client sees: the status, the headers that matter here, the body as decoded, whether the answer was whole. */
async function observe(port: number, path: string) {
  const raw = await sendRaw(port, `GET ${path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\nTE: trailers\r\n\r\n`);
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, end);
  const lines = head.split('\r\n');
  const header = (name: string) => lines.find((l) => l.toLowerCase().startsWith(`${name}:`))?.slice(name.length + 1).trim();
  let body = raw.slice(end + 4);
  let trailers: string[] = [];
  if (/^transfer-encoding:\s*chunked/im.test(head)) {
    let decoded = '';
    let at = 0;
    for (;;) {
      const lineEnd = body.indexOf('\r\n', at);
      if (lineEnd < 0) break;
      const size = parseInt(body.slice(at, lineEnd), 16);
      if (!(size >= 0)) break;
      if (size === 0) {
        trailers = body.slice(lineEnd + 2).split('\r\n').filter(Boolean).map((l) => l.toLowerCase());
        break;
      }
      decoded += body.slice(lineEnd + 2, lineEnd + 2 + size);
      at = lineEnd + 2 + size + 2;
    }
    body = decoded;
  }
  return { status: Number(lines[0]!.split(' ')[1]), xa: header('x-a'), xb: header('x-b'), body, trailers };
}

describe.each<Edge>(['Node', 'Deno'])('server framing: haproxy vs edge-balancer on %s', (runtime) => {
  it('what clients get from responses in pieces, until the close, chunked with trailers, after 1xx heads, with bad framing or a head too large', async () => {
    const paths = ['/split', '/until-close', '/chunked', '/interim', '/bad-length', '/bad-chunk', '/length-and-chunked', '/two-lengths', '/same-lengths', '/space-before-colon', '/big-head'];
    const scenario = async ({ port }: { port: number }) => {
      const seen: Record<string, Awaited<ReturnType<typeof observe>>> = {};
      for (const path of paths) seen[path] = await observe(port, path);
      return seen;
    };
    const haproxy = await runOn('haproxy', config(), [], scenario);
    const edge = await runOnEdge(runtime, config(), scenario);
    expect(haproxy['/split']).toMatchObject({ status: 200, xa: '1', body: 'hello world' });
    expect(haproxy['/chunked']).toMatchObject({ body: 'hello world', trailers: ['x-sum: 42'] });
    for (const path of ['/bad-length', '/bad-chunk', '/two-lengths', '/space-before-colon', '/big-head']) expect(haproxy[path]!.status).toBe(502);
    // On purpose unlike haproxy (README, deliberate differences): interim 1xx
    // heads are not relayed, the client gets the final answer alone, as with
    // undici before; haproxy 2.6 relays the 100 and the 103.
    expect(haproxy['/interim']!.status).toBe(100);
    expect(edge['/interim']).toMatchObject({ status: 200, body: 'ok' });
    // On purpose unlike haproxy (the same README item): the parser refuses what undici refuses (502),
    // Content-Length with Transfer-Encoding and a repeated Content-Length even
    // when both say the same; haproxy 2.6 drops the Content-Length for the
    // chunked framing, and merges equal ones.
    expect(haproxy['/length-and-chunked']).toMatchObject({ status: 200, body: 'abc' });
    expect(haproxy['/same-lengths']).toMatchObject({ status: 200, body: 'hello' });
    for (const path of ['/length-and-chunked', '/same-lengths']) expect(edge[path]!.status).toBe(502);
    for (const path of ['/interim', '/length-and-chunked', '/same-lengths']) {
      delete haproxy[path];
      delete edge[path];
    }
    // Deno: through the Fetch API's Response trailer fields are dropped (README, Trailers).
    if (runtime === 'Deno') {
      expect(edge['/chunked']!.trailers).toEqual([]);
      haproxy['/chunked']!.trailers = [];
    }
    expect(edge).toEqual(haproxy);
  });

  it('a body cut short reaches the client cut short, and a kept connection the server closed costs no request', async () => {
    const scenario = async ({ port }: { port: number }) => {
      const cut = await observe(port, '/cut');
      const closed = new Promise<void>((resolve) => (keptClosed = resolve));
      const first = await observe(port, '/kept-then-closed');
      // The server closed the connection it answered on; the next request must not be lost.
      await closed;
      const second = await observe(port, '/kept-then-closed');
      return { cut: { status: cut.status, body: cut.body }, first: first.body, second: second.body };
    };
    const haproxy = await runOn('haproxy', config(), [], scenario);
    const edge = await runOnEdge(runtime, config(), scenario);
    expect(haproxy).toEqual({ cut: { status: 200, body: 'half' }, first: 'kept', second: 'kept' });
    expect(edge).toEqual(haproxy);
  });
});
