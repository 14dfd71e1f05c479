/**
 * The differential harness for WebSockets: the same configuration on the real
 * haproxy and on edge-balancer (Node adapter), each in front of its own `ws`
 * servers (./ws-backend.ts), with `${PORT}` the frontend's port and `${S1}`…
 * the servers' ports, as in test/differential/harness.ts.
 */
import { connect } from 'node:net';
import WebSocket from 'ws';
import { startEdge, type RunningEdge } from '../helpers/edge-balancer.ts';
import { startHaproxy } from '../helpers/haproxy.ts';
import { freePort } from '../helpers/ports.ts';
import { startWsBackend, type WsBackend } from './ws-backend.ts';

export type ProxyKind = 'haproxy' | 'edge-balancer';

export interface WsProxy {
  readonly kind: ProxyKind;
  readonly port: number;
  readonly backends: readonly WsBackend[];
  /** The running edge-balancer (its access log), on that kind only. */
  readonly edge?: RunningEdge;
}

export async function runWsOn<T>(kind: ProxyKind, config: string, names: readonly string[], scenario: (proxy: WsProxy) => Promise<T>): Promise<T> {
  const backends: WsBackend[] = [];
  let close: (() => Promise<void>) | undefined;
  try {
    for (const name of names) backends.push(await startWsBackend(name));
    const port = await freePort();
    const env: Record<string, string> = { PORT: String(port) };
    backends.forEach((b, i) => (env[`S${i + 1}`] = String(b.port)));
    let edge: RunningEdge | undefined;
    if (kind === 'haproxy') close = (await startHaproxy(config, [port], env)).close;
    else {
      edge = await startEdge(config, env);
      close = () => edge!.close(0);
    }
    return await scenario({ kind, port, backends, ...(edge ? { edge } : {}) });
  } finally {
    await close?.();
    await Promise.all(backends.map((b) => b.close()));
  }
}

export async function runWsOnBoth<T>(config: string, names: readonly string[], scenario: (proxy: WsProxy) => Promise<T>): Promise<{ haproxy: T; edge: T }> {
  const haproxy = await runWsOn('haproxy', config, names, scenario);
  const edge = await runWsOn('edge-balancer', config, names, scenario);
  return { haproxy, edge };
}

/** A `ws` client that has received its first message (the server's greeting). */
export interface OpenClient {
  readonly ws: WebSocket;
  readonly greeting: string;
  /** Header lines of the 101, as received. */
  readonly head: [string, string][];
  /** Resolves with the next message. */
  next(): Promise<{ data: Buffer; binary: boolean }>;
  /** Resolves with the close code and reason. */
  readonly closed: Promise<{ code: number; reason: string; at: number }>;
}

export async function openClient(port: number, options: { cookie?: string; protocols?: string[]; path?: string } = {}): Promise<OpenClient> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${options.path ?? '/chat'}`, options.protocols ?? [], {
    headers: options.cookie ? { cookie: options.cookie } : {},
  });
  const queue: { data: Buffer; binary: boolean }[] = [];
  const waiting: ((m: { data: Buffer; binary: boolean }) => void)[] = [];
  ws.on('message', (data: Buffer, binary: boolean) => {
    const message = { data: Buffer.from(data), binary };
    const w = waiting.shift();
    if (w) w(message);
    else queue.push(message);
  });
  const closed = new Promise<{ code: number; reason: string; at: number }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString(), at: Date.now() })),
  );
  let head: [string, string][] = [];
  ws.once('upgrade', (response) => {
    const raw = response.rawHeaders;
    for (let i = 0; i + 1 < raw.length; i += 2) head.push([raw[i]!.toLowerCase(), raw[i + 1]!]);
  });
  const next = () => new Promise<{ data: Buffer; binary: boolean }>((resolve) => {
    const m = queue.shift();
    if (m) resolve(m);
    else waiting.push(resolve);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const greeting = (await next()).data.toString();
  return { ws, greeting, head, next, closed };
}

/**
 * Writes `text` on a raw connection and collects what comes back until
 * `done(received)` holds or the connection closes (bounded by `timeoutMs`).
 */
export function rawExchange(port: number, text: string, done: (received: string) => boolean, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(received);
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (done(received)) finish();
    });
    socket.on('error', finish);
    socket.on('close', finish);
    socket.write(text);
  });
}
