/**
 * A server's TLS settings as Node's `tls.connect` options, for the undici
 * pools, the upgrade path and the health probe alike. HAProxy 2.6's
 * verification: with `verify required` the chain must lead to `ca-file`, and
 * the certificate's names are checked against the SNI sent, else
 * `verifyhost`, else not at all.
 */
import { checkServerIdentity, DEFAULT_CIPHERS, type ConnectionOptions, type PeerCertificate, type SecureVersion } from 'node:tls';
import type { TlsVersion } from '../../src/config/types.ts';
import type { UpstreamTls } from '../../src/deps.ts';

/** HAProxy's version names as Node's (the config refuses SSLv3 for servers). */
const NODE_VERSION: Record<TlsVersion, SecureVersion> = { SSLv3: 'TLSv1', 'TLSv1.0': 'TLSv1', 'TLSv1.1': 'TLSv1.1', 'TLSv1.2': 'TLSv1.2', 'TLSv1.3': 'TLSv1.3' };

const TLS13_SUITES = DEFAULT_CIPHERS.split(':').filter((c) => c.startsWith('TLS_')).join(':');
const TLS12_CIPHERS = DEFAULT_CIPHERS.split(':').filter((c) => !c.startsWith('TLS_')).join(':');

export function tlsConnectOptions({ settings, servername }: UpstreamTls): ConnectionOptions {
  const name = servername ?? settings.verifyHost;
  return {
    rejectUnauthorized: settings.verify,
    ...(settings.ca !== undefined ? { ca: settings.ca } : {}),
    ...(settings.crt !== undefined ? { cert: settings.crt, key: settings.crt } : {}),
    ...(servername !== undefined ? { servername } : {}),
    checkServerIdentity: (_host: string, certificate: PeerCertificate) => (name === undefined ? undefined : checkServerIdentity(name, certificate)),
    ...(settings.alpn ? { ALPNProtocols: [...settings.alpn] } : {}),
    ...(settings.minVersion ? { minVersion: NODE_VERSION[settings.minVersion] } : {}),
    ...(settings.maxVersion ? { maxVersion: NODE_VERSION[settings.maxVersion] } : {}),
    ...ciphersOf(settings.ciphers, settings.ciphersuites),
  };
}

/**
 * Node takes both lists in one string, and caps the connection at TLS 1.2
 * when it holds no TLS 1.3 suite; HAProxy's `ciphers` leaves TLS 1.3 alone.
 */
function ciphersOf(ciphers: string | undefined, suites: string | undefined): { ciphers?: string } {
  if (ciphers === undefined && suites === undefined) return {};
  return { ciphers: `${ciphers ?? TLS12_CIPHERS}:${suites ?? TLS13_SUITES}` };
}

/** OpenSSL's certificate verdicts and Node's TLS errors: the handshake did not complete. */
const HANDSHAKE_CODES = /^(ERR_SSL_|ERR_TLS_|UNABLE_TO_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|INVALID_CA$|HOSTNAME_MISMATCH$)/;

export function isTlsHandshakeError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && HANDSHAKE_CODES.test(code);
}
