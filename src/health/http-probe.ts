/**
 * `option httpchk [METHOD] [URI]`: a layer-7 check over the same Upstream the
 * proxy uses. What the answer means is check-expectation.ts's.
 */
import type { HttpCheck } from '../config/types.ts';
import { UpstreamError, type Clock, type Upstream, type UpstreamTls } from '../deps.ts';
import { CHECK_BODY_LIMIT, checkReadsBody, judgeCheckResponse } from './check-expectation.ts';
import type { CheckResult } from './types.ts';

export async function probeHttp(
  upstream: Upstream,
  clock: Clock,
  target: { host: string; port: number; tls?: UpstreamTls },
  check: HttpCheck,
  timeouts: { connect: number; read: number },
  /** UP or NOLB, not DOWN: `disable-on-404` applies only then. */
  serverRunning = true,
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
    const body = checkReadsBody(check) ? await readBodyStart(response.body) : (await response.body?.cancel().catch(() => {}), '');
    const verdict = judgeCheckResponse(check, { status: response.status, headers: response.headers, body }, serverRunning);
    return { ...verdict, durationMs: durationMs() };
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

/** Up to CHECK_BODY_LIMIT bytes of the body, then the rest is dropped. */
async function readBodyStart(body: ReadableStream<Uint8Array> | null): Promise<string> {
  if (!body) return '';
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < CHECK_BODY_LIMIT) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  const bytes = new Uint8Array(Math.min(size, CHECK_BODY_LIMIT));
  let offset = 0;
  for (const chunk of chunks) {
    const part = chunk.subarray(0, bytes.length - offset);
    bytes.set(part, offset);
    offset += part.byteLength;
  }
  return new TextDecoder().decode(bytes);
}
