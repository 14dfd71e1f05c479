/**
 * The Node adapter's Upstream: undici connection pools, one per server address,
 * so connections are kept alive and reused (`option http-keep-alive`, HAProxy's
 * default) unless the request carries `Connection: close`. Header lines are
 * sent as a flat list, so repeated lines (two X-Forwarded-For) stay separate,
 * as HAProxy sends them.
 */
import { Readable } from 'node:stream';
import type { ServerTls } from '../../src/config/types.ts';
import type { RequestHead, Upstream, UpstreamTarget } from '../../src/deps.ts';
import { ProxyHandler } from './dispatch-handler.ts';
import { tlsConnectOptions } from './tls-connect-options.ts';
import { upstreamError } from './upstream-errors.ts';
import type { UpstreamBody } from './upstream-body.ts';
import { newPool, type Pool } from './undici-pool.ts';
import { toWebStream } from './web-stream.ts';

/** Request headers undici refuses to forward; Node's server already answered Expect. */
const NOT_FORWARDED = new Set(['expect']);

export interface UndiciUpstream extends Upstream {
  /** The same pools, handing the body straight to the client's response (the fast path's). */
  readonly native: Upstream<UpstreamBody>;
  close(): Promise<void>;
}

export function createUndiciUpstream(): UndiciUpstream {
  const pools = new Map<string, Pool>();

  /** One pool per address, and for TLS per settings and SNI (a pool's connections share one handshake's terms). */
  function poolFor({ host, port, tls }: UpstreamTarget, connectTimeout: number | undefined): Pool {
    const key = `${host}|${port}|${connectTimeout ?? ''}${tls ? `|${tlsKeyOf(tls.settings)}|${tls.servername ?? ''}` : ''}`;
    let pool = pools.get(key);
    if (!pool) {
      const origin = `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
      pool = newPool(origin, {
        // undici's default connect timeout is 10 s; HAProxy has none unless configured.
        connect: { timeout: connectTimeout ?? 0, ...(tls ? tlsConnectOptions(tls) : {}) },
        headersTimeout: 0,
        bodyTimeout: 0,
      });
      pools.set(key, pool);
    }
    return pool;
  }

  const native: Upstream<UpstreamBody> = {
    request(target, head, body, options) {
      return new Promise((resolve, reject) => {
        try {
          const requestBody = nodeBody(body);
          const handler = new ProxyHandler(head.method, requestBody, resolve, (error) => reject(upstreamError(error)), options.signal);
          poolFor(target, options.connectTimeout).dispatch(
            {
              path: head.target,
              method: head.method,
              headers: forwardedHeaders(head),
              body: requestBody,
              reset: target.close,
              headersTimeout: options.serverTimeout ?? 0,
              bodyTimeout: options.serverTimeout ?? 0,
            },
            handler,
          );
        } catch (error) {
          reject(upstreamError(error));
        }
      });
    },
  };

  /**
   * The Hono app's path (what the fast path hands over): undici's request()
   * and its body as a web stream.
   */
  const web: Upstream = {
    async request(target, head, body, options) {
      try {
        const response = await poolFor(target, options.connectTimeout).request({
          path: head.target,
          method: head.method,
          headers: forwardedHeaders(head),
          body: nodeBody(body),
          reset: target.close,
          headersTimeout: options.serverTimeout ?? 0,
          bodyTimeout: options.serverTimeout ?? 0,
          signal: options.signal,
        });
        const lines: [string, string][] = [];
        for (const [name, value] of Object.entries(response.headers)) {
          if (Array.isArray(value)) for (const v of value) lines.push([name, v]);
          else if (value !== undefined) lines.push([name, value]);
        }
        const noBody = head.method === 'HEAD' || response.statusCode === 204 || response.statusCode === 304;
        if (noBody) response.body.resume();
        return { status: response.statusCode, headers: lines, body: noBody ? null : toWebStream(response.body) };
      } catch (error) {
        throw upstreamError(error);
      }
    },
  };

  return {
    native,
    request: web.request,
    async close() {
      await Promise.all([...pools.values()].map((pool) => pool.destroy()));
      pools.clear();
    },
  };
}

/** Header lines as a flat list, so repeated lines stay separate. */
function forwardedHeaders(head: RequestHead): string[] {
  const headers: string[] = [];
  for (const [name, value] of head.headers) {
    if (!NOT_FORWARDED.has(name.toLowerCase())) headers.push(name, value);
  }
  return headers;
}

function nodeBody(body: ReadableStream<Uint8Array> | null): Readable | null {
  return body ? Readable.fromWeb(body as import('node:stream/web').ReadableStream) : null;
}

/** Settings as text, so a reload with the same TLS lines keeps its pools. */
const tlsKeys = new WeakMap<ServerTls, string>();
function tlsKeyOf(settings: ServerTls): string {
  let key = tlsKeys.get(settings);
  if (key === undefined) tlsKeys.set(settings, (key = JSON.stringify({ ...settings, sni: undefined })));
  return key;
}
