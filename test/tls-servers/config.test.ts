/**
 * The TLS keywords of `server`/`default-server` and the `global` server TLS
 * defaults, read as haproxy 2.6.12 reads them (each verdict below was seen
 * with `haproxy -c`): `verify required` is the default and needs a
 * `ca-file`; files are read at load, and a missing or broken one is an error
 * naming the file and line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseHaproxyConfig, type ParsedConfig } from '../../src/config/index.ts';
import type { Server } from '../../src/config/types.ts';
import { errorOf } from '../config/helpers.ts';
import { makeCertificates, type TestCertificates } from './tls-fixtures.ts';

let certs: TestCertificates;
beforeAll(() => {
  certs = makeCertificates();
});
afterAll(() => certs.remove());

const readFile = (path: string) => readFileSync(path, 'utf8');

function configWith(global: string, ...lines: string[]): string {
  return `global\n${global}\ndefaults\n    mode http\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\nbackend b\n${lines.map((l) => `    ${l}`).join('\n')}\n`;
}

function parsed(global: string, ...lines: string[]): ParsedConfig {
  return parseHaproxyConfig([{ file: 'haproxy.cfg', text: configWith(global, ...lines) }], { env: {}, readFile });
}

function servers(global: string, ...lines: string[]): readonly Server[] {
  return parsed(global, ...lines).config.backends[0]!.servers;
}

describe('server TLS keywords', () => {
  it('ssl verify required ca-file: TLS for traffic and for the check, the CA read at load', () => {
    const [s] = servers('', `server s1 127.0.0.1:8443 ssl verify required ca-file ${certs.path('ca.pem')} check`);
    expect(s!.tls).toMatchObject({ verify: true, caFile: certs.path('ca.pem'), ca: certs.read('ca.pem') });
    expect(s!.check!.tls).toBe(s!.tls);
  });

  it('`ssl` without verify and without ca-file is refused, as haproxy 2.6 does at start-up', () => {
    const error = errorOf(configWith('', 'server s1 127.0.0.1:8443 ssl'), { readFile });
    expect(error).toMatchObject({ file: 'haproxy.cfg', line: 9, directive: 'server' });
    expect(error.message).toMatch(/'b\/s1': verify is enabled by default but no CA file specified/);
    expect(error.message).toMatch(/verify none/);
  });

  it("global 'ssl-server-verify none' makes verify none the default; 'verify required' still needs a CA", () => {
    expect(servers('    ssl-server-verify none', 'server s1 127.0.0.1:8443 ssl')[0]!.tls).toMatchObject({ verify: false });
    expect(errorOf(configWith('    ssl-server-verify none', 'server s1 127.0.0.1:8443 ssl verify required'), { readFile }).message).toMatch(/no CA file/);
    expect(errorOf(configWith('    ssl-server-verify maybe', 'server s1 127.0.0.1:8443'), { readFile }).message).toMatch(/expects 'none' or 'required'/);
  });

  it('a missing ca-file names the file and the line', () => {
    const error = errorOf(configWith('', 'server s1 127.0.0.1:8443 ssl ca-file /nonexistent/ca.pem'), { readFile });
    expect(error).toMatchObject({ file: 'haproxy.cfg', line: 9 });
    expect(error.message).toMatch(/couldn't open the ca-file '\/nonexistent\/ca\.pem' \(No such file or directory\)/);
  });

  it('a ca-file without certificates is refused (haproxy: "no certificate or crl found")', () => {
    const error = errorOf(configWith('', `server s1 127.0.0.1:8443 ssl ca-file ${certs.path('server.ext')}`), { readFile });
    expect(error.message).toMatch(/no certificate or crl found/);
  });

  it('crt: the client certificate and its key, read at load; a file without a key is refused', () => {
    const [s] = servers('', `server s1 127.0.0.1:8443 ssl verify none crt ${certs.path('client-bundle.pem')}`);
    expect(s!.tls!.crt).toBe(certs.read('client-bundle.pem'));
    expect(errorOf(configWith('', `server s1 127.0.0.1:8443 ssl verify none crt ${certs.path('ca.pem')}`), { readFile }).message).toMatch(/no private key/);
  });

  it('ca-base and crt-base prefix relative paths', () => {
    const [s] = servers(`    ca-base ${certs.dir}\n    crt-base ${certs.dir}`, 'server s1 127.0.0.1:8443 ssl ca-file ca.pem crt client-bundle.pem');
    expect(s!.tls).toMatchObject({ caFile: certs.path('ca.pem'), crtFile: certs.path('client-bundle.pem') });
  });

  it('default-server ssl verify none applies to every server; no-ssl cancels it for one', () => {
    const list = servers('', 'default-server ssl verify none', 'server s1 127.0.0.1:8443', 'server s2 127.0.0.1:8444', 'server s3 127.0.0.1:8080 no-ssl');
    expect(list.map((s) => s.tls?.verify)).toEqual([false, false, undefined]);
  });

  it('checks go over TLS with ssl unless port/addr moves them; check-ssl forces it; no-check-ssl stops it', () => {
    const list = servers(
      '',
      'default-server verify none check',
      'server s1 127.0.0.1:8443 ssl',
      'server s2 127.0.0.1:8443 ssl port 8080',
      'server s3 127.0.0.1:8443 ssl port 8443 check-ssl',
      'server s4 127.0.0.1:8080 check-ssl',
      'server s5 127.0.0.1:8443 ssl no-check-ssl',
    );
    expect(list.map((s) => [s.tls !== undefined, s.check!.tls !== undefined])).toEqual([
      [true, true],
      [true, false],
      [true, true],
      [false, true],
      [true, false],
    ]);
  });

  it('sni is a sample expression; check-sni and verifyhost are names', () => {
    const [s] = servers('', 'server s1 127.0.0.1:8443 ssl verify none sni req.hdr(host),lower check-sni app.test verifyhost app.test');
    expect(s!.tls!.sni!.text).toBe('req.hdr(host),lower');
    expect(s!.tls).toMatchObject({ checkSni: 'app.test', verifyHost: 'app.test' });
    expect(errorOf(configWith('', 'server s1 127.0.0.1:8443 ssl verify none sni foo(bar)'), { readFile }).message).toMatch(/sni expression.*unknown fetch method 'foo'/);
    expect(errorOf(configWith('', 'server s1 127.0.0.1:8443 ssl verify none sni'), { readFile }).message).toMatch(/missing sni expression/);
  });

  it('an unknown keyword gets the nearest valid one', () => {
    const error = errorOf(configWith('', 'server s1 127.0.0.1:8443 ssl verfy none'), { readFile });
    expect(error.message).toMatch(/unknown or unsupported keyword 'verfy'; did you mean 'verify'\?/);
    expect(errorOf(configWith('', 'server s1 127.0.0.1:8443 ssl verify maybe'), { readFile }).message).toMatch(/unknown verify method 'maybe'/);
    expect(errorOf(configWith('', 'server s1 127.0.0.1:8443 ssl verify none ssl-min-ver TLSv1.4'), { readFile }).message).toMatch(/unknown ssl\/tls version/);
  });

  it('versions and ciphers, from ssl-default-server-options or the line', () => {
    const [s1, s2] = servers(
      '    ssl-default-server-options ssl-min-ver TLSv1.2 no-tls-tickets\n    ssl-default-server-ciphers ECDHE-ECDSA-AES128-GCM-SHA256',
      'server s1 127.0.0.1:8443 ssl verify none',
      'server s2 127.0.0.1:8443 ssl verify none ssl-max-ver TLSv1.2 ciphers AES256-SHA',
    );
    expect(s1!.tls).toMatchObject({ minVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' });
    expect(s2!.tls).toMatchObject({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: 'AES256-SHA' });
  });

  it('alpn: HTTP/1.1 only; h2 alone is refused, h2 among others gets a notice', () => {
    expect(errorOf(configWith('', 'server s1 127.0.0.1:8443 ssl verify none alpn h2'), { readFile }).message).toMatch(/speaks HTTP\/1\.1 to servers/);
    const result = parsed('', 'server s1 127.0.0.1:8443 ssl verify none alpn h2,http/1.1');
    expect(result.config.backends[0]!.servers[0]!.tls!.alpn).toEqual(['http/1.1']);
    expect(result.notices.join('\n')).toMatch(/only http\/1\.1 is offered/);
  });
});
