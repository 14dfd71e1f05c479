/**
 * Reload and graceful stop of the `edge-balancer` command under load, on a
 * shortened run (`npm run reliability` runs the full one, on haproxy too).
 */
import { describe, expect, it } from 'vitest';
import { gracefulStop } from '../../reliability/graceful-stop.ts';
import { reloadUnderLoad } from '../../reliability/reload.ts';

describe('reload and stop (edge-balancer on Node)', () => {
  it('SIGHUP under load: nothing lost, slow requests finish, the new server serves; a broken file is refused and the running configuration stays', async () => {
    const r = await reloadUnderLoad('edge-balancer', { clients: 4, durationMs: 3000, reloadAtMs: 500, brokenAtMs: 1800 });
    expect(r.load.sent).toBeGreaterThan(0);
    expect(r.load.ok).toBe(r.load.sent);
    expect(r.slow).toEqual({ sent: 4, ok: 4 });
    expect(r.newServerAfterMs).toBeDefined();
    expect(r.brokenRejected).toBe(true);
  });

  it('SIGTERM: new connections refused at once, every request in flight answered, then exit 0', async () => {
    const r = await gracefulStop('edge-balancer', 8);
    expect(r.completed).toBe(8);
    expect(r.refusingAfterMs).toBeDefined();
    expect(r.exitedAfterMs).toBeDefined();
    expect(r.exitCode).toBe(0);
  });
});
