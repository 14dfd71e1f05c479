/**
 * `bind … ssl` on Deno (the real CLI): one certificate through Deno.serve,
 * HTTPS/1.1 and h2, `ssl_fc` in rules; what Deno cannot do (several
 * certificates chosen by SNI, strict-sni, other TLS versions) is refused at
 * the bind line with the reason.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoBackend, type EchoBackend, type EchoReply } from '../helpers/echo-backend.ts';
import { denoExecutable, startDenoBalancer } from '../helpers/deno.ts';
import { freePort } from '../helpers/ports.ts';
import { makeCertificates, type TestCertificates } from './certificates.ts';
import { http2Request, http2Session, httpsGet } from './tls-clients.ts';

let certs: TestCertificates;
let backend: EchoBackend;
beforeAll(async () => {
  certs = makeCertificates();
  backend = await startEchoBackend('s1');
});
afterAll(async () => {
  await backend.close();
  certs.remove();
});

const config = (port: number, bindOptions: string) => `defaults
    mode http
    timeout connect 5s
    timeout client 5s
    timeout server 5s
frontend web
    bind 127.0.0.1:${port} ssl ${bindOptions}
    http-request set-header X-Forwarded-Proto https if { ssl_fc }
    default_backend app
backend app
    server s1 127.0.0.1:${backend.port}
`;

describe('TLS on Deno', () => {
  it('serves HTTPS/1.1 and h2 with the bind\'s certificate; ssl_fc holds', async () => {
    const port = await freePort();
    const deno = await startDenoBalancer(config(port, `crt ${certs.a} alpn h2,http/1.1`), port);
    try {
      const h1 = await httpsGet(port, '/h1', { ca: certs.ca, servername: 'a.test', headers: { 'x-forwarded-proto': 'http' } });
      expect(h1.status).toBe(200);
      expect((JSON.parse(h1.body) as EchoReply).headers).toContainEqual(['x-forwarded-proto', 'https']);
      const session = await http2Session(port, certs.ca, 'a.test');
      const h2 = await http2Request(session, { ':path': '/h2', ':authority': 'a.test' });
      session.close();
      expect(h2.status).toBe(200);
      expect((JSON.parse(h2.body) as EchoReply).headers).toContainEqual(['x-forwarded-proto', 'https']);
    } finally {
      await deno.close();
    }
  });

  const refused: [string, string, RegExp][] = [
    ['a directory of several certificates', `crt ${'${DIR}'}`, /lb\.cfg:7: 'bind': '.*certs' holds 3 certificates: Deno\.serve takes one per listener and cannot choose by SNI/],
    ['strict-sni', 'crt ${A} strict-sni', /lb\.cfg:7: 'bind': 'strict-sni' needs SNI selection/],
    ['TLSv1.3 only', 'crt ${A} ssl-min-ver TLSv1.3', /lb\.cfg:7: 'bind': TLS versions TLSv1\.3 to TLSv1\.3: Deno accepts TLSv1\.2 and TLSv1\.3/],
  ];
  for (const [name, options, message] of refused) {
    it(`refuses ${name}, naming the bind line`, () => {
      const file = join(certs.dir, 'lb.cfg');
      writeFileSync(file, config(8443, options.replace('${DIR}', certs.certDir).replace('${A}', certs.a)));
      const root = new URL('../../', import.meta.url).pathname;
      const run = spawnSync(denoExecutable(), ['run', '--allow-net', '--allow-read', join(root, 'adapters/deno/cli.ts'), '-f', file], { encoding: 'utf8', timeout: 30_000 });
      expect(run.status).not.toBe(0);
      expect(run.stderr).toMatch(message);
    });
  }
});
