/**
 * `option httpchk [METHOD] [URI]`: a layer-7 check over the same Upstream the
 * proxy uses. 2xx and 3xx pass unless `http-check expect status N` narrows it.
 */
import type { HttpCheck } from '../config/types.ts';
import { UpstreamError, type Clock, type Upstream, type UpstreamTls } from '../deps.ts';
import type { CheckResult } from './types.ts';

export async function probeHttp(
  upstream: Upstream,
  clock: Clock,
  target: { host: string; port: number; tls?: UpstreamTls },
  check: HttpCheck,
  timeouts: { connect: number; read: number },
): Promise<CheckResult> {
  const started = clock.now();
  const durationMs = () => clock.now() - started;
  try {
    const response = await upstream.request(
      { host: target.host, port: target.port, close: true, ...(target.tls ? { tls: target.tls } : {}) },
      { method: check.method, target: check.uri, headers: check.headers?.map(([n, v]) => [n, v] as [string, string]) ?? [] },
      null,
      { connectTimeout: timeouts.connect, serverTimeout: timeouts.read },
    );
    await response.body?.cancel().catch(() => {});
    const ok =
      check.expectStatus === undefined ? response.status >= 200 && response.status < 400 : response.status === check.expectStatus;
    return { ok, status: ok ? 'L7OK' : 'L7STS', code: response.status, durationMs: durationMs() };
  } catch (error) {
    const failure = error instanceof UpstreamError ? error.failure : 'bad-response';
    const info = error instanceof Error ? error.message : String(error);
    switch (failure) {
      case 'refused':
        return { ok: false, status: 'L4CON', info: 'Connection refused', durationMs: durationMs() };
      case 'connect-timeout':
        return { ok: false, status: 'L4TOUT', info: 'Connection timeout', durationMs: durationMs() };
      case 'tls-handshake':
      case 'tls-name-mismatch':
        // HAProxy 2.6 reports a refused certificate and a plain-HTTP server
        // behind `ssl` alike: L6RSP, "SSL handshake failure".
        return { ok: false, status: 'L6RSP', info: 'SSL handshake failure', durationMs: durationMs() };
      case 'timeout':
        return { ok: false, status: 'L7TOUT', durationMs: durationMs() };
      default:
        return { ok: false, status: 'L7RSP', info, durationMs: durationMs() };
    }
  }
}
