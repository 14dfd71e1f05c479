/**
 * The Node adapter's Upstream: undici connection pools, one per server address,
 * so connections are kept alive and reused (`option http-keep-alive`, HAProxy's
 * default) unless the request carries `Connection: close`. Header lines are
 * sent as a flat list, so repeated lines (two X-Forwarded-For) stay separate,
 * as HAProxy sends them.
 */
import { Readable } from 'node:stream';
import { Pool } from './undici-pool.ts';
import { UpstreamError, type RequestHead, type Upstream, type UpstreamFailure } from '../../src/deps.ts';
import { ProxyHandler } from './dispatch-handler.ts';
import type { UpstreamBody } from './upstream-body.ts';
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

  function poolFor(host: string, port: number, connectTimeout: number | undefined): Pool {
    const key = `${host}|${port}|${connectTimeout ?? ''}`;
    let pool = pools.get(key);
    if (!pool) {
      const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
      pool = new Pool(origin, {
        // undici's default connect timeout is 10 s; HAProxy has none unless configured.
        connect: { timeout: connectTimeout ?? 0 },
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
          poolFor(target.host, target.port, options.connectTimeout).dispatch(
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
        const response = await poolFor(target.host, target.port, options.connectTimeout).request({
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

function upstreamError(error: unknown): UpstreamError {
  return new UpstreamError(classifyUpstreamError(error), describe(error), { cause: error });
}

/** A connection error as a retry-policy failure kind: undici's codes and the plain socket ones (node:http shares them). */
export function classifyUpstreamError(error: unknown): UpstreamFailure {
  const code = (error as { code?: string }).code ?? '';
  switch (code) {
    case 'ECONNREFUSED':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return 'refused';
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connect-timeout';
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return 'timeout';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return 'reset';
    default:
      return 'bad-response';
  }
}

function describe(error: unknown): string {
  const e = error as { code?: string; message?: string };
  return [e.code, e.message].filter(Boolean).join(': ') || String(error);
}
