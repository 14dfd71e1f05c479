/**
 * An Upstream over the platform's `fetch`, for runtimes without a lower-level
 * HTTP client (Deno, Workers). `fetch` merges repeated header lines and hides
 * connection details, so the Node adapter uses its own pooled client instead.
 */
import { UpstreamError, type Upstream, type UpstreamFailure, type UpstreamTarget } from '../deps.ts';

/**
 * `schemeFor` picks http or https per server: https for `ssl` servers (the
 * platform verifies the certificate its own way; on Workers, port 443 also
 * means https). `extraInit`
 * adds the platform's own RequestInit members (Workers: `encodeResponseBody:
 * 'manual'`, so that a compressed body is not decoded on the way).
 */
export function createFetchUpstream(
  fetchImpl: typeof fetch = fetch,
  schemeFor: (target: UpstreamTarget) => 'http' | 'https' = (target) => (target.tls ? 'https' : 'http'),
  extraInit: Readonly<Record<string, unknown>> = {},
): Upstream {
  return {
    async request(target, head, body, options) {
      const host = target.host.includes(':') ? `[${target.host}]` : target.host;
      const controller = new AbortController();
      const abort = () => controller.abort();
      options.signal?.addEventListener('abort', abort, { once: true });
      let timedOut = false;
      const timeout = options.serverTimeout ?? options.connectTimeout;
      const timer = timeout === undefined ? undefined : setTimeout(() => ((timedOut = true), controller.abort()), timeout);
      try {
        const headers = new Headers();
        for (const [name, value] of head.headers) headers.append(name, value);
        const init: RequestInit & { duplex?: 'half' } = {
          ...extraInit,
          method: head.method,
          headers,
          body,
          redirect: 'manual',
          signal: controller.signal,
        };
        if (body) init.duplex = 'half';
        const response = await fetchImpl(`${schemeFor(target)}://${host}:${target.port}${head.target}`, init);
        const lines: [string, string][] = [];
        response.headers.forEach((value, name) => {
          if (name !== 'set-cookie') lines.push([name, value]);
        });
        // getSetCookie keeps Set-Cookie lines apart (Workers' own types do not declare it yet).
        for (const cookie of (response.headers as Headers & { getSetCookie(): string[] }).getSetCookie()) {
          lines.push(['set-cookie', cookie]);
        }
        const webSocket = (response as Response & { webSocket?: unknown }).webSocket;
        return { status: response.status, headers: lines, body: response.body, ...(webSocket ? { webSocket } : {}) };
      } catch (error) {
        if (timedOut) throw new UpstreamError('timeout', 'server timeout', { cause: error });
        throw new UpstreamError(classifyFetchError(error, head.method), String(error), { cause: error });
      } finally {
        if (timer !== undefined) clearTimeout(timer);
        options.signal?.removeEventListener('abort', abort);
      }
    },
  };
}

/** Methods a repeat cannot harm (RFC 9110 §9.2.2): a request of these may be sent twice. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

export function classifyFetchError(error: unknown, method: string): UpstreamFailure {
  const text = `${String(error)} ${String((error as { cause?: unknown })?.cause ?? '')} ${
    (error as { cause?: { code?: string } })?.cause?.code ?? ''
  }`;
  if (/ECONNREFUSED|refused|ENETUNREACH|EHOSTUNREACH|ENOTFOUND/i.test(text)) return 'refused';
  // workerd says only this, both when a connection cannot be made and when the
  // server hangs up after reading the request. Treated as a failure to connect
  // (retried, redispatched) only where sending the request twice is harmless;
  // a POST that may have reached the server is answered 502 instead.
  if (/Network connection lost/i.test(text)) return IDEMPOTENT.has(method.toUpperCase()) ? 'refused' : 'reset';
  if (/ECONNRESET|reset|socket|closed/i.test(text)) return 'reset';
  return 'bad-response';
}
