/**
 * The certificates of one TLS bind, loaded as HAProxy 2.6 loads them:
 * - a PEM file holds the key, the certificate and its chain in any order; the
 *   first certificate is the server's, the others its chain. Without a key,
 *   `FILE.key` next to it is tried (HAProxy's `ssl-load-extra-files` default).
 * - a directory loads its regular files in name order, skipping names that
 *   begin with '.' and the `.issuer`, `.ocsp`, `.sctl` and `.key` files.
 * - a `crt-list` names one PEM per line, with optional SNI filters.
 * A certificate answers for its SAN DNS names and its CN; an exact name wins
 * over a wildcard, and `*.example.com` covers one label (`a.example.com`,
 * not `example.com` nor `a.b.example.com`). The first certificate loaded is
 * the default for clients whose SNI matches none (unless `strict-sni`).
 * A file that cannot be used is a configuration error at the `bind` line.
 */
import { readFileSync } from 'node:fs';
import type { SecureContext, SecureContextOptions } from 'node:tls';
import { withBase } from '../../src/config/bind-options.ts';
import type { BindTls, ConfiguredPath } from '../../src/config/types.ts';
import { bindError, loadPem, pemFilesOf, reason, type LoadedCertificate } from './certificate-files.ts';
import { secureContextOptions } from './tls-options.ts';

export class CertificateStore {
  readonly #certificates: readonly LoadedCertificate[];

  constructor(certificates: readonly LoadedCertificate[]) {
    this.#certificates = certificates;
  }

  /** The files loaded, in order (the first is the default certificate). */
  get files(): readonly string[] {
    return this.#certificates.map((c) => c.file);
  }

  /** Every certificate's context, the default's first. */
  get contexts(): readonly SecureContext[] {
    return this.#certificates.map((c) => c.context);
  }

  get defaultContext(): SecureContext | undefined {
    return this.#certificates[0]?.context;
  }

  /** The default certificate's PEM (`cert`, `key`), as node:tls server options take it. */
  get defaultCertificate(): { readonly cert: string; readonly key: string } | undefined {
    return this.#certificates[0]?.pem;
  }

  /** The certificate for `servername`: an exact name first, then a wildcard covering its first label. */
  select(servername: string): SecureContext | undefined {
    const name = servername.toLowerCase();
    const exact = this.#certificates.find((c) => c.names.includes(name));
    if (exact) return exact.context;
    const dot = name.indexOf('.');
    if (dot <= 0) return undefined;
    const wildcard = `*${name.slice(dot)}`;
    return this.#certificates.find((c) => c.names.includes(wildcard) && !c.excluded.includes(name))?.context;
  }
}

/** Loads every certificate `tls` names; throws the ConfigError of the first unusable one. */
export function loadCertificateStore(tls: BindTls): CertificateStore {
  const options = secureContextOptions(tls);
  const loaded: LoadedCertificate[] = [];
  for (const configured of tls.certificates) {
    for (const file of pemFilesOf(configured)) loaded.push(loadPem(file, configured, options));
  }
  for (const list of tls.certificateLists) loaded.push(...loadCertificateList(list, options, tls.crtBase));
  return new CertificateStore(loaded);
}

/**
 * `crt-list FILE`: `PEM [name…] [!name…]` per line, `#` comments. The
 * `[ssl options]` part of a line is refused (per-certificate settings are
 * not supported), never half-applied.
 */
function loadCertificateList(list: ConfiguredPath, options: SecureContextOptions, crtBase: string | undefined): LoadedCertificate[] {
  let text: string;
  try {
    text = readFileSync(list.path, 'utf8');
  } catch (error) {
    throw bindError(list, `unable to open crt-list '${list.path}' : ${reason(error)}`);
  }
  const loaded: LoadedCertificate[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    const where = `${list.path}:${index + 1}`;
    if (line.includes('[')) throw bindError(list, `crt-list '${where}': per-certificate [ssl options] are not supported by edge-balancer`, 'put the options on the bind line');
    const [pem, ...filters] = line.split(/\s+/) as [string, ...string[]];
    const names = filters.filter((f) => !f.startsWith('!')).map((f) => f.toLowerCase());
    const excluded = filters.filter((f) => f.startsWith('!')).map((f) => f.slice(1).toLowerCase());
    for (const file of pemFilesOf({ path: withBase(pem, crtBase), source: list.source })) {
      loaded.push(loadPem(file, list, options, { names, excluded }));
    }
  });
  return loaded;
}
