/** Weighted round-robin order and backup servers on haproxy and on edge-balancer. */
import { describe, expect, it } from 'vitest';
import { send } from '../helpers/http-client.ts';
import { observe, runOnBoth, type ProxyUnderTest } from './harness.ts';
import { waitFor } from '../helpers/wait.ts';

const config = (options: string) => `
defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
listen app
    bind 127.0.0.1:\${PORT}
    balance roundrobin
    ${options}
    server s1 127.0.0.1:\${S1} weight 3 check inter 100ms
    server s2 127.0.0.1:\${S2} weight 1 check inter 100ms
    server s3 127.0.0.1:\${S3} weight 2 check inter 100ms
    server b1 127.0.0.1:\${S4} backup check inter 100ms
    server b2 127.0.0.1:\${S5} backup check inter 100ms
`;
const NAMES = ['s1', 's2', 's3', 'b1', 'b2'];

async function servedBy(port: number, count: number): Promise<(string | undefined)[]> {
  const order = [];
  for (let i = 0; i < count; i++) order.push(observe(await send(port, '/')).servedBy);
  return order;
}

/** Stops the active servers and waits until the proxy's checks have marked all three DOWN. */
async function killActives(proxy: ProxyUnderTest): Promise<void> {
  await Promise.all(proxy.backends.slice(0, 3).map((b) => b.close()));
  await waitFor(() => ['s1', 's2', 's3'].every((s) => new RegExp(`app/${s} is DOWN`).test(proxy.output())), 'actives DOWN');
}

describe('weights and backups: haproxy vs edge-balancer', () => {
  it('interleaves weights 3/1/2 in the same order', async () => {
    const { haproxy, edge } = await runOnBoth(config(''), NAMES, ({ port }) => servedBy(port, 18));
    expect(haproxy.slice(0, 6)).toEqual(['s1', 's3', 's1', 's2', 's1', 's3']);
    expect(edge).toEqual(haproxy);
  });

  it('sends everything to the first backup when all actives are down', async () => {
    const { haproxy, edge } = await runOnBoth(config(''), NAMES, async (proxy) => {
      await killActives(proxy);
      return servedBy(proxy.port, 6);
    });
    expect(haproxy).toEqual(Array(6).fill('b1'));
    expect(edge).toEqual(haproxy);
  });

  it('spreads over all backups with option allbackups', async () => {
    const { haproxy, edge } = await runOnBoth(config('option allbackups'), NAMES, async (proxy) => {
      await killActives(proxy);
      return servedBy(proxy.port, 6);
    });
    expect(new Set(haproxy)).toEqual(new Set(['b1', 'b2']));
    expect(edge).toEqual(haproxy);
  });
});
