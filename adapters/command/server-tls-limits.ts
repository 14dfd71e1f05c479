/**
 * What a runtime cannot do of a server's TLS settings (HTTPS to servers),
 * said once at start rather than changed silently. Node applies them all
 * (adapters/node/tls-connect-options.ts); Deno connects with
 * `Deno.startTls`/`Deno.connectTls` (rustls), Workers with the platform's
 * fetch, which verifies every certificate against public roots.
 */
import type { Config, Server, ServerTls } from '../../src/config/types.ts';

export type TlsRuntime = 'Deno' | 'Workers';

export function serverTlsNotices(config: Config, runtime: TlsRuntime): string[] {
  const notices: string[] = [];
  for (const backend of config.backends) {
    for (const server of backend.servers) {
      const tls = server.tls ?? server.check?.tls;
      if (!tls) continue;
      const limits = runtime === 'Deno' ? denoLimits(tls) : workersLimits(tls);
      if (limits.length > 0) notices.push(`${where(server)}server ${backend.name}/${server.name}: on ${runtime}, ${limits.join('; ')}`);
    }
  }
  return notices;
}

const where = (server: Server) => `${server.source.file}:${server.source.line}: `;
const protocolSet = (tls: ServerTls) => tls.minVersion ?? tls.maxVersion ?? tls.ciphers ?? tls.ciphersuites;

function denoLimits(tls: ServerTls): string[] {
  return [
    ...(!tls.verify ? ["'verify none' still checks the certificate chain (Deno has no per-connection switch): run deno with --unsafely-ignore-certificate-errors=HOST for such a server"] : []),
    ...(protocolSet(tls) !== undefined ? ['ssl-min-ver, ssl-max-ver and ciphers are not applied (rustls offers TLS 1.2 and 1.3 with its own suites)'] : []),
    ...(tls.crt !== undefined && tls.sni ? ["'sni' is not sent with a client certificate (Deno.connectTls names the address)"] : []),
  ];
}

function workersLimits(tls: ServerTls): string[] {
  return [
    ...(!tls.verify ? ["'verify none' cannot be honoured: fetch verifies every certificate, so the server needs one from a public CA"] : []),
    ...(tls.caFile !== undefined && tls.caFile !== '@system-ca' ? ["'ca-file' is not used: certificates are verified against the platform's public roots"] : []),
    ...(tls.crt !== undefined ? ["'crt' is not sent (no client certificate on fetch)"] : []),
    ...(tls.sni ? ["'sni' is not applied: the SNI is the server's address"] : []),
    ...(protocolSet(tls) !== undefined || tls.alpn ? ['ssl-min-ver, ssl-max-ver, ciphers and alpn are the platform\'s'] : []),
  ];
}
