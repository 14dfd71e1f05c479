/**
 * The Node adapter's upstream loads undici's Pool without undici's index
 * (adapters/node/undici-pool.ts), which is also where undici adds request()
 * to its dispatchers: the Hono app's path (request() and a web stream) must
 * still reach the server, as the fast path's dispatch() does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUndiciUpstream } from '../../adapters/node/undici-upstream.ts';
import { startEchoBackend, type EchoBackend } from '../helpers/echo-backend.ts';

describe('the undici upstream', () => {
  let backend: EchoBackend;
  const upstream = createUndiciUpstream();
  beforeAll(async () => {
    backend = await startEchoBackend('s1');
  });
  afterAll(async () => {
    await upstream.close();
    await backend.close();
  });

  it("forwards through request() and returns the body as a web stream (the Hono app's path)", async () => {
    const response = await upstream.request(
      { host: '127.0.0.1', port: backend.port, close: false },
      { method: 'GET', target: '/web?x=1', headers: [['host', 'example.test']] },
      null,
      {},
    );
    expect(response.status).toBe(200);
    const reply = JSON.parse(await new Response(response.body).text());
    expect(reply).toMatchObject({ server: 's1', method: 'GET', url: '/web?x=1' });
    expect(backend.requests.map((r) => r.url)).toContain('/web?x=1');
  });
});
