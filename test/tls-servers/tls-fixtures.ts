/**
 * What the HTTPS-to-servers tests need: certificates made with the `openssl`
 * command in a temporary directory (a CA, a server certificate for localhost
 * and 127.0.0.1 signed by it, an unrelated CA, a self-signed server
 * certificate, a client certificate), and HTTPS backends that answer with
 * what they saw of the connection (SNI, ALPN, client certificate).
 */
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer } from 'ws';
import { selfSigned, signedByCa } from '../helpers/test-ca.ts';

export interface TestCertificates {
  readonly dir: string;
  /** PEM files: `ca.pem`, `other-ca.pem`, `server.pem` + `server.key`, `self-signed.pem` + `.key`, `client.pem` (cert and key). */
  path(name: string): string;
  read(name: string): string;
  remove(): void;
}

export function makeCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'edge-balancer-tls-servers-'));
  selfSigned(dir, 'ca', '/CN=edge-balancer test CA');
  selfSigned(dir, 'other-ca', '/CN=unrelated CA');
  selfSigned(dir, 'self-signed', '/CN=localhost', ['-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1']);
  signedByCa(dir, 'server', '/CN=localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  signedByCa(dir, 'client', '/CN=edge-balancer client', 'extendedKeyUsage=clientAuth\n');
  // haproxy's `crt`: certificate and key in one file.
  writeFileSync(join(dir, 'client-bundle.pem'), readFileSync(join(dir, 'client.pem'), 'utf8') + readFileSync(join(dir, 'client.key'), 'utf8'));
  return {
    dir,
    path: (name) => join(dir, name),
    read: (name) => readFileSync(join(dir, name), 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** What an HTTPS backend saw of one request. */
export interface TlsReply {
  readonly server: string;
  readonly url: string;
  /** SNI the client sent; null without one. */
  readonly servername: string | null;
  /** ALPN protocol agreed; null without ALPN. */
  readonly alpn: string | null;
  /** CN of the client certificate, if one was presented. */
  readonly clientCertificate: string | null;
  /** `TLSv1.2`, `TLSv1.3`. */
  readonly protocol: string | null;
  readonly host: string | undefined;
}

export interface HttpsBackend {
  readonly port: number;
  readonly requests: TlsReply[];
  /** Handshakes that failed on the server's side (a client refusing the certificate). */
  readonly handshakeErrors: string[];
  close(): Promise<void>;
}

/** `key`/`cert` PEM names among `certificates`; client certificates are asked for (not required) and reported. */
export async function startHttpsBackend(name: string, certificates: TestCertificates, cert = 'server'): Promise<HttpsBackend> {
  const requests: TlsReply[] = [];
  const handshakeErrors: string[] = [];
  const server: Server = createHttpsServer(
    {
      key: certificates.read(`${cert}.key`),
      cert: certificates.read(`${cert}.pem`),
      ca: certificates.read('ca.pem'),
      requestCert: true,
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
    },
    (req, res) => {
      const socket = req.socket as TLSSocket;
      const peer = socket.getPeerCertificate();
      const reply: TlsReply = {
        server: name,
        url: req.url ?? '',
        servername: typeof socket.servername === 'string' ? socket.servername : null,
        alpn: typeof socket.alpnProtocol === 'string' ? socket.alpnProtocol : null,
        clientCertificate: peer && peer.subject ? (peer.subject.CN as string) : null,
        protocol: socket.getProtocol(),
        host: req.headers.host,
      };
      requests.push(reply);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(reply));
    },
  );
  server.on('tlsClientError', (error: NodeJS.ErrnoException) => handshakeErrors.push(error.code ?? error.message));
  // WebSocket upgrades: greeted with the SNI the connection carried, messages echoed.
  const sockets = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    sockets.handleUpgrade(req, socket, head, (ws) => {
      ws.send(`hello from ${name} over TLS, sni=${(req.socket as TLSSocket).servername || 'none'}`);
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    handshakeErrors,
    async close() {
      for (const ws of sockets.clients) ws.terminate();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
