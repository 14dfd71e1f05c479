/**
 * Connection errors of Node's clients (undici and node:http share the socket
 * codes) as src/'s failure kinds, which decide retries and error pages.
 */
import { UpstreamError, type UpstreamFailure } from '../../src/deps.ts';
import { isTlsHandshakeError } from './tls-connect-options.ts';

export function upstreamError(error: unknown): UpstreamError {
  return new UpstreamError(classifyUpstreamError(error), describe(error), { cause: error });
}

/** A connection error as a retry-policy failure kind: undici's codes and the plain socket ones (node:http shares them). */
export function classifyUpstreamError(error: unknown): UpstreamFailure {
  // A refused certificate, or no TLS server there: nothing was sent.
  if (isTlsHandshakeError(error)) return (error as { code?: string }).code === 'ERR_TLS_CERT_ALTNAME_INVALID' ? 'tls-name-mismatch' : 'tls-handshake';
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
