/**
 * Reading the certificate files of a TLS bind (see certificate-store.ts for
 * HAProxy's rules). Every failure is a ConfigError at the `bind` line, in
 * HAProxy's words.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { createSecureContext, type SecureContext, type SecureContextOptions } from 'node:tls';
import { ConfigError } from '../../src/config/errors.ts';
import type { ConfiguredPath } from '../../src/config/types.ts';

export interface LoadedCertificate {
  readonly file: string;
  readonly context: SecureContext;
  /** The PEM text it was made of, for the listener's default context. */
  readonly pem: { readonly cert: string; readonly key: string };
  /** Lower-case names it answers for: SAN DNS names and CN, or a crt-list line's filters. */
  readonly names: readonly string[];
  /** A crt-list line's `!name` filters: names it must not answer for even by wildcard. */
  readonly excluded: readonly string[];
}

/** The files a `crt` names: itself, or a directory's certificate files in name order. */
export function pemFilesOf(configured: ConfiguredPath): string[] {
  const { path } = configured;
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch (error) {
    throw bindError(configured, `unable to stat SSL certificate from file '${path}' : ${reason(error)}`);
  }
  if (!isDirectory) return [path];
  const dir = path.replace(/\/+$/, '');
  const skipped = /\.(issuer|ocsp|sctl|key)$/;
  return readdirSync(dir)
    .filter((name) => !name.startsWith('.') && !skipped.test(name))
    .sort(byBytes)
    .map((name) => `${dir}/${name}`)
    .filter((file) => statSync(file).isFile());
}

/** alphasort() in the C locale: byte order, not the locale's. */
function byBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/** One PEM file: key, certificate and chain in any order, the first certificate the server's. */
export function loadPem(file: string, configured: ConfiguredPath, options: SecureContextOptions, filters?: { names: string[]; excluded: string[] }): LoadedCertificate {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw bindError(configured, `unable to stat SSL certificate from file '${file}' : ${reason(error)}`);
  }
  const blocks = [...text.matchAll(PEM_BLOCK)].map((m) => ({ label: m[1]!, pem: m[0] }));
  const certificates = blocks.filter((b) => b.label === 'CERTIFICATE' || b.label === 'TRUSTED CERTIFICATE').map((b) => b.pem);
  if (certificates.length === 0) throw bindError(configured, `unable to load certificate from file '${file}'`, 'no PEM CERTIFICATE block in it');
  let key = blocks.find((b) => b.label.endsWith('PRIVATE KEY'))?.pem;
  if (key === undefined) {
    try {
      key = readFileSync(`${file}.key`, 'utf8');
    } catch {
      throw bindError(configured, `unable to load SSL private key from PEM file '${file}'`, `put the key in it or in '${file}.key'`);
    }
  }
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(certificates[0]!);
    if (!leaf.checkPrivateKey(createPrivateKey(key))) {
      throw bindError(configured, `inconsistencies between private key and certificate loaded from PEM file '${file}'`, 'the first certificate must be the one the key belongs to');
    }
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw bindError(configured, `unable to load certificate from file '${file}'`, reason(error));
  }
  let context: SecureContext;
  const pem = { cert: certificates.join('\n'), key };
  try {
    context = createSecureContext({ ...options, ...pem });
  } catch (error) {
    throw bindError(configured, `unable to use certificate from file '${file}'`, reason(error));
  }
  return { file, context, pem, names: filters?.names.length ? filters.names : namesOf(leaf), excluded: filters?.excluded ?? [] };
}

/** SAN DNS names, then every CN (HAProxy indexes both). */
function namesOf(certificate: X509Certificate): string[] {
  const names = (certificate.subjectAltName ?? '')
    .split(', ')
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4));
  for (const line of certificate.subject.split('\n')) if (line.startsWith('CN=')) names.push(line.slice(3));
  return names.map((n) => n.toLowerCase());
}

export function bindError(configured: ConfiguredPath, problem: string, hint?: string): ConfigError {
  return new ConfigError({ file: configured.source.file, line: configured.source.line, directive: 'bind', problem, ...(hint ? { hint } : {}) });
}

export function reason(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e.code === 'ENOENT') return 'No such file or directory';
  if (e.code === 'EACCES') return 'Permission denied';
  return e.message ?? String(error);
}
