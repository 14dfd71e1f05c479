/**
 * A server connection over TLS on Deno: TCP with `Deno.connect`, then
 * `Deno.startTls`, whose `hostname` is both the SNI and the name checked, so
 * `sni`'s value can differ from the address as on haproxy. What Deno cannot
 * do (README, "HTTPS to servers"): skip the chain check (`verify none` needs
 * `--unsafely-ignore-certificate-errors`), choose versions or ciphers, send
 * no SNI for a host name, and use `sni` together with a client certificate
 * (only `Deno.connectTls` takes one, and it names the address).
 */
import { UpstreamError, type UpstreamTls } from '../../src/deps.ts';

export async function connectTlsTo(host: string, port: number, { settings, servername }: UpstreamTls, signal: AbortSignal | undefined): Promise<Deno.TlsConn> {
  // haproxy checks names against the SNI, else `verifyhost`, else not at all.
  const name = servername ?? settings.verifyHost;
  const options = {
    ...(settings.ca !== undefined ? { caCerts: [settings.ca] } : {}),
    ...(settings.alpn ? { alpnProtocols: [...settings.alpn] } : {}),
    unsafelyDisableHostnameVerification: name === undefined || !settings.verify,
  };
  let connection: Deno.TlsConn;
  if (settings.crt !== undefined) {
    connection = await Deno.connectTls({ hostname: host, port, ...options, ...clientCertificate(settings.crt) });
  } else {
    const tcp = await Deno.connect({ hostname: host, port, signal });
    connection = await Deno.startTls(tcp, { hostname: name ?? host, ...options });
  }
  try {
    await abortable(connection.handshake(), signal);
  } catch (error) {
    connection.close();
    if (signal?.aborted) throw error;
    const failure = /NotValidForName|not valid for/i.test(String(error)) ? 'tls-name-mismatch' : 'tls-handshake';
    throw new UpstreamError(failure, `TLS handshake with ${host}:${port}: ${String(error)}`, { cause: error });
  }
  return connection;
}

/** haproxy's `crt` PEM holds the certificate(s) and the key; Deno wants them apart. */
function clientCertificate(pem: string): { cert: string; key: string } {
  const blocks = pem.match(/-----BEGIN ([A-Z ]+)-----[\s\S]*?-----END \1-----/g) ?? [];
  return { cert: blocks.filter((b) => b.includes('CERTIFICATE-----')).join('\n'), key: blocks.find((b) => b.includes('PRIVATE KEY-----')) ?? '' };
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
