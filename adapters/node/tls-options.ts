/**
 * A TLS bind's settings (`ssl-min-ver`, `ciphers`, `no-tls-tickets`…) as
 * Node's TLS options: the same for the listener's default context and for the
 * context of each certificate chosen by SNI.
 */
import { constants } from 'node:crypto';
import { DEFAULT_CIPHERS, type SecureContextOptions, type SecureVersion } from 'node:tls';
import type { BindTls, TlsVersion } from '../../src/config/types.ts';

const NODE_VERSION: Record<TlsVersion, SecureVersion | undefined> = {
  SSLv3: undefined,
  'TLSv1.0': 'TLSv1',
  'TLSv1.1': 'TLSv1.1',
  'TLSv1.2': 'TLSv1.2',
  'TLSv1.3': 'TLSv1.3',
};

export function secureContextOptions(tls: BindTls): SecureContextOptions {
  return {
    minVersion: NODE_VERSION[tls.minVersion] ?? 'TLSv1',
    maxVersion: NODE_VERSION[tls.maxVersion] ?? 'TLSv1.3',
    ...(tls.ciphers !== undefined || tls.ciphersuites !== undefined ? { ciphers: cipherString(tls) } : {}),
    ...(tls.curves !== undefined ? { ecdhCurve: tls.curves } : {}),
    // HAProxy sets SSL_OP_CIPHER_SERVER_PREFERENCE unless `prefer-client-ciphers`.
    honorCipherOrder: !tls.preferClientCiphers,
    ...(tls.noTlsTickets ? { secureOptions: constants.SSL_OP_NO_TICKET } : {}),
  };
}

/**
 * Node takes TLSv1.3 suites (`TLS_…`) and older ciphers in one `ciphers`
 * string; the half the bind leaves unset keeps Node's default.
 */
function cipherString({ ciphers, ciphersuites }: BindTls): string {
  const defaults = DEFAULT_CIPHERS.split(':');
  const suites = ciphersuites ?? defaults.filter((c) => c.startsWith('TLS_')).join(':');
  const older = ciphers ?? defaults.filter((c) => !c.startsWith('TLS_')).join(':');
  return [suites, older].filter((part) => part !== '').join(':');
}

/**
 * The protocol ALPN selects: the first of the bind's `alpn` list the client
 * offers (OpenSSL's server-preference order, as in HAProxy). When none is,
 * HAProxy goes on without ALPN (HTTP/1.1), but Node can only refuse the
 * handshake or name a protocol: a client that offers `http/1.1` gets it, so
 * the connection goes on in HTTP/1.1 as on HAProxy; any other is refused.
 */
export function selectAlpn(configured: readonly string[], offered: readonly string[]): string | undefined {
  return configured.find((protocol) => offered.includes(protocol)) ?? (offered.includes('http/1.1') ? 'http/1.1' : undefined);
}
