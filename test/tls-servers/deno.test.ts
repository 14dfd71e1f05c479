/**
 * HTTPS to servers on the Deno command: `Deno.startTls` with the ca-file and
 * the SNI of `sni`; checks over TLS reporting L6OK / L6RSP "SSL handshake
 * failure" (as haproxy, see tls-servers.differential.test.ts) in the stats.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startDenoBalancer } from '../helpers/deno.ts';
import { send } from '../helpers/http-client.ts';
import { freePorts } from '../helpers/ports.ts';
import { makeCertificates, startHttpsBackend, type HttpsBackend, type TestCertificates, type TlsReply } from './tls-fixtures.ts';

let certs: TestCertificates;
let backend: HttpsBackend;
beforeAll(async () => {
  certs = makeCertificates();
  backend = await startHttpsBackend('tls', certs);
});
afterAll(async () => {
  await backend.close();
  certs.remove();
});

describe('HTTPS to servers (Deno)', () => {
  it('forwards with the CA and the SNI, checks over TLS, and marks the wrong CA DOWN', async () => {
    const [good, plainName, wrong, stats] = await freePorts(4);
    // The good servers' checks get time to spare on a loaded machine (a failed first check is DOWN at once).
    const server = (ca: string, extra = '') => `server s1 127.0.0.1:${backend.port} ssl verify required ca-file ${certs.path(ca)} check inter ${ca === 'ca.pem' ? '2s' : '300ms'} ${extra}`;
    const text = `defaults
    mode http
    timeout connect 5s
    timeout check 5s
    timeout client 5s
    timeout server 5s
listen good
    bind 127.0.0.1:${good}
    ${server('ca.pem', 'sni str(localhost)')}
listen noname
    bind 127.0.0.1:${plainName}
    ${server('ca.pem')}
listen wrong
    bind 127.0.0.1:${wrong}
    ${server('other-ca.pem')}
listen stats
    bind 127.0.0.1:${stats}
    stats enable
    stats uri /
`;
    const deno = await startDenoBalancer(text, stats!);
    try {
      const named = await send(good!, '/a');
      expect(named.status).toBe(200);
      expect(JSON.parse(named.body) as TlsReply).toMatchObject({ url: '/a', servername: 'localhost' });
      // Without `sni` no name is checked (haproxy's rule): the address is enough.
      expect((await send(plainName!, '/b')).status).toBe(200);

      let rows: string[] = [];
      for (let i = 0; i < 100; i++) {
        rows = (await send(stats!, '/;csv')).body.split('\n');
        if (rows.some((r) => r.startsWith('wrong,s1,') && r.includes('DOWN')) && rows.some((r) => r.startsWith('good,s1,') && r.includes('L6OK'))) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const header = rows[0]!.replace(/^# /, '').split(',');
      const row = (name: string) => {
        const fields = rows.find((r) => r.startsWith(`${name},s1,`))!.split(',');
        return { status: fields[header.indexOf('status')], check_status: fields[header.indexOf('check_status')], last_chk: fields[header.indexOf('last_chk')] };
      };
      expect(row('good')).toMatchObject({ status: 'UP', check_status: 'L6OK' });
      expect(row('wrong')).toEqual({ status: 'DOWN', check_status: 'L6RSP', last_chk: 'SSL handshake failure' });
      expect((await send(wrong!, '/c')).status).toBe(503);
    } finally {
      await deno.close();
    }
  });

  it('relays a WebSocket to a TLS server (wss with the ca-file)', async () => {
    const [port] = await freePorts(1);
    const text = `defaults\n    mode http\n    timeout connect 2s\n    timeout client 5s\n    timeout server 5s\nlisten ws\n    bind 127.0.0.1:${port}\n    server s1 127.0.0.1:${backend.port} ssl ca-file ${certs.path('ca.pem')}\n`;
    const deno = await startDenoBalancer(text, port!);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/chat`);
    try {
      const greeting = await new Promise<string>((resolve, reject) => {
        ws.once('message', (data) => resolve((data as Buffer).toString()));
        ws.once('error', reject);
      });
      expect(greeting).toMatch(/^hello from tls over TLS/);
    } finally {
      ws.terminate();
      await deno.close();
    }
  });
});
