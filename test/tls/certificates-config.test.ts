/**
 * Certificate files as configuration: a file that cannot be used is an error
 * naming the config file and the `bind` line (haproxy refuses the same
 * configurations), a SIGHUP-style reload swaps certificates for new
 * handshakes while open connections carry on, and a broken one refuses the
 * reload with the running certificates kept. Stats are served over HTTPS.
 */
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigErrors, parseHaproxyConfig } from '../../src/config/index.ts';
import { startEchoBackend } from '../helpers/echo-backend.ts';
import { startEdge } from '../helpers/edge-balancer.ts';
import { requireHaproxy } from '../helpers/haproxy.ts';
import { freePort } from '../helpers/ports.ts';
import { makeCertificates, type TestCertificates } from './certificates.ts';
import { handshake, http2Request, http2Session, httpsGet, resumeInARow } from './tls-clients.ts';
import { runTls } from './tls-harness.ts';

let certs: TestCertificates;
beforeAll(() => {
  certs = makeCertificates();
});
afterAll(() => certs.remove());

const config = (crt: string, extra = '') => `defaults
    mode http
    timeout connect 5s
    timeout client 5s
    timeout server 5s
frontend web
    bind 127.0.0.1:\${TLS_PORT} ssl crt ${crt} alpn h2,http/1.1
${extra}    default_backend app
backend app
    server s1 127.0.0.1:\${S1}
`;

/** What `haproxy -c` says of `text` (its exit status and output). */
function haproxyCheck(text: string): { ok: boolean; output: string } {
  requireHaproxy();
  const file = join(certs.dir, 'check.cfg');
  writeFileSync(file, text);
  const result = spawnSync('haproxy', ['-c', '-f', file], { env: { ...process.env, TLS_PORT: '8443', S1: '8081' }, encoding: 'utf8' });
  return { ok: result.status === 0, output: result.stderr + result.stdout };
}

async function startError(text: string): Promise<string> {
  try {
    const edge = await startEdge(text, { TLS_PORT: String(await freePort()), S1: '9' });
    await edge.close(0);
  } catch (error) {
    if (error instanceof ConfigErrors) return error.message;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('broken certificate files are configuration errors at the bind line', () => {
  const cases: [string, () => string, RegExp][] = [
    ['a missing file', () => join(certs.dir, 'missing.pem'), /test\.cfg:7: 'bind': unable to stat SSL certificate from file '.*missing\.pem' : No such file or directory/],
    ['a file that is no PEM', () => writeAndPath('garbage.pem', 'hello\n'), /test\.cfg:7: 'bind': unable to load certificate from file '.*garbage\.pem'/],
    ['a certificate without its key', () => writeAndPath('nokey.pem', certOnly()), /test\.cfg:7: 'bind': unable to load SSL private key from PEM file '.*nokey\.pem'/],
    ['a key that is not the certificate\'s', () => writeAndPath('mismatch.pem', certOnly() + keyOf(certs.b)), /test\.cfg:7: 'bind': inconsistencies between private key and certificate/],
  ];
  for (const [name, path, message] of cases) {
    it(name, async () => {
      const text = config(path());
      expect(haproxyCheck(text).ok).toBe(false);
      expect(await startError(text)).toMatch(message);
    });
  }
});

function writeAndPath(name: string, text: string): string {
  const path = join(certs.dir, name);
  writeFileSync(path, text);
  return path;
}
function certOnly(): string {
  return /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n/.exec(readText(certs.a))![0];
}
function keyOf(file: string): string {
  return /-----BEGIN PRIVATE KEY-----[\s\S]*?-----END PRIVATE KEY-----\n/.exec(readText(file))![0];
}
function readText(file: string): string {
  return readFileSync(file, 'utf8');
}

describe('the command', () => {
  it('-c loads the certificates as haproxy -c does, and a start with a broken one exits 1 naming the line', () => {
    const bin = new URL('../../adapters/node/bin.mjs', import.meta.url).pathname;
    const file = writeAndPath('cli.cfg', config(join(certs.dir, 'missing.pem')).replaceAll('${TLS_PORT}', '8443').replaceAll('${S1}', '8081'));
    const check = spawnSync(process.execPath, [bin, '-c', '-f', file], { encoding: 'utf8' });
    expect([check.status, check.stderr]).toEqual([1, expect.stringMatching(/cli\.cfg:7: 'bind': unable to stat SSL certificate from file '.*missing\.pem'/)]);
    const valid = spawnSync(process.execPath, [bin, '-c', '-f', writeAndPath('ok.cfg', config(certs.certDir).replaceAll('${TLS_PORT}', '8443').replaceAll('${S1}', '8081'))], { encoding: 'utf8' });
    expect(valid.status).toBe(0);
    const start = spawnSync(process.execPath, [bin, '-f', file, '--log-format', 'none'], { encoding: 'utf8', timeout: 20_000 });
    expect([start.status, start.stderr]).toEqual([1, expect.stringMatching(/cli\.cfg:7: 'bind': unable to stat SSL certificate/)]);
  });
});

describe('reload', () => {
  it('new handshakes get the new certificate, an open HTTP/2 connection carries on, a broken file refuses the reload', async () => {
    const backend = await startEchoBackend('s1');
    const env = { TLS_PORT: String(await freePort()), S1: String(backend.port) };
    const edge = await startEdge(config(certs.a), env);
    const port = Number(env.TLS_PORT);
    try {
      expect((await handshake(port, { servername: 'b.test' })).subject).toBe('a.test');
      const session = await http2Session(port, certs.ca, 'a.test');
      expect((await http2Request(session, { ':path': '/before', ':authority': 'a.test' })).status).toBe(200);

      await edge.reload(parseHaproxyConfig([{ file: 'test.cfg', text: config(certs.b) }], { env }).config, 1_000);
      expect((await handshake(port, { servername: 'b.test' })).subject).toBe('b.test');
      expect((await http2Request(session, { ':path': '/after', ':authority': 'a.test' })).status).toBe(200);

      const broken = parseHaproxyConfig([{ file: 'next.cfg', text: config(join(certs.dir, 'gone.pem')) }], { env }).config;
      await expect(edge.reload(broken, 1_000)).rejects.toThrow(/next\.cfg:7: 'bind': unable to stat SSL certificate/);
      expect((await handshake(port, { servername: 'b.test' })).subject).toBe('b.test');
      session.close();
    } finally {
      await edge.close(0);
      await backend.close();
    }
  });
  it('tickets and SNI: the new certificates have new ticket keys (a restarted haproxy has), which are renewed on resumption as before', async () => {
    const backend = await startEchoBackend('s1');
    const env = { TLS_PORT: String(await freePort()), S1: String(backend.port) };
    const edge = await startEdge(config(certs.a), env);
    const port = Number(env.TLS_PORT);
    try {
      const [, before] = await resumeInARow(port, 2, { servername: 'a.test' });
      expect(before).toEqual({ reused: true, tickets: 1 });
      await edge.reload(parseHaproxyConfig([{ file: 'test.cfg', text: config(certs.certDir) }], { env }).config, 1_000);
      // From one certificate to several: SNI selects again (a single certificate needs no SNI callback).
      expect((await handshake(port, { servername: 'b.test' })).subject).toBe('b.test');
      expect(await resumeInARow(port, 3, { servername: 'b.test' })).toEqual([
        { reused: false, tickets: 2 },
        { reused: true, tickets: 1 },
        { reused: true, tickets: 1 },
      ]);
    } finally {
      await edge.close(0);
      await backend.close();
    }
  });
});

describe('a client that connects and never starts its handshake', () => {
  it('is closed after timeout client, as haproxy does', async () => {
    const text = config(certs.a).replace('timeout client 5s', 'timeout client 300ms');
    const results: Record<string, boolean> = {};
    for (const kind of ['haproxy', 'edge-balancer'] as const) {
      await runTls(kind, text, ['s1'], async ({ tlsPort }) => {
        const silent = createConnection({ host: '127.0.0.1', port: tlsPort });
        silent.on('error', () => {});
        await once(silent, 'close');
        results[kind] = true;
      });
    }
    expect(results).toEqual({ haproxy: true, 'edge-balancer': true });
  });
});

describe('stop', () => {
  it('the end of the grace period also cuts a connection that never finished its handshake', async () => {
    const env = { TLS_PORT: String(await freePort()), S1: '9' };
    // timeout client 5s is the handshake's limit: the close must not wait for it.
    const edge = await startEdge(config(certs.a), env);
    const silent = createConnection({ host: '127.0.0.1', port: Number(env.TLS_PORT) });
    await once(silent, 'connect');
    const closedAt = Date.now();
    await edge.close(100);
    expect(Date.now() - closedAt).toBeLessThan(3_000);
    silent.destroy();
  });
});

describe('stats over HTTPS', () => {
  it('the stats page answers on a TLS bind, over HTTP/1.1 and HTTP/2', async () => {
    const env = { TLS_PORT: String(await freePort()), S1: '9' };
    const edge = await startEdge(config(certs.a, '    stats enable\n    stats uri /stats\n'), env);
    try {
      const h1 = await httpsGet(Number(env.TLS_PORT), '/stats;csv', { ca: certs.ca });
      expect(h1.status).toBe(200);
      expect(h1.body).toContain('web,FRONTEND');
      const session = await http2Session(Number(env.TLS_PORT), certs.ca);
      const h2 = await http2Request(session, { ':path': '/stats;csv', ':authority': 'a.test' });
      session.close();
      expect(h2.status).toBe(200);
      expect(h2.body).toContain('web,FRONTEND');
    } finally {
      await edge.close(0);
    }
  });
});
