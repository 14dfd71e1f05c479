/**
 * Kept server connections on Deno (src/proxy/http1-client.ts's pool) under
 * the reliability faults: a backend killed under load leaves kept
 * connections that are dead, a frozen one leaves kept connections that never
 * answer. The same properties as the Node adapter's (test/reliability/
 * faults.test.ts), on a shortened run of reliability/scenarios.ts.
 */
import { describe, expect, it } from 'vitest';
import { hangUnderLoad, killUnderLoad } from '../../reliability/scenarios.ts';

describe('faults under load (edge-balancer on Deno)', () => {
  it('a backend killed under load: nothing hangs, only in-flight requests may fail, DOWN then UP again', async () => {
    const clients = 8;
    const r = await killUnderLoad('edge-balancer (Deno)', { clients, durationMs: 3000, killAtMs: 800, restartAtMs: 1800 });
    expect(r.load.sent).toBeGreaterThan(100);
    expect(r.load.hung).toBe(0);
    // At most the requests already on the dead server's connections when it died.
    expect(r.load.sent - r.load.ok).toBeLessThanOrEqual(clients);
    expect(r.detectedAfterMs).toBeDefined();
    expect(r.backUpAfterMs).toBeDefined();
  }, 30_000);

  it('a backend that stops answering: its requests get 504 after timeout server, the others are served', async () => {
    const load = await hangUnderLoad('edge-balancer (Deno)', { clients: 8, durationMs: 3000, hangAtMs: 800 });
    expect(load.hung).toBe(0);
    expect(load.errors).toBe(0);
    expect(Object.keys(load.statuses)).toEqual(['504']);
    expect(load.ok).toBeGreaterThan(load.statuses[504]!);
  }, 30_000);
});
