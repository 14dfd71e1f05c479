/**
 * A real HTTP backend on 127.0.0.1 that answers with what it received, so a
 * test can see exactly what the proxy forwarded. The query string can ask it
 * for response headers: `?set-cookie=a%3D1&cache-control=public`, `?status=500`,
 * `?delay=3000` (ms before answering), `?gzip=1` (the reply gzipped, with
 * `content-encoding: gzip` and its content-length, whatever Accept-Encoding says).
 * It also takes WebSocket upgrades: greets, echoes, and records them as requests.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventEmitter, once } from 'node:events';
import type { Duplex } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { WebSocketServer } from 'ws';

export interface EchoReply {
  readonly server: string;
  readonly method: string;
  readonly url: string;
  /** Header lines as received, in order, duplicates kept. */
  readonly headers: [string, string][];
  readonly bodyBytes: number;
}

export interface EchoBackend {
  readonly name: string;
  readonly port: number;
  readonly requests: EchoReply[];
  /** Resolves when the next request has arrived (its body read). */
  nextRequest(): Promise<EchoReply>;
  close(): Promise<void>;
}

export async function startEchoBackend(name: string, port = 0): Promise<EchoBackend> {
  const requests: EchoReply[] = [];
  const arrivals = new EventEmitter();
  const server: Server = createServer(async (req, res) => {
    let bodyBytes: number;
    try {
      bodyBytes = await countBody(req);
    } catch {
      return; // the proxy gave up on this request mid-body (its client went away)
    }
    // Only the query is read; `new URL` would throw on targets such as `//`.
    const target = req.url ?? '/';
    const query = new URLSearchParams(target.includes('?') ? target.slice(target.indexOf('?') + 1) : '');
    const reply: EchoReply = { server: name, method: req.method ?? '', url: req.url ?? '', headers: pairs(req.rawHeaders), bodyBytes };
    requests.push(reply);
    arrivals.emit('request', reply);
    const delay = Number(query.get('delay') ?? 0);
    const send = () => {
      if (res.destroyed) return;
      const headers: [string, string][] = [['content-type', 'application/json']];
      for (const value of query.getAll('set-cookie')) headers.push(['set-cookie', value]);
      for (const value of query.getAll('cache-control')) headers.push(['cache-control', value]);
      for (const value of query.getAll('keep-alive')) headers.push(['keep-alive', value]);
      let body: string | Buffer = JSON.stringify(reply);
      if (query.has('gzip')) {
        body = gzipSync(body);
        headers.push(['content-encoding', 'gzip'], ['content-length', String(body.length)]);
      }
      res.writeHead(Number(query.get('status') ?? 200), headers.flat());
      res.end(body);
    };
    if (delay > 0) {
      const timer = setTimeout(send, delay);
      res.on('close', () => clearTimeout(timer));
    } else send();
  });
  // WebSocket upgrades (the real `ws`): recorded like requests, greeted with
  // `hello from NAME`, every message echoed; subprotocol `chat.v2` when
  // offered, else the first.
  const sockets = new WebSocketServer({ noServer: true, handleProtocols: (p) => (p.has('chat.v2') ? 'chat.v2' : ([...p][0] ?? false)) });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const reply: EchoReply = { server: name, method: req.method ?? '', url: req.url ?? '', headers: pairs(req.rawHeaders), bodyBytes: 0 };
    requests.push(reply);
    arrivals.emit('request', reply);
    sockets.handleUpgrade(req, socket, head, (ws) => {
      ws.send(`hello from ${name}`);
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    name,
    port: (server.address() as AddressInfo).port,
    requests,
    nextRequest: async () => ((await once(arrivals, 'request')) as [EchoReply])[0],
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of sockets.clients) ws.terminate();
        sockets.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function countBody(req: IncomingMessage): Promise<number> {
  let bytes = 0;
  for await (const chunk of req) bytes += (chunk as Buffer).length;
  return bytes;
}

export function pairs(raw: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i]!, raw[i + 1]!]);
  return out;
}
