/**
 * A sticky client whose server died abruptly: with `option redispatch` a
 * reload is served by another server with a fresh cookie; without it the
 * client gets a 503 until the checks mark the server DOWN, after which the
 * cookie is ignored. Same traffic on haproxy and on edge-balancer.
 */
import { describe, expect, it } from 'vitest';
import { send } from '../helpers/http-client.ts';
import { waitFor } from '../helpers/wait.ts';
import { observe, runOnBoth } from './harness.ts';

const config = (options: string, inter: string) => `
defaults
    mode http
    timeout connect 200ms
    timeout client 30s
    timeout server 30s
    retries 3
listen app
    bind 127.0.0.1:\${PORT}
    balance roundrobin
    ${options}
    cookie SERVERNAME insert indirect nocache
    server s1 127.0.0.1:\${S1} cookie s1 check inter ${inter}
    server s2 127.0.0.1:\${S2} cookie s2 check inter ${inter}
`;

describe('failover of a sticky client: haproxy vs edge-balancer', () => {
  it('with option redispatch: the reload is served elsewhere with a fresh cookie', async () => {
    // Checks every 30 s: the server is still UP for the checks during the test,
    // so only retries and redispatch are at work.
    const { haproxy, edge } = await runOnBoth(config('option redispatch', '30s'), ['s1', 's2'], async ({ port, backends }) => {
      const before = observe(await send(port, '/', { headers: [['Cookie', 'SERVERNAME=s1']] }));
      await backends[0]!.close();
      const after = observe(await send(port, '/', { headers: [['Cookie', 'SERVERNAME=s1']] }));
      const next = observe(await send(port, '/', { headers: [['Cookie', 'SERVERNAME=s2']] }));
      return [before, after, next];
    });
    expect(haproxy[1]).toMatchObject({ status: 200, servedBy: 's2', setCookie: ['SERVERNAME=s2; path=/'] });
    expect(edge).toEqual(haproxy);
  });

  it('without redispatch: 503 while the server is still UP, then the cookie is ignored once it is DOWN', async () => {
    // Both proxies spread the first checks over one interval by position: s1
    // at start-up, s2 after 2 s. A server that starts UP falls at its first
    // failed check, so s2 is the one to kill: the refused request and its
    // retries (3 × 200 ms) are over well before s2's first check.
    const { haproxy, edge } = await runOnBoth(config('', '4s'), ['s1', 's2'], async (proxy) => {
      const { port, backends } = proxy;
      await backends[1]!.close();
      const refused = await send(port, '/', { headers: [['Cookie', 'SERVERNAME=s2']] });
      await waitFor(() => /app\/s2 is DOWN/.test(proxy.output()), 's2 DOWN');
      const afterDown = observe(await send(port, '/', { headers: [['Cookie', 'SERVERNAME=s2']] }));
      return { refused: { status: refused.status, body: refused.body, cacheControl: refused.get('cache-control') }, afterDown };
    });
    expect(haproxy.refused.status).toBe(503);
    expect(haproxy.afterDown).toMatchObject({ status: 200, servedBy: 's1', setCookie: ['SERVERNAME=s1; path=/'] });
    expect(edge).toEqual(haproxy);
  });
});
