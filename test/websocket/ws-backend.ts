/**
 * A WebSocket server (the real `ws` package) on 127.0.0.1 that names itself,
 * so a test can see which server a tunnel reached and what it received:
 * it greets each connection with `hello from NAME`, echoes every message
 * with its type (text or binary), closes with a code and reason when told
 * `close:CODE:REASON`, picks the subprotocol `chat.v2` when offered (else the first), and
 * records each upgrade request's header lines and each close it received.
 * An upgrade to `/no-upgrade` is declined with a 200 and the connection kept.
 * Plain HTTP requests get `{"server":NAME}`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { once } from 'node:events';
import { WebSocketServer, type WebSocket } from 'ws';

export interface WsBackend {
  readonly name: string;
  readonly port: number;
  /** Header lines of each upgrade request, as received. */
  readonly upgrades: [string, string][][];
  /** Close code and reason of each connection the client closed. */
  readonly closes: { code: number; reason: string }[];
  /** Kills every connection at once (a crashed server), then stops listening. */
  kill(): Promise<void>;
  close(): Promise<void>;
}

export async function startWsBackend(name: string): Promise<WsBackend> {
  const upgrades: [string, string][][] = [];
  const closes: { code: number; reason: string }[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ server: name }));
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => (protocols.has('chat.v2') ? 'chat.v2' : ([...protocols][0] ?? false)),
  });
  server.on('upgrade', (req, socket: Socket, head: Buffer) => {
    const lines: [string, string][] = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) lines.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
    upgrades.push(lines);
    if (req.url === '/no-upgrade') {
      // Declines the upgrade with a 200; the connection goes on with the next request.
      socket.write('HTTP/1.1 200 OK\r\ncontent-length: 11\r\n\r\nnot today\r\n');
      if (head.length > 0) socket.unshift(head);
      server.emit('connection', socket);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      ws.send(`hello from ${name}`);
      ws.on('message', (data, isBinary) => {
        const text = isBinary ? '' : data.toString();
        if (text.startsWith('close:')) {
          const [, code, reason] = text.split(':');
          return ws.close(Number(code), reason);
        }
        ws.send(data, { binary: isBinary });
      });
      ws.on('close', (code, reason) => closes.push({ code, reason: reason.toString() }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return {
    name,
    port: (server.address() as AddressInfo).port,
    upgrades,
    closes,
    async kill() {
      for (const socket of sockets) socket.destroy();
      await stop();
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      if (server.listening) await stop();
      wss.close();
    },
  };
}
