/**
 * `bind … ssl crt …` and `global ssl-default-bind-*` / `crt-base` as the
 * parser reads them (HAProxy 2.6's rules; each case checked with `haproxy -c`).
 * No file is read here: the adapter loads certificates (certificate-store.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULTS, errorOf, parse } from '../config/helpers.ts';

function frontendWith(bindLine: string, global = ''): string {
  return `${global ? `global\n${global}\n` : ''}${DEFAULTS}frontend web
    ${bindLine}
    default_backend app
backend app
    server s1 127.0.0.1:8081
`;
}

function tlsOf(bindLine: string, global = '') {
  return parse(frontendWith(bindLine, global)).config.frontends[0]!.binds[0]!.tls;
}

describe('bind ssl options', () => {
  it('records the certificate paths with the bind line, TLSv1.2 as the default minimum and no ALPN', () => {
    const tls = tlsOf('bind :443 ssl crt /etc/certs/a.pem crt /etc/certs/dir');
    expect(tls).toEqual({
      certificates: [
        { path: '/etc/certs/a.pem', source: { file: 'haproxy.cfg', line: 7 } },
        { path: '/etc/certs/dir', source: { file: 'haproxy.cfg', line: 7 } },
      ],
      certificateLists: [],
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.3',
      strictSni: false,
      noTlsTickets: false,
      preferClientCiphers: false,
      source: { file: 'haproxy.cfg', line: 7 },
    });
  });

  it('reads alpn, versions, ciphers, strict-sni and name', () => {
    const parsed = parse(frontendWith('bind :443 ssl crt a.pem alpn h2,http/1.1 ssl-min-ver TLSv1.3 ciphersuites TLS_AES_128_GCM_SHA256 strict-sni name https'));
    const bind = parsed.config.frontends[0]!.binds[0]!;
    expect(bind.name).toBe('https');
    expect(bind.tls).toMatchObject({ alpn: ['h2', 'http/1.1'], minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', ciphersuites: 'TLS_AES_128_GCM_SHA256', strictSni: true });
  });

  it('no-tlsvXX flags narrow the range from both ends', () => {
    expect(tlsOf('bind :443 ssl crt a.pem no-tlsv13')).toMatchObject({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
    expect(tlsOf('bind :443 ssl crt a.pem ssl-min-ver TLSv1.0 no-tlsv10')).toMatchObject({ minVersion: 'TLSv1.1', maxVersion: 'TLSv1.3' });
    expect(tlsOf('bind :443 ssl crt a.pem force-tlsv12')).toMatchObject({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
  });

  it('ssl-max-ver below the default minimum lowers the minimum, with a notice (HAProxy: "Ambiguous configuration")', () => {
    const parsed = parse(frontendWith('bind :443 ssl crt a.pem ssl-max-ver TLSv1.1'));
    expect(parsed.config.frontends[0]!.binds[0]!.tls).toMatchObject({ minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1' });
    expect(parsed.notices.some((n) => n.includes('ssl-max-ver TLSv1.1 is lower than the default ssl-min-ver'))).toBe(true);
  });

  it('a bind without ssl stays plain even with crt (as HAProxy), and says so', () => {
    const parsed = parse(frontendWith('bind :8080 crt a.pem'));
    expect(parsed.config.frontends[0]!.binds[0]!.tls).toBeUndefined();
    expect(parsed.notices.some((n) => n.includes("'crt' without 'ssl'"))).toBe(true);
  });

  it('an address list gives every address the same TLS settings', () => {
    const binds = parse(frontendWith('bind 127.0.0.1:8443,127.0.0.1:9443 ssl crt a.pem')).config.frontends[0]!.binds;
    expect(binds.map((b) => [b.port, b.tls?.certificates[0]?.path])).toEqual([[8443, 'a.pem'], [9443, 'a.pem']]);
  });
});

describe('global TLS defaults', () => {
  it('crt-base prefixes relative crt paths, not absolute ones nor the crt-list file (it is kept for the paths inside)', () => {
    const tls = tlsOf('bind :443 ssl crt site.pem crt /abs/other.pem crt-list list.txt', '    crt-base /etc/haproxy/certs/');
    expect(tls!.certificates.map((c) => c.path)).toEqual(['/etc/haproxy/certs/site.pem', '/abs/other.pem']);
    expect(tls!.certificateLists.map((c) => c.path)).toEqual(['list.txt']);
    expect(tls!.crtBase).toBe('/etc/haproxy/certs/');
  });

  it('ssl-default-bind-options and -ciphers apply; the bind overrides them', () => {
    const global = '    ssl-default-bind-options ssl-min-ver TLSv1.3 no-tls-tickets\n    ssl-default-bind-ciphers ECDHE-RSA-AES128-GCM-SHA256';
    expect(tlsOf('bind :443 ssl crt a.pem', global)).toMatchObject({ minVersion: 'TLSv1.3', noTlsTickets: true, ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' });
    expect(tlsOf('bind :443 ssl crt a.pem ssl-min-ver TLSv1.2 ciphers AES256-SHA', global)).toMatchObject({ minVersion: 'TLSv1.2', ciphers: 'AES256-SHA' });
  });

  it('ssl-default-bind-options refuses what HAProxy does not take there, with the nearest word', () => {
    const error = errorOf(frontendWith('bind :443 ssl crt a.pem', '    ssl-default-bind-options no-tlsv10 no-tls-tiquets'));
    expect(error.message).toMatch(/haproxy\.cfg:2: 'ssl-default-bind-options': 'no-tls-tiquets' is not allowed here; did you mean 'no-tls-tickets'\?/);
  });
});
