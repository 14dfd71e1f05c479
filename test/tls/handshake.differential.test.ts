/**
 * What a client sees of the TLS handshake on `bind … ssl`, on haproxy 2.6 and
 * on edge-balancer (Node): the certificate presented per SNI (a directory
 * loaded in name order, CN/SAN, a one-label wildcard, the first file as the
 * default), `strict-sni`, ALPN, and the versions refused by default.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCertificates, type TestCertificates } from './certificates.ts';
import { handshake, resumeInARow, type Handshake } from './tls-clients.ts';
import { runTlsOnBoth } from './tls-harness.ts';

let certs: TestCertificates;
beforeAll(() => {
  certs = makeCertificates();
});
afterAll(() => certs.remove());

const config = (bindOptions: string) => `defaults
    mode http
    timeout connect 5s
    timeout client 5s
    timeout server 5s
frontend web
    bind 127.0.0.1:\${TLS_PORT} ssl ${bindOptions}
    default_backend app
backend app
    server s1 127.0.0.1:\${S1}
`;

const subjects = (results: Handshake[]) => results.map((r) => (r.ok ? r.subject : 'refused'));

describe('certificate chosen by SNI', () => {
  it('a directory: each name gets its certificate, a wildcard covers one label, unknown and missing SNI get the first file', async () => {
    const names = ['a.test', 'WWW.A.TEST', 'b.test', 'x.w.test', 'w.test', 'y.x.w.test', 'unknown.test', undefined];
    const { haproxy, edge } = await runTlsOnBoth(config(`crt ${certs.certDir}`), ['s1'], async ({ tlsPort }) =>
      subjects(await Promise.all(names.map((servername) => handshake(tlsPort, servername ? { servername } : {})))),
    );
    expect(haproxy).toEqual(['a.test', 'a.test', 'b.test', '*.w.test', 'a.test', 'a.test', 'a.test', 'a.test']);
    expect(edge).toEqual(haproxy);
  });

  it('several crt files: the first is the default', async () => {
    const { haproxy, edge } = await runTlsOnBoth(config(`crt ${certs.b} crt ${certs.a} crt ${certs.wildcard}`), ['s1'], async ({ tlsPort }) =>
      subjects(await Promise.all(['a.test', 'q.w.test', 'nope.test'].map((servername) => handshake(tlsPort, { servername })))),
    );
    expect(haproxy).toEqual(['a.test', '*.w.test', 'b.test']);
    expect(edge).toEqual(haproxy);
  });

  it('a crt-list: SNI filters replace the certificate\'s own names, !name excludes one from a wildcard, the first line is the default', async () => {
    const list = join(certs.dir, 'list.txt');
    writeFileSync(list, `# certificates by name\n${certs.a}\n${certs.b} shop.test *.shop.test !old.shop.test\n\n${certs.wildcard}\n`);
    const names = ['shop.test', 'x.shop.test', 'old.shop.test', 'b.test', 'q.w.test', 'a.test', undefined];
    const { haproxy, edge } = await runTlsOnBoth(config(`crt-list ${list}`), ['s1'], async ({ tlsPort }) =>
      subjects(await Promise.all(names.map((servername) => handshake(tlsPort, servername ? { servername } : {})))),
    );
    expect(haproxy).toEqual(['b.test', 'b.test', 'a.test', 'a.test', '*.w.test', 'a.test', 'a.test']);
    expect(edge).toEqual(haproxy);
  });

  it('crt-base applies to crt and to the relative paths inside a crt-list, not to the crt-list itself', async () => {
    writeFileSync(join(certs.dir, 'relative.txt'), 'b.pem\nwildcard.pem\n');
    const text = `global\n    crt-base ${certs.dir}\n${config(`crt a.pem crt-list ${join(certs.dir, 'relative.txt')}`)}`;
    const { haproxy, edge } = await runTlsOnBoth(text, ['s1'], async ({ tlsPort }) =>
      subjects(await Promise.all(['b.test', 'z.w.test', 'nope.test'].map((servername) => handshake(tlsPort, { servername })))),
    );
    expect(haproxy).toEqual(['b.test', '*.w.test', 'a.test']);
    expect(edge).toEqual(haproxy);
  });

  it('strict-sni refuses an unknown name and a missing SNI, with a directory and with one certificate', async () => {
    const { haproxy, edge } = await runTlsOnBoth(config(`crt ${certs.certDir} strict-sni`), ['s1'], async ({ tlsPort }) =>
      subjects(await Promise.all(['b.test', 'unknown.test', undefined].map((servername) => handshake(tlsPort, servername ? { servername } : {})))),
    );
    expect(haproxy).toEqual(['b.test', 'refused', 'refused']);
    expect(edge).toEqual(haproxy);
    const single = await runTlsOnBoth(config(`crt ${certs.a} strict-sni`), ['s1'], async ({ tlsPort }) =>
      subjects(await Promise.all(['a.test', 'unknown.test', undefined].map((servername) => handshake(tlsPort, servername ? { servername } : {})))),
    );
    expect(single.haproxy).toEqual(['a.test', 'refused', 'refused']);
    expect(single.edge).toEqual(single.haproxy);
  });
});

describe('ALPN and versions', () => {
  it('alpn h2,http/1.1 picks h2 when offered, http/1.1 otherwise; no alpn option negotiates none', async () => {
    const offers = [['h2', 'http/1.1'], ['http/1.1', 'h2'], ['http/1.1'], undefined];
    const run = (options: string) =>
      runTlsOnBoth(config(options), ['s1'], async ({ tlsPort }) =>
        (await Promise.all(offers.map((alpn) => handshake(tlsPort, { servername: 'a.test', ...(alpn ? { alpn } : {}) })))).map((r) => r.alpn),
      );
    const withAlpn = await run(`crt ${certs.a} alpn h2,http/1.1`);
    expect(withAlpn.haproxy).toEqual(['h2', 'h2', 'http/1.1', false]);
    expect(withAlpn.edge).toEqual(withAlpn.haproxy);
    const without = await run(`crt ${certs.a}`);
    expect(without.haproxy).toEqual([false, false, false, false]);
    expect(without.edge).toEqual(without.haproxy);
  });

  it('a client offering only http/1.1 to an h2-only alpn list is served in HTTP/1.1 (haproxy: without ALPN; Node names http/1.1)', async () => {
    const { haproxy, edge } = await runTlsOnBoth(config(`crt ${certs.a} alpn h2`), ['s1'], async ({ tlsPort }) => {
      const result = await handshake(tlsPort, { servername: 'a.test', alpn: ['http/1.1'] });
      return { ok: result.ok, http1: result.alpn === false || result.alpn === 'http/1.1' };
    });
    expect(haproxy).toEqual({ ok: true, http1: true });
    expect(edge).toEqual(haproxy);
  });

  it('TLSv1.0 and 1.1 are refused by default, 1.2 and 1.3 accepted; ssl-min-ver TLSv1.3 refuses 1.2', async () => {
    const versions = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
    const probe = (tlsPort: number) =>
      Promise.all(versions.map(async (v) => {
        const r = await handshake(tlsPort, { servername: 'a.test', minVersion: v, maxVersion: v });
        return r.ok ? r.protocol : 'refused';
      }));
    const byDefault = await runTlsOnBoth(config(`crt ${certs.a}`), ['s1'], async ({ tlsPort }) => probe(tlsPort));
    expect(byDefault.haproxy).toEqual(['refused', 'refused', 'TLSv1.2', 'TLSv1.3']);
    expect(byDefault.edge).toEqual(byDefault.haproxy);
    const onlyLatest = await runTlsOnBoth(config(`crt ${certs.a} ssl-min-ver TLSv1.3`), ['s1'], async ({ tlsPort }) => probe(tlsPort));
    expect(onlyLatest.haproxy).toEqual(['refused', 'refused', 'refused', 'TLSv1.3']);
    expect(onlyLatest.edge).toEqual(onlyLatest.haproxy);
  });
});

describe('session resumption', () => {
  // Each resumed TLS 1.3 connection is given a fresh ticket (haproxy: OpenSSL's
  // own ticket keys), so a client that reuses its last ticket (browsers, wrk)
  // resumes every time; Node's default ticket keys give none after a
  // resumption, and every other connection was a full handshake.
  it('TLS 1.3: two tickets after a full handshake, one after each resumption, so every next connection resumes', async () => {
    const { haproxy, edge } = await runTlsOnBoth(config(`crt ${certs.a}`), ['s1'], async ({ tlsPort }) => resumeInARow(tlsPort, 4, { servername: 'a.test' }));
    expect(haproxy).toEqual([
      { reused: false, tickets: 2 },
      { reused: true, tickets: 1 },
      { reused: true, tickets: 1 },
      { reused: true, tickets: 1 },
    ]);
    expect(edge).toEqual(haproxy);
  });

  it('with certificates chosen by SNI, for the default certificate and for another one', async () => {
    const names = ['b.test', 'unknown.test', undefined];
    const { haproxy, edge } = await runTlsOnBoth(config(`crt ${certs.certDir}`), ['s1'], async ({ tlsPort }) =>
      Promise.all(names.map(async (servername) => (await resumeInARow(tlsPort, 3, servername ? { servername } : {})).map((r) => r.reused))),
    );
    expect(haproxy).toEqual([
      [false, true, true],
      [false, true, true],
      [false, true, true],
    ]);
    expect(edge).toEqual(haproxy);
  });

  it('TLS 1.2: the ticket is resumed; a TLSv1.2-only bind sends no ticket on a resumption (edge-balancer on a TLS 1.3 bind renews it)', async () => {
    const run = (options: string) => runTlsOnBoth(config(`crt ${certs.a}${options}`), ['s1'], async ({ tlsPort }) => resumeInARow(tlsPort, 3, { servername: 'a.test', maxVersion: 'TLSv1.2' }));
    const tls12only = await run(' ssl-max-ver TLSv1.2');
    expect(tls12only.haproxy).toEqual([
      { reused: false, tickets: 1 },
      { reused: true, tickets: 0 },
      { reused: true, tickets: 0 },
    ]);
    expect(tls12only.edge).toEqual(tls12only.haproxy);
    const both = await run('');
    expect(both.haproxy.map((r) => r.reused)).toEqual([false, true, true]);
    expect(both.edge.map((r) => r.reused)).toEqual(both.haproxy.map((r) => r.reused));
  });
});
