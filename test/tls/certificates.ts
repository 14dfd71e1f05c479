/**
 * Certificates made by the test with the `openssl` CLI into a temporary
 * directory: a CA, `a.test`, `b.test` and `*.w.test` signed by it, and a
 * directory holding all three (plus files HAProxy skips), as a `crt DIR`.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selfSigned, signedByCa } from '../helpers/test-ca.ts';

export interface TestCertificates {
  readonly dir: string;
  /** The CA certificate (PEM), for clients that verify. */
  readonly ca: string;
  /** `a.test` (key first, then the certificate and the CA as its chain), `b.test`, `*.w.test`. */
  readonly a: string;
  readonly b: string;
  readonly wildcard: string;
  /** A directory: 10-a.pem, 20-b.pem, 30-wild.pem, and `.hidden.pem`, `10-a.pem.ocsp` HAProxy skips. */
  readonly certDir: string;
  remove(): void;
}

/** A key and a certificate for `names` (first is the CN) signed by the CA in `dir`. */
function issue(dir: string, base: string, names: readonly string[]): { key: string; cert: string } {
  signedByCa(dir, base, `/CN=${names[0]}`, `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}\n`);
  return { key: readFileSync(join(dir, `${base}.key`), 'utf8'), cert: readFileSync(join(dir, `${base}.pem`), 'utf8') };
}

export function makeCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'edge-balancer-tls-'));
  selfSigned(dir, 'ca', '/CN=edge-balancer test CA');
  const ca = readFileSync(join(dir, 'ca.pem'), 'utf8');
  const a = issue(dir, 'a', ['a.test', 'www.a.test']);
  const b = issue(dir, 'b', ['b.test']);
  const w = issue(dir, 'w', ['*.w.test']);
  const files = {
    // Key, certificate and chain in any order: HAProxy takes the key from anywhere and the first certificate as the server's.
    a: a.key + a.cert + ca,
    b: b.cert + b.key,
    wildcard: w.cert + w.key,
  };
  const certDir = join(dir, 'certs');
  mkdirSync(certDir);
  writeFileSync(join(certDir, '10-a.pem'), files.a);
  writeFileSync(join(certDir, '20-b.pem'), files.b);
  writeFileSync(join(certDir, '30-wild.pem'), files.wildcard);
  writeFileSync(join(certDir, '.hidden.pem'), 'not a certificate');
  writeFileSync(join(certDir, '10-a.pem.ocsp'), 'not a certificate');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, `${name}.pem`), text);
  return {
    dir,
    ca,
    a: join(dir, 'a.pem'),
    b: join(dir, 'b.pem'),
    wildcard: join(dir, 'wildcard.pem'),
    certDir,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
