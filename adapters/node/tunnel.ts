/**
 * An established tunnel (after a 101): bytes both ways between the client's
 * socket and the server's, as haproxy relays them in `mode http` once a
 * connection is upgraded.
 * - `pipe` gives back-pressure in each direction; a FIN is passed on as a
 *   FIN (both sockets allow half-open), so one side may still send after
 *   the other has finished.
 * - A side that closes or fails closes the other at once (a server killed
 *   mid-tunnel: the client sees the close within milliseconds).
 * - `timeout tunnel` (or its fallbacks, src/proxy/upgrade.ts): with no byte
 *   in either direction for that long, both sockets are closed, no close
 *   frame sent, as haproxy does.
 */
import type { Socket } from 'node:net';
import type { ResponseHead } from '../../src/deps.ts';

export interface TunnelOptions {
  /** Inactivity limit, ms; undefined: none. */
  readonly idleMs: number | undefined;
  /** Bytes from the server to the client, and from the client to the server (bin/bout). */
  readonly onServerBytes: (bytes: number) => void;
  readonly onClientBytes: (bytes: number) => void;
  /** Runs once, when both sides are closed, with HAProxy's termination state. */
  readonly onClosed: (termination: string) => void;
}

/** The 101 head as haproxy relays it: the server's lines, in its order. */
function switchingProtocolsHead(head: ResponseHead): string {
  let text = 'HTTP/1.1 101 Switching Protocols\r\n';
  for (const [name, value] of head.headers) text += `${name}: ${value}\r\n`;
  return `${text}\r\n`;
}

/**
 * Writes the 101 head to the client, then relays: `clientHead` (bytes the
 * client pipelined after its request) goes to the server first, `serverHead`
 * (bytes that came with the 101) to the client.
 */
export function openTunnel(
  client: Socket,
  clientHead: Buffer,
  server: Socket,
  serverHead: Buffer,
  head: ResponseHead,
  options: TunnelOptions,
): void {
  client.setNoDelay(true);
  server.setNoDelay(true);
  client.write(switchingProtocolsHead(head));
  if (serverHead.length > 0) {
    options.onServerBytes(serverHead.length);
    client.write(serverHead);
  }
  if (clientHead.length > 0) {
    options.onClientBytes(clientHead.length);
    server.write(clientHead);
  }
  relay(client, server, options);
}

/**
 * The relay's state and listeners, in a scope of their own so that a
 * long-lived tunnel keeps only them alive (not the 101 head or the first
 * bytes: measured per idle tunnel).
 */
function relay(client: Socket, server: Socket, options: TunnelOptions): void {
  let lastActivity = Date.now();
  let termination = '--';
  let open = 2;
  let timer: NodeJS.Timeout | undefined;

  // A side gone for good (closed, or failed: reset) takes the other with it,
  // once what was already written to it is flushed. Plain `on` listeners (a
  // socket closes once): `once` costs a wrapper per listener per tunnel.
  const closed = (other: Socket) => () => {
    other.destroySoon();
    if (--open > 0) return;
    clearTimeout(timer);
    options.onClosed(termination);
  };
  const failed = (other: Socket, state: string) => () => {
    if (termination === '--') termination = state;
    other.destroy();
  };
  client.on('close', closed(server));
  server.on('close', closed(client));
  client.on('error', failed(server, 'CD'));
  server.on('error', failed(client, 'SD'));
  client.on('data', (chunk: Buffer) => {
    lastActivity = Date.now();
    options.onClientBytes(chunk.length);
  });
  server.on('data', (chunk: Buffer) => {
    lastActivity = Date.now();
    options.onServerBytes(chunk.length);
  });
  client.pipe(server);
  server.pipe(client);

  if (options.idleMs !== undefined) {
    const idleMs = options.idleMs;
    // One timer, re-armed for the remaining time instead of on every chunk.
    const check = () => {
      const idle = Date.now() - lastActivity;
      if (idle < idleMs) {
        timer = setTimeout(check, idleMs - idle);
        return;
      }
      termination = 'cD';
      client.destroy();
      server.destroy();
    };
    timer = setTimeout(check, idleMs);
  }
}
