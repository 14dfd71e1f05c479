/**
 * WebSocket upgrades on Deno: Deno.serve gives no raw connection to tunnel,
 * so the request is forwarded with Deno's WebSocket client (which takes
 * header lines, a Deno extension) and the client is answered with
 * Deno.upgradeWebSocket (./websocket-relay.ts), messages relayed between the
 * two. Other requests, and other upgrades, take `next` (the HTTP/1.1 client).
 */
import type { ServerTls } from '../../src/config/types.ts';
import { UpstreamError, type RequestHead, type Upstream, type UpstreamOptions, type UpstreamResponse, type UpstreamTarget } from '../../src/deps.ts';
import { isUpgradeRequest } from '../../src/proxy/upgrade.ts';

/** Lines Deno's WebSocket client writes itself (or, for extensions, does not support). */
const HANDSHAKE = new Set(['connection', 'upgrade', 'host', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-protocol', 'sec-websocket-extensions']);

/**
 * The server's WebSocket as the upstream hands it on, with what arrived
 * before the relay took over (the 101's continuation runs a few turns later,
 * and a message event without a listener is lost).
 */
export interface ServerWebSocket {
  readonly socket: WebSocket;
  readonly early: { readonly messages: (string | ArrayBuffer)[]; close?: CloseEvent };
}

export function isWebSocketUpgrade(head: RequestHead): boolean {
  return (
    isUpgradeRequest(head.headers) &&
    head.headers.some(([name, value]) => name.toLowerCase() === 'upgrade' && /(^|,)\s*websocket\s*(,|$)/i.test(value))
  );
}

export function withWebSockets<Body>(next: Upstream<Body>): Upstream<Body> {
  return {
    request(target, head, body, options) {
      return isWebSocketUpgrade(head) ? openServerWebSocket(target, head, options) : next.request(target, head, body, options);
    },
  };
}

function openServerWebSocket(target: UpstreamTarget, head: RequestHead, options: UpstreamOptions): Promise<UpstreamResponse<never>> {
  const protocols: string[] = [];
  const headers: [string, string][] = [];
  for (const [name, value] of head.headers) {
    const lower = name.toLowerCase();
    if (lower === 'sec-websocket-protocol') protocols.push(...value.split(',').map((p) => p.trim()).filter(Boolean));
    else if (!HANDSHAKE.has(lower)) headers.push([name, value]);
  }
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  return new Promise((resolve, reject) => {
    // A TLS server: wss with the server's CA and client certificate; the
    // name checked (and sent as SNI) is the address, Deno's WebSocket has no other.
    const client = target.tls ? httpClientFor(target.tls.settings) : undefined;
    const url = `${target.tls ? 'wss' : 'ws'}://${host}:${target.port}${head.target}`;
    const ws = new WebSocket(url, { protocols, headers, ...(client ? { client } : {}) } as unknown as string[]);
    ws.binaryType = 'arraybuffer';
    let settled = false;
    const fail = (error: UpstreamError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      try {
        ws.close();
      } catch {
        // not open yet
      }
      reject(error);
    };
    const onAbort = () => fail(new UpstreamError('reset', 'client went away before the 101'));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    // The handshake as a whole: `timeout connect` plus `timeout server`.
    const limit = (options.connectTimeout ?? 0) + (options.serverTimeout ?? 0);
    const timer = limit > 0 ? setTimeout(() => fail(new UpstreamError('timeout', `no 101 within ${limit} ms`)), limit) : undefined;
    ws.onopen = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      const lines: [string, string][] = [['upgrade', 'websocket'], ['connection', 'Upgrade']];
      if (ws.protocol) lines.push(['sec-websocket-protocol', ws.protocol]);
      const server: ServerWebSocket = { socket: ws, early: { messages: [] } };
      ws.onmessage = (event: MessageEvent<string | ArrayBuffer>) => void server.early.messages.push(event.data);
      ws.onclose = (event) => void (server.early.close = event);
      resolve({ status: 101, headers: lines, body: null, webSocket: server });
    };
    ws.onerror = (event) => {
      const message = (event as ErrorEvent).message ?? 'WebSocket error';
      // A refused connection may be retried and redispatched; any other failure
      // (the server declined the upgrade) is a bad response.
      fail(new UpstreamError(/refused|os error 111/i.test(message) ? 'refused' : 'bad-response', message));
    };
  });
}

const httpClients = new WeakMap<ServerTls, Deno.HttpClient>();
function httpClientFor(settings: ServerTls): Deno.HttpClient {
  let client = httpClients.get(settings);
  if (!client) {
    const pem = settings.crt ?? '';
    const key = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/.exec(pem)?.[0];
    client = Deno.createHttpClient({
      ...(settings.ca !== undefined ? { caCerts: [settings.ca] } : {}),
      ...(settings.crt !== undefined && key ? { cert: pem.replace(key, ''), key } : {}),
    });
    httpClients.set(settings, client);
  }
  return client;
}
