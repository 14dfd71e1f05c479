/**
 * Answers a WebSocket upgrade on Deno: Deno.upgradeWebSocket for the client,
 * with the 101's lines (the persistence cookie…), then every message relayed
 * between the client and the server's WebSocket (./websocket-upstream.ts),
 * text as text and binary as binary; a close passes its code and reason on.
 * Messages the server sends before the client's side is open wait for it.
 * `timeout tunnel`: with no message either way for that long, both close.
 */
import type { WebSocketUpgrade } from '../../src/deps.ts';
import type { ServerWebSocket } from './websocket-upstream.ts';

/**
 * Lines Deno.upgradeWebSocket writes itself. The subprotocol is written as a
 * line of the 101 instead of its `protocol` option, which refuses a protocol
 * listed without a space after the comma (`chat.v1,chat.v2`, as `ws` sends).
 */
const OWN_LINES = new Set(['connection', 'upgrade', 'sec-websocket-accept', 'sec-websocket-extensions']);
const encoder = new TextEncoder();

type Message = string | ArrayBuffer;

function sizeOf(data: Message): number {
  return typeof data === 'string' ? encoder.encode(data).byteLength : data.byteLength;
}

/** Close codes a WebSocket may send (1000, 3000–4999); others (1001, 1011…) are passed as 1000. */
function closeWith(socket: WebSocket, code: number, reason: string): void {
  if (socket.readyState === WebSocket.CLOSING || socket.readyState === WebSocket.CLOSED) return;
  try {
    if (code === 1000 || (code >= 3000 && code <= 4999)) socket.close(code, reason);
    else socket.close();
  } catch {
    socket.close();
  }
}

export function acceptDenoWebSocket(upgrade: WebSocketUpgrade): Response {
  const { socket: server, early } = upgrade.server as ServerWebSocket;
  const { socket: client, response } = Deno.upgradeWebSocket(upgrade.request!);
  for (const [name, value] of upgrade.head.headers) if (!OWN_LINES.has(name.toLowerCase())) response.headers.append(name, value);
  client.binaryType = 'arraybuffer';

  let lastActivity = Date.now();
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const pending: Message[] = early.messages.splice(0);
  const end = (termination: string) => {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    upgrade.onClosed(termination);
  };

  server.onmessage = (event: MessageEvent<Message>) => {
    lastActivity = Date.now();
    upgrade.onServerBytes(sizeOf(event.data));
    if (client.readyState === WebSocket.OPEN) client.send(event.data);
    else pending.push(event.data);
  };
  client.onopen = () => {
    for (const data of pending.splice(0)) client.send(data);
    if (serverClose) serverClosed(serverClose);
  };
  client.onmessage = (event: MessageEvent<Message>) => {
    lastActivity = Date.now();
    upgrade.onClientBytes(sizeOf(event.data));
    if (server.readyState === WebSocket.OPEN) server.send(event.data);
  };
  let serverClose: CloseEvent | undefined = early.close;
  const serverClosed = (event: CloseEvent) => {
    serverClose = event;
    if (client.readyState === WebSocket.OPEN) closeWith(client, event.code, event.reason);
    end(event.wasClean ? '--' : 'SD');
  };
  server.onclose = serverClosed;
  client.onclose = (event) => {
    closeWith(server, event.code, event.reason);
    end(event.wasClean ? '--' : 'CD');
  };

  if (upgrade.idleMs !== undefined) {
    const idleMs = upgrade.idleMs;
    const check = () => {
      const idle = Date.now() - lastActivity;
      if (idle < idleMs) {
        timer = setTimeout(check, idleMs - idle);
        return;
      }
      closeWith(client, 1000, '');
      closeWith(server, 1000, '');
      end('cD');
    };
    timer = setTimeout(check, idleMs);
  }
  return response;
}
