/**
 * The TLS protocol versions edge-balancer's runtimes offer, oldest first, and
 * HAProxy's keywords that name one of them: shared by `bind` lines and
 * `server` lines (and their `ssl-default-*` defaults).
 */
import type { TlsVersion } from './types.ts';

/** What `ssl-min-ver`/`ssl-max-ver` accept here (SSLv3 is not offered by any runtime). */
export const TLS_VERSIONS: readonly TlsVersion[] = ['TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/** `no-tlsv12` and its kind: the version they take out of the range. */
export const NO_VERSION: Readonly<Record<string, TlsVersion>> = {
  'no-sslv3': 'SSLv3', 'no-tlsv10': 'TLSv1.0', 'no-tlsv11': 'TLSv1.1', 'no-tlsv12': 'TLSv1.2', 'no-tlsv13': 'TLSv1.3',
};

/** `force-tlsv12` and its kind: the only version allowed. */
export const FORCE_VERSION: Readonly<Record<string, TlsVersion>> = {
  'force-sslv3': 'SSLv3', 'force-tlsv10': 'TLSv1.0', 'force-tlsv11': 'TLSv1.1', 'force-tlsv12': 'TLSv1.2', 'force-tlsv13': 'TLSv1.3',
};
