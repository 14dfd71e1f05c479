/**
 * What Deno and Workers cannot do of a server's TLS settings is said at
 * start (file, line, server, what), and the fetch-based upstream (Workers)
 * speaks https to `ssl` servers.
 */
import { describe, expect, it } from 'vitest';
import { serverTlsNotices } from '../../adapters/command/server-tls-limits.ts';
import { parseHaproxyConfig } from '../../src/config/index.ts';
import { createFetchUpstream } from '../../src/proxy/fetch-upstream.ts';
import { serverTlsFor } from '../../src/proxy/server-tls.ts';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

function configOf(...servers: string[]) {
  const text = `defaults\n    mode http\nbackend b\n${servers.map((s) => `    ${s}`).join('\n')}\n`;
  return parseHaproxyConfig([{ file: 'lb.cfg', text }], { env: {}, readFile: () => PEM }).config;
}

describe('server TLS limits per runtime', () => {
  it('Deno: verify none and protocol settings get a notice; a verified server none', () => {
    const config = configOf('server s1 10.0.0.1:443 ssl verify none', 'server s2 10.0.0.2:443 ssl ca-file /ca.pem ciphers AES256-SHA', 'server s3 10.0.0.3:443 ssl ca-file /ca.pem sni req.hdr(host)');
    const notices = serverTlsNotices(config, 'Deno');
    expect(notices).toHaveLength(2);
    expect(notices[0]).toMatch(/^lb\.cfg:4: server b\/s1: on Deno, 'verify none' still checks the certificate chain.*--unsafely-ignore-certificate-errors/);
    expect(notices[1]).toMatch(/^lb\.cfg:5: server b\/s2: on Deno, ssl-min-ver, ssl-max-ver and ciphers are not applied/);
  });

  it('Workers: verify none, ca-file, sni are the platform’s; @system-ca needs no notice', () => {
    const notices = serverTlsNotices(configOf('server s1 a.test:443 ssl verify none', 'server s2 b.test:443 ssl ca-file /ca.pem sni req.hdr(host)', 'server s3 c.test:443 ssl ca-file @system-ca'), 'Workers');
    expect(notices).toHaveLength(2);
    expect(notices[0]).toMatch(/s1: on Workers, 'verify none' cannot be honoured/);
    expect(notices[1]).toMatch(/s2: on Workers, 'ca-file' is not used.*; 'sni' is not applied/);
  });

  it('the fetch upstream asks for https:// for an ssl server, http:// otherwise', async () => {
    const urls: string[] = [];
    const upstream = createFetchUpstream(async (input) => (urls.push(String(input)), new Response('ok')));
    const [tls] = configOf('server s1 a.test:8443 ssl ca-file @system-ca').backends[0]!.servers;
    const head = { method: 'GET', target: '/x', headers: [] };
    await upstream.request({ host: 'a.test', port: 8443, close: false, tls: serverTlsFor(tls!.tls!, undefined) }, head, null, {});
    await upstream.request({ host: 'a.test', port: 8080, close: false }, head, null, {});
    expect(urls).toEqual(['https://a.test:8443/x', 'http://a.test:8080/x']);
  });
});
