/**
 * What `bind … ssl` becomes on Deno: `Deno.serve({ cert, key })`. Deno.serve
 * takes one certificate per listener, chooses none by SNI, always offers
 * `h2` and `http/1.1` by ALPN, accepts TLSv1.2 and TLSv1.3 (rustls) and has
 * no cipher settings. A bind asking for more is refused at its line, naming
 * what Deno cannot do; nothing is silently ignored. A bind without `alpn`
 * (HAProxy: HTTP/1.1 only) still gets h2 on Deno, which is logged.
 */
import { ConfigError, ConfigErrors } from '../../src/config/errors.ts';
import type { Bind, BindTls, ConfiguredPath } from '../../src/config/types.ts';
import type { Logger } from '../../src/deps.ts';

export interface DenoCertificate {
  readonly cert: string;
  readonly key: string;
}

/** The certificate of `bind` for Deno.serve, undefined for a plain bind; throws ConfigErrors. */
export function denoCertificateOf(bind: Bind, logger: Logger): DenoCertificate | undefined {
  const tls = bind.tls;
  if (!tls) return undefined;
  const refuse = (problem: string, hint = 'run this configuration on Node, or change the bind line') => {
    throw new ConfigErrors([new ConfigError({ file: tls.source.file, line: tls.source.line, directive: 'bind', problem, hint })]);
  };
  const unsupported = unsupportedOnDeno(tls);
  if (unsupported) refuse(unsupported);
  if (tls.certificateLists.length > 0 || tls.certificates.length !== 1) {
    refuse('Deno.serve takes one certificate per listener and cannot choose one by SNI (several crt or a crt-list)');
  }
  if (tls.alpn === undefined) {
    logger.warn(`${tls.source.file}:${tls.source.line}: bind without 'alpn': Deno.serve negotiates h2 and http/1.1 by ALPN anyway (HAProxy would speak HTTP/1.1 only)`);
  }
  return readCertificate(singleFile(tls.certificates[0]!, refuse), refuse);
}

function unsupportedOnDeno(tls: BindTls): string | undefined {
  if (tls.strictSni) return "'strict-sni' needs SNI selection, which Deno.serve does not do";
  if (tls.alpn && !(tls.alpn.length === 2 && tls.alpn.includes('h2') && tls.alpn.includes('http/1.1'))) {
    return `'alpn ${tls.alpn.join(',')}': Deno.serve always offers h2 and http/1.1`;
  }
  if (tls.minVersion !== 'TLSv1.2' || tls.maxVersion !== 'TLSv1.3') {
    return `TLS versions ${tls.minVersion} to ${tls.maxVersion}: Deno accepts TLSv1.2 and TLSv1.3 and cannot be told otherwise`;
  }
  const setting = tls.ciphers !== undefined ? 'ciphers' : tls.ciphersuites !== undefined ? 'ciphersuites' : tls.curves !== undefined ? 'curves' : tls.noTlsTickets ? 'no-tls-tickets' : tls.preferClientCiphers ? 'prefer-client-ciphers' : undefined;
  return setting && `'${setting}' (here or in global ssl-default-bind-*) cannot be applied by Deno.serve`;
}

/** A file, or a directory holding exactly one certificate file (HAProxy's skip rules). */
function singleFile({ path }: ConfiguredPath, refuse: (problem: string) => never): string {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch (error) {
    return refuse(`unable to stat SSL certificate from file '${path}' : ${(error as Error).message}`);
  }
  if (!info.isDirectory) return path;
  const files = [...Deno.readDirSync(path)]
    .filter((e) => e.isFile && !e.name.startsWith('.') && !/\.(issuer|ocsp|sctl|key)$/.test(e.name))
    .map((e) => `${path.replace(/\/+$/, '')}/${e.name}`);
  if (files.length !== 1) refuse(`'${path}' holds ${files.length} certificates: Deno.serve takes one per listener and cannot choose by SNI`);
  return files[0]!;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/** Key, certificate and chain in any order, as HAProxy reads a PEM; the key may be in `FILE.key`. */
function readCertificate(file: string, refuse: (problem: string, hint?: string) => never): DenoCertificate {
  let text: string;
  try {
    text = Deno.readTextFileSync(file);
  } catch (error) {
    return refuse(`unable to stat SSL certificate from file '${file}' : ${(error as Error).message}`);
  }
  const blocks = [...text.matchAll(PEM_BLOCK)];
  const cert = blocks.filter((m) => m[1] === 'CERTIFICATE').map((m) => m[0]).join('\n');
  if (cert === '') return refuse(`unable to load certificate from file '${file}'`, 'no PEM CERTIFICATE block in it');
  let key = blocks.find((m) => m[1]!.endsWith('PRIVATE KEY'))?.[0];
  if (key === undefined) {
    try {
      key = Deno.readTextFileSync(`${file}.key`);
    } catch {
      return refuse(`unable to load SSL private key from PEM file '${file}'`, `put the key in it or in '${file}.key'`);
    }
  }
  return { cert, key };
}
