/**
 * Slow clients on a shortened run (`npm run reliability` runs the full one,
 * on haproxy too): with `timeout http-request 2s` and `timeout client 3s`,
 * slowloris heads get HAProxy's 408 and are closed, a trickling body is
 * forwarded and kept (haproxy does the same: both timeouts are about
 * inactivity or the head), a stalled body is cut off, and the normal clients
 * do not notice.
 */
import { describe, expect, it } from 'vitest';
import { slowClientsUnderLoad } from '../../reliability/slow-clients.ts';

const HTTP_REQUEST_MS = 2000;
const CLIENT_MS = 3000;
// The attackers share an event loop with the load generator on a 2-core
// machine: a close may be seen a little late, never early (times start at
// the connect() call), so the lower bounds keep only a small margin.
const EARLY_MARGIN_MS = 500;

describe('slow clients under load (edge-balancer on Node)', () => {
  it('slow heads get 408 after timeout http-request, stalled bodies are cut after timeout client, normal clients are all served', async () => {
    const r = await slowClientsUnderLoad('edge-balancer', {
      clients: 4,
      durationMs: 4000,
      slowHeads: 40,
      slowBodies: 10,
      stalledBodies: 10,
      paceMs: 500,
      openOverMs: 1000,
      giveUpAfterMs: 6000,
    });

    expect(r.slowHeads).toMatchObject({ cutOff: 40, stillOpen: 0, answers: { 408: 40 }, reachedBackend: 0 });
    expect(r.slowHeads.minMs).toBeGreaterThanOrEqual(HTTP_REQUEST_MS - EARLY_MARGIN_MS);
    // Cut by timeout http-request, not by the (later) timeout client.
    expect(r.slowHeads.maxMs).toBeLessThan(CLIENT_MS);

    // Still sending within timeout client: forwarded to a server (which
    // answered) and kept open until the attackers gave up, as haproxy does.
    expect(r.slowBodies).toMatchObject({ cutOff: 0, stillOpen: 10, answers: { 200: 10 }, reachedBackend: 10 });

    expect(r.stalledBodies).toMatchObject({ cutOff: 10, stillOpen: 0, answers: { 200: 10 }, reachedBackend: 10 });
    expect(r.stalledBodies.minMs).toBeGreaterThanOrEqual(CLIENT_MS - EARLY_MARGIN_MS);

    expect(r.load.sent).toBeGreaterThan(100);
    expect(r.load).toMatchObject({ ok: r.load.sent, errors: 0, hung: 0, statuses: {} });
  });
});
