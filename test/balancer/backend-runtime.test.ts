/**
 * BackendRuntime keeps the balancing view between requests and rebuilds it
 * only when health or admin state changed: every change must still be seen
 * by the very next selection.
 */
import { describe, expect, it } from 'vitest';
import { BackendRuntime } from '../../src/balancer/backend-runtime.ts';
import { parseHaproxyConfig } from '../../src/config/index.ts';
import { MemoryHealthStore } from '../../src/health/memory-store.ts';

function runtime(balance: string) {
  const { config } = parseHaproxyConfig(
    [
      {
        file: 't.cfg',
        text: `backend app\n    balance ${balance}\n    server s1 127.0.0.1:1 check\n    server s2 127.0.0.1:2 check\n    server s3 127.0.0.1:3 check\n`,
      },
    ],
    { env: {} },
  );
  const health = new MemoryHealthStore();
  return { health, runtime: new BackendRuntime(config.backends[0]!, health) };
}

const picks = (r: BackendRuntime, n: number) => Array.from({ length: n }, () => r.servers[r.selectServer()!]!.name);
const down = { health: 0, up: false, lastChange: 0, downtime: 0, chkfail: 3, chkdown: 1 };
const up = { health: 4, up: true, lastChange: 0, downtime: 0, chkfail: 0, chkdown: 0 };

describe.each(['roundrobin', 'static-rr', 'leastconn'])('BackendRuntime view (%s)', (balance) => {
  it('sees a server going DOWN and coming back UP at the next request', () => {
    const { health, runtime: r } = runtime(balance);
    expect(new Set(picks(r, 6))).toEqual(new Set(['s1', 's2', 's3']));
    health.set('app/s2', down);
    expect(picks(r, 6)).not.toContain('s2');
    health.set('app/s2', up);
    expect(picks(r, 6)).toContain('s2');
  });

  it('sees maint, drain and weight 0 set from the admin page at the next request', () => {
    const { runtime: r } = runtime(balance);
    picks(r, 3);
    r.setAdmin(0, { mode: 'maint', weight: 1 });
    r.setAdmin(1, { mode: 'drain', weight: 1 });
    expect(new Set(picks(r, 6))).toEqual(new Set(['s3']));
    r.setAdmin(0, { mode: 'ready', weight: 1 });
    r.setAdmin(2, { mode: 'ready', weight: 0 });
    expect(new Set(picks(r, 6))).toEqual(new Set(['s1']));
  });
});
