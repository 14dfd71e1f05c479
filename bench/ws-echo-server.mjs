// The WebSocket benchmark's backends: `ws` echo servers on the ports given
// in PORTS (comma-separated), in one process pinned to the load core.
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

for (const port of process.env.PORTS.split(',').map(Number)) {
  const server = createServer((req, res) => res.end('ws only\n'));
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
  server.listen(port, '127.0.0.1');
}
