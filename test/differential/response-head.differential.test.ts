/**
 * The response head a client gets, line for line, on haproxy and on
 * edge-balancer (Node adapter): the server's header lines in the server's
 * order, repeated names left where they were, nothing added by the balancer
 * but what HAProxy adds (the persistence cookie, Cache-Control: private).
 */
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEdge } from '../helpers/edge-balancer.ts';
import { startHaproxy } from '../helpers/haproxy.ts';
import { send } from '../helpers/http-client.ts';
import { freePort } from '../helpers/ports.ts';

/** Header lines with repeated names apart from each other, as an application may send them. */
const SERVER_HEAD = [
  'HTTP/1.1 200 OK',
  'Set-Cookie: a=1',
  'X-B: 2',
  'Set-Cookie: c=3',
  'Cache-Control: public, max-age=60',
  'X-B: 4',
  'Content-Length: 2',
];

let backend: Server;
let backendPort: number;
const sockets = new Set<Socket>();

beforeAll(async () => {
  backend = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    let head = '';
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (head.includes('\r\n\r\n')) socket.end(`${SERVER_HEAD.join('\r\n')}\r\n\r\nok`);
    });
  });
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  backendPort = (backend.address() as { port: number }).port;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => backend.close(() => resolve()));
});

const config = (persistence: string) => `
defaults
    mode http
    timeout client 5s
    timeout server 5s
    timeout connect 1s
listen app
    bind 127.0.0.1:\${PORT}
    ${persistence}
    server s1 127.0.0.1:\${S1} ${persistence ? 'cookie s1' : ''}
`;

type Kind = 'haproxy' | 'edge-balancer';

async function withProxy<T>(kind: Kind, configText: string, use: (port: number) => Promise<T>): Promise<T> {
  const port = await freePort();
  const env = { PORT: String(port), S1: String(backendPort) };
  const proxy = kind === 'haproxy' ? await startHaproxy(configText, [port], env) : await startEdge(configText, env);
  try {
    return await use(port);
  } finally {
    await proxy.close(0);
  }
}

/** One request on its own connection (`Connection: close`): the response's header lines. */
function headOn(kind: Kind, configText: string): Promise<[string, string][]> {
  return withProxy(kind, configText, async (port) => {
    const response = await send(port, '/');
    expect(response.body).toBe('ok');
    return response.headers;
  });
}

/**
 * Two HTTP/1.1 requests on one kept-alive connection: both response heads as
 * raw text, and whether the connection was still open for the second.
 */
function keepAliveHeadsOn(kind: Kind, configText: string): Promise<string[]> {
  return withProxy(kind, configText, async (port) => {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    const heads: string[] = [];
    try {
      for (const path of ['/one', '/two']) {
        socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
        // The body is 'ok' (Content-Length: 2): the response is complete once it follows the head.
        while (!/\r\n\r\nok$/.test(received)) {
          if (socket.readableEnded) throw new Error(`${kind} closed the connection after ${JSON.stringify(received)}`);
          await Promise.race([once(socket, 'data'), once(socket, 'end')]);
        }
        heads.push(received.slice(0, -'\r\n\r\nok'.length));
        received = '';
      }
    } finally {
      socket.destroy();
    }
    return heads;
  });
}

describe('response head, line for line', () => {
  for (const [name, persistence] of [
    ['no persistence', ''],
    ['cookie insert indirect nocache', 'cookie SERVERNAME insert indirect nocache'],
    ['cookie prefix', 'cookie a prefix'],
  ] as const) {
    it(`${name}: the same lines in the same order`, async () => {
      const haproxy = await headOn('haproxy', config(persistence));
      const edge = await headOn('edge-balancer', config(persistence));
      expect(haproxy.find(([n]) => n === 'x-b')).toBeDefined();
      expect(edge).toEqual(haproxy);
    });
  }

  it("a kept-alive HTTP/1.1 connection: the same heads plus Node's keep-alive lines (a deliberate difference)", async () => {
    const haproxy = await keepAliveHeadsOn('haproxy', config(''));
    const edge = await keepAliveHeadsOn('edge-balancer', config(''));
    expect(haproxy).toHaveLength(2);
    // Node tells the client how long an idle connection is kept, so clients
    // such as Node's own agent retire it before the balancer closes it.
    expect(edge).toEqual(haproxy.map((head) => `${head}\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5`));
  });
});
