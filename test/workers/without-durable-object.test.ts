/**
 * The Worker without the HEALTH binding: it still serves, says so once in its
 * log, and each isolate checks its servers itself when requests arrive.
 */
import { describe, expect, it } from 'vitest';
import { startEchoBackend } from '../helpers/echo-backend.ts';
import { send } from '../helpers/http-client.ts';
import { startWorker } from './start-worker.ts';
import { basicAuth, csvRows, servedBy } from './responses.ts';

const CONFIG = `listen ins
    bind :8080
    balance roundrobin
    timeout connect 1s
    stats uri /stats
    stats auth admin:secret
    server s1 127.0.0.1:$S1 check inter 100ms fall 1 rise 1
    server s2 127.0.0.1:$S2 check inter 100ms fall 1 rise 1
`;

describe('Worker without the Durable Object', () => {
  it('serves with per-isolate state, logs that once, and checks its servers on requests', async () => {
    const s1 = await startEchoBackend('s1');
    const s2 = await startEchoBackend('s2');
    // The addresses' $S1 and $S2 are expanded by the Worker, from its own variables.
    const worker = await startWorker(CONFIG, {}, { withoutDurableObject: true, bindings: { S1: String(s1.port), S2: String(s2.port) } });
    try {
      expect([servedBy(await send(worker.port, '/')), servedBy(await send(worker.port, '/'))].sort()).toEqual(['s1', 's2']);
      await s2.close();
      const s2Status = async () =>
        csvRows((await send(worker.port, '/stats;csv', { headers: [basicAuth('admin:secret')] })).body).find((r) => r.svname === 's2')!.status;
      // Each request runs the checks that are due (in the background): poll until s2's is seen.
      const deadline = Date.now() + 10_000;
      while ((await s2Status()) !== 'DOWN') {
        expect(Date.now()).toBeLessThan(deadline);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      for (let i = 0; i < 3; i++) expect(servedBy(await send(worker.port, '/'))).toBe('s1');
      expect(worker.logs().filter((line) => line.includes('no HEALTH Durable Object binding'))).toHaveLength(1);
    } finally {
      await worker.close();
      await s1.close();
    }
  });
});
