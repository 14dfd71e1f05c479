/**
 * Certificates for tests, made with the `openssl` command in a directory the
 * caller owns: a self-signed CA and certificates it signs. EC P-256 keys:
 * quick to make on a loaded machine.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const NEW_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function openssl(dir: string, args: readonly string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** `NAME.key` and a self-signed `NAME.pem` for `subject` (`/CN=…`), with `extra` arguments (`-addext …`). */
export function selfSigned(dir: string, name: string, subject: string, extra: readonly string[] = []): void {
  openssl(dir, ['req', '-x509', ...NEW_KEY, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', subject, ...extra]);
}

/** `NAME.key` and `NAME.pem` for `subject`, signed by `ca.pem`/`ca.key` in `dir`, with the x509 `extensions` given (one per line). */
export function signedByCa(dir: string, name: string, subject: string, extensions: string): void {
  openssl(dir, ['req', ...NEW_KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`]);
}
