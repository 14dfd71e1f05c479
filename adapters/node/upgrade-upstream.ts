/**
 * The Upstream for upgrade requests (WebSocket, h2c…): one fresh connection
 * per request through node:http's client (`agent: false`), which hands back
 * either the server's 101 with its socket (the tunnel's server side) or an
 * ordinary response. undici cannot take a 101, and an upgraded connection is
 * never pooled anyway. Failures are classified as for every request, so
 * src/proxy's retries and redispatch apply until the 101.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { request as httpsRequest } from 'node:https';
import { UpstreamError, type Upstream, type UpstreamFailure } from '../../src/deps.ts';
import { tlsConnectOptions } from './tls-connect-options.ts';
import { classifyUpstreamError } from './upstream-errors.ts';

/** What the server's answer leaves to the adapter: the tunnel or an ordinary response body. */
export type UpgradeBody =
  | { readonly kind: 'tunnel'; readonly socket: Socket; readonly head: Buffer }
  | { readonly kind: 'response'; readonly message: IncomingMessage };

/** Names lower-cased, as haproxy relays them (and undici hands them on the other path). */
function headerLines(raw: readonly string[]): [string, string][] {
  const lines: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) lines.push([raw[i]!.toLowerCase(), raw[i + 1]!]);
  return lines;
}

export const upgradeUpstream: Upstream<UpgradeBody> = {
  request(target, head, _body, options) {
    return new Promise((resolve, reject) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const fail = (failure: UpstreamFailure, message: string, cause?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        request.destroy();
        reject(new UpstreamError(failure, message, { cause }));
      };
      const settle = () => {
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
      };
      const flat: string[] = [];
      for (const [name, value] of head.headers) flat.push(name, value);
      const request = (target.tls ? httpsRequest : httpRequest)({
        host: target.host,
        port: target.port,
        method: head.method,
        path: head.target,
        headers: flat,
        setHost: false,
        // A plain server: a connection of our own, half-open so a half-closed
        // tunnel keeps the other direction (node:http uses createConnection
        // only when no agent is given, `agent: false` included). A TLS
        // server: a one-off https agent; `servername: ''` keeps it from
        // sending the Host as SNI, which haproxy only does with `sni`.
        ...(target.tls
          ? { agent: false, servername: '', ...tlsConnectOptions(target.tls) }
          : { createConnection: () => connect({ host: target.host, port: target.port, allowHalfOpen: true }) }),
      });
      const onAbort = () => fail('reset', 'client went away before the 101');
      options.signal?.addEventListener('abort', onAbort, { once: true });

      // `timeout connect` until connected, then `timeout server` until the answer's head.
      const arm = (ms: number | undefined, failure: UpstreamFailure, what: string) => {
        clearTimeout(timer);
        if (ms) timer = setTimeout(() => fail(failure, `${what} after ${ms} ms`), ms);
      };
      arm(options.connectTimeout, 'connect-timeout', 'no connection');
      request.on('socket', (socket: Socket) => {
        socket.once(target.tls ? 'secureConnect' : 'connect', () => arm(options.serverTimeout, 'timeout', 'no answer'));
      });
      request.on('error', (error: NodeJS.ErrnoException) => fail(classifyUpstreamError(error), `${error.code ?? ''} ${error.message}`.trim(), error));
      request.on('upgrade', (response: IncomingMessage, socket: Socket, tunnelHead: Buffer) => {
        if (settled) return void socket.destroy();
        settle();
        resolve({ status: 101, headers: headerLines(response.rawHeaders), body: { kind: 'tunnel', socket, head: tunnelHead } });
      });
      request.on('response', (response: IncomingMessage) => {
        if (settled) return void response.destroy();
        settle();
        const noBody = head.method === 'HEAD' || response.statusCode === 204 || response.statusCode === 304;
        if (noBody) response.resume();
        resolve({
          status: response.statusCode ?? 502,
          headers: headerLines(response.rawHeaders),
          body: noBody ? null : { kind: 'response', message: response },
        });
      });
      request.end();
    });
  },
};

