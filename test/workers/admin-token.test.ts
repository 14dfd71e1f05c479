/**
 * The admin form's token on Workers (issue 15, item 1): each isolate signs
 * with a random key of its own unless the ADMIN_TOKEN_KEY secret is bound,
 * in which case a page served by one isolate can post to another. Two
 * isolates in workerd, each on its own port.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoBackend, type EchoBackend } from '../helpers/echo-backend.ts';
import { send } from '../helpers/http-client.ts';
import { basicAuth } from './responses.ts';
import { startWorker, type RunningWorker } from './start-worker.ts';

const CONFIG = `defaults
    mode http
    timeout connect 1s
    timeout server 5s
listen app
    bind :8080
    stats uri /stats
    stats admin if TRUE
    server s1 127.0.0.1:\${S1}
`;
const AUTH = basicAuth('admin:secret');

async function token(port: number): Promise<string> {
  const page = await send(port, '/stats', { headers: [AUTH] });
  expect(page.status).toBe(200);
  return /name="token" value="([^"]+)"/.exec(page.body)![1]!;
}

async function drain(port: number, formToken: string): Promise<string | undefined> {
  const body = new URLSearchParams([['b', 'app'], ['s', 's1'], ['action', 'drain'], ['token', formToken]]).toString();
  const response = await send(port, '/stats', {
    method: 'POST',
    headers: [AUTH, ['Content-Type', 'application/x-www-form-urlencoded'], ['Content-Length', String(body.length)]],
    body,
  });
  expect(response.status).toBe(303);
  return response.get('location');
}

describe('admin token key on Workers', () => {
  let backend: EchoBackend;
  const workers: RunningWorker[] = [];
  beforeAll(async () => {
    backend = await startEchoBackend('s1');
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.close()));
    await backend?.close();
  });

  it('with ADMIN_TOKEN_KEY, a token issued by one isolate is accepted by another', async () => {
    const worker = await startWorker(CONFIG, { S1: String(backend.port) }, {
      bindings: { STATS_AUTH: 'admin:secret', ADMIN_TOKEN_KEY: 'test-only-key-0123456789abcdefghij' },
      isolates: 2,
      withoutDurableObject: true,
    });
    workers.push(worker);
    expect(await drain(worker.ports[1]!, await token(worker.ports[0]!))).toBe('/stats;st=DONE');
  });

  it('without it, each isolate has its own random key', async () => {
    const worker = await startWorker(CONFIG, { S1: String(backend.port) }, { bindings: { STATS_AUTH: 'admin:secret' }, isolates: 2, withoutDurableObject: true });
    workers.push(worker);
    const issued = await token(worker.ports[0]!);
    expect(await drain(worker.ports[1]!, issued)).toBe('/stats;st=DENY');
    expect(await drain(worker.ports[0]!, issued)).toBe('/stats;st=DONE');
  });

  it('a short ADMIN_TOKEN_KEY is a configuration error that names the secret, not its value', async () => {
    const worker = await startWorker(CONFIG, { S1: String(backend.port) }, { bindings: { STATS_AUTH: 'admin:secret', ADMIN_TOKEN_KEY: 'too-short' } });
    workers.push(worker);
    expect((await send(worker.port, '/stats', { headers: [AUTH] })).status).toBe(500);
    const line = await worker.waitForLog(/ADMIN_TOKEN_KEY: must be a secret of at least 32 characters, got 9/);
    expect(line).not.toContain('too-short');
  });
});
