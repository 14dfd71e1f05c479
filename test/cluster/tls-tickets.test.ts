/**
 * `--threads 2` on a TLS bind: a session ticket one worker issued resumes on
 * the other, as a ticket does on any of HAProxy's threads (one key set); each
 * worker with keys of its own would give a full handshake whenever the
 * kernel hands the next connection to the other worker. A reload makes new
 * keys (as a restarted HAProxy has), the same in every worker.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEchoBackend, type EchoBackend } from '../helpers/echo-backend.ts';
import { freePort } from '../helpers/ports.ts';
import { waitFor } from '../helpers/wait.ts';
import { makeCertificates, type TestCertificates } from '../tls/certificates.ts';
import { resumeOnce } from '../tls/tls-clients.ts';
import { startClusterCommand, type ClusterCommand } from './cluster-command.ts';

let certs: TestCertificates;
let backend: EchoBackend;
let edge: ClusterCommand;
let port: number;
let dir: string;

beforeAll(async () => {
  certs = makeCertificates();
  backend = await startEchoBackend('s1');
  port = await freePort();
  dir = mkdtempSync(join(tmpdir(), 'edge-cluster-tls-'));
  const file = join(dir, 'tls.cfg');
  writeFileSync(
    file,
    `defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
listen app
    bind 127.0.0.1:${port} ssl crt ${certs.certDir}
    server s1 127.0.0.1:${backend.port}
`,
  );
  edge = await startClusterCommand(file, 2);
}, 90_000);

// A test that hangs in `only` stays that test's failure (its workers continue).
afterEach(() => edge?.resumeStopped());

afterAll(async () => {
  await edge?.kill();
  await backend?.close();
  certs?.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A full handshake on worker `from`, then its ticket offered to worker `to`: was it resumed there? */
async function resumedAcross(from: number, to: number, servername: string): Promise<boolean> {
  const first = await edge.only(from, () => resumeOnce(port, undefined, { servername }));
  expect(first.reused).toBe(false);
  return (await edge.only(to, () => resumeOnce(port, first.last, { servername }))).reused;
}

describe('edge-balancer --threads 2 on a TLS bind', () => {
  it('resumes on one worker the ticket the other issued, for the default certificate and one chosen by SNI', async () => {
    const [a, b] = edge.workers() as [number, number];
    expect([await resumedAcross(a, b, 'a.test'), await resumedAcross(b, a, 'b.test')]).toEqual([true, true]);
  });

  it('after a reload, tickets from before are not resumed, new ones are, on either worker', async () => {
    const [a, b] = edge.workers() as [number, number];
    const before = await edge.only(a, () => resumeOnce(port, undefined, { servername: 'a.test' }));
    const reloaded = edge.stderr().split('configuration reloaded').length;
    edge.primary.kill('SIGHUP');
    await waitFor(() => edge.stderr().split('configuration reloaded').length > reloaded, 'the reload', 20_000);
    expect((await edge.only(b, () => resumeOnce(port, before.last, { servername: 'a.test' }))).reused).toBe(false);
    expect(await resumedAcross(b, a, 'a.test')).toBe(true);
  });
});
