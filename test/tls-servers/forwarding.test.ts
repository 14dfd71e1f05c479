/**
 * Requests forwarded to HTTPS servers by the Node adapter: verification
 * against a CA, `verify none` to a self-signed server, the SNI from `sni
 * req.hdr(host)`, `default-server ssl`, a client certificate, and a WebSocket
 * upgrade over TLS. What haproxy does for the same lines is in
 * tls-servers.differential.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startEdge, type RunningEdge } from '../helpers/edge-balancer.ts';
import { send } from '../helpers/http-client.ts';
import { freePort } from '../helpers/ports.ts';
import { waitFor } from '../helpers/wait.ts';
import { makeCertificates, startHttpsBackend, type HttpsBackend, type TestCertificates, type TlsReply } from './tls-fixtures.ts';

let certs: TestCertificates;
const backends: HttpsBackend[] = [];
beforeAll(() => {
  certs = makeCertificates();
});
afterAll(async () => {
  await Promise.all(backends.map((b) => b.close()));
  certs.remove();
});

async function backend(name: string, cert = 'server'): Promise<HttpsBackend> {
  const started = await startHttpsBackend(name, certs, cert);
  backends.push(started);
  return started;
}

/** One `listen app` with `lines`; `${S1}`… are the backends' ports, `@CERTS@` the certificates' directory. */
async function withEdge<T>(lines: readonly string[], servers: readonly HttpsBackend[], run: (port: number, edge: RunningEdge) => Promise<T>): Promise<T> {
  const port = await freePort();
  const env: Record<string, string> = { PORT: String(port) };
  servers.forEach((s, i) => (env[`S${i + 1}`] = String(s.port)));
  const text = ['defaults', '    mode http', '    timeout connect 1s', '    timeout client 5s', '    timeout server 5s', 'listen app', '    bind 127.0.0.1:${PORT}', ...lines.map((l) => `    ${l.replaceAll('@CERTS@', certs.dir)}`), ''].join('\n');
  const edge = await startEdge(text, env);
  try {
    return await run(port, edge);
  } finally {
    await edge.close(0);
  }
}

const reply = (body: string) => JSON.parse(body) as TlsReply;

describe('HTTPS to servers (Node)', () => {
  it('verify required with the right ca-file: forwarded over TLS, no SNI by default (as haproxy)', async () => {
    const s1 = await backend('s1');
    await withEdge(['server s1 127.0.0.1:${S1} ssl verify required ca-file @CERTS@/ca.pem'], [s1], async (port) => {
      const response = await send(port, '/over-tls');
      expect(response.status).toBe(200);
      expect(reply(response.body)).toMatchObject({ server: 's1', url: '/over-tls', servername: null, clientCertificate: null });
    });
  });

  it('verify required against a self-signed server: refused, 503 (its certificate is no CA’s)', async () => {
    const s1 = await backend('self', 'self-signed');
    await withEdge(['retries 0', 'server s1 127.0.0.1:${S1} ssl verify required ca-file @CERTS@/ca.pem'], [s1], async (port) => {
      expect((await send(port, '/')).status).toBe(503);
      expect(s1.requests).toHaveLength(0);
    });
  });

  it('verify none to a self-signed server works', async () => {
    const s1 = await backend('self', 'self-signed');
    await withEdge(['server s1 127.0.0.1:${S1} ssl verify none'], [s1], async (port) => {
      const response = await send(port, '/');
      expect(response.status).toBe(200);
      expect(reply(response.body).server).toBe('self');
    });
  });

  it('sni req.hdr(host): the server receives the Host as SNI, and the certificate is checked against it', async () => {
    const s1 = await backend('s1');
    await withEdge(['server s1 127.0.0.1:${S1} ssl verify required ca-file @CERTS@/ca.pem sni req.hdr(host)'], [s1], async (port, edge) => {
      const named = await send(port, '/', { headers: [['Host', 'localhost']] });
      expect(reply(named.body)).toMatchObject({ servername: 'localhost', host: 'localhost' });
      // The certificate does not name `other.test`: 503 at once, without the
      // retries a refused connection gets (haproxy: CO_ER_SSL_MISMATCH_SNI).
      const started = Date.now();
      const mismatch = await send(port, '/', { headers: [['Host', 'other.test']] });
      expect(mismatch.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(900);
      await waitFor(() => s1.handshakeErrors.length > 0, 'the refused handshake');
      expect(s1.handshakeErrors).toHaveLength(1);
      expect(edge.access.at(-1)).toMatchObject({ status: 503, termination: 'SC', retries: 3 });
    });
  });

  it('verifyhost: the name checked when no SNI is sent; a wrong one is not retried', async () => {
    const s1 = await backend('s1');
    const lines = (name: string) => ['server s1 127.0.0.1:${S1} ssl ca-file @CERTS@/ca.pem verifyhost ' + name];
    await withEdge(lines('localhost'), [s1], async (port) => {
      expect(reply((await send(port, '/')).body)).toMatchObject({ server: 's1', servername: null });
    });
    await withEdge(lines('other.test'), [s1], async (port, edge) => {
      expect((await send(port, '/')).status).toBe(503);
      expect(edge.access.at(-1)).toMatchObject({ status: 503, termination: 'SC', retries: 3 });
    });
  });

  it('ssl-max-ver TLSv1.2 caps the version; TLS 1.3 otherwise', async () => {
    const s1 = await backend('s1');
    await withEdge(['server s1 127.0.0.1:${S1} ssl verify none ssl-max-ver TLSv1.2', 'server s2 127.0.0.1:${S1} ssl verify none'], [s1], async (port) => {
      const protocols = [reply((await send(port, '/')).body).protocol, reply((await send(port, '/')).body).protocol];
      expect(protocols).toEqual(['TLSv1.2', 'TLSv1.3']);
    });
  });

  it('default-server ssl verify none applies to every server', async () => {
    const s1 = await backend('s1');
    const s2 = await backend('s2', 'self-signed');
    await withEdge(['default-server ssl verify none', 'server s1 127.0.0.1:${S1}', 'server s2 127.0.0.1:${S2}'], [s1, s2], async (port) => {
      const served = [reply((await send(port, '/')).body).server, reply((await send(port, '/')).body).server];
      expect(served.sort()).toEqual(['s1', 's2']);
    });
  });

  it('crt: the client certificate is presented to the server', async () => {
    const s1 = await backend('s1');
    await withEdge(['server s1 127.0.0.1:${S1} ssl ca-file @CERTS@/ca.pem crt @CERTS@/client-bundle.pem'], [s1], async (port) => {
      expect(reply((await send(port, '/')).body).clientCertificate).toBe('edge-balancer client');
    });
  });

  it('a WebSocket upgrade reaches a TLS server, with the SNI of `sni`', async () => {
    const s1 = await backend('s1');
    await withEdge(['timeout tunnel 5s', 'server s1 127.0.0.1:${S1} ssl ca-file @CERTS@/ca.pem sni str(localhost)'], [s1], async (port) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/chat`);
      try {
        const [greeting] = (await new Promise<[WebSocket.RawData]>((resolve, reject) => {
          ws.once('message', (data) => resolve([data]));
          ws.once('error', reject);
        })) as [Buffer];
        expect(greeting.toString()).toBe('hello from s1 over TLS, sni=localhost');
        const echoed = new Promise<string>((resolve) => ws.once('message', (data) => resolve((data as Buffer).toString())));
        ws.send('ping');
        expect(await echoed).toBe('ping');
      } finally {
        ws.terminate();
      }
    });
  });
});
