/**
 * Serves the stats endpoint of a hand-made config on a real loopback socket
 * through @hono/node-server, with requests that are not stats requests
 * answered `599 not-stats` (the balancer proper is tested elsewhere).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Config } from '../../src/config/types.ts';
import { createStatsService, type StatsService } from '../../src/stats/stats-service.ts';
import type { BalancerState } from '../../src/balancer/balancer-state.ts';
import { fakeState, testDeps, type TestDeps } from './fixtures.ts';

export interface ServedStats {
  readonly port: number;
  readonly state: BalancerState;
  readonly deps: TestDeps;
  readonly service: StatsService;
  /** In-process: the stats answer for `request` on frontend `name`, or 599 when not a stats request. */
  fetch(request: Request, name?: string): Promise<Response>;
  close(): Promise<void>;
}

export async function serveStats(config: Config, deps: TestDeps = testDeps()): Promise<ServedStats> {
  const state = fakeState(config, deps.healthStore, deps.clock.now());
  const service = createStatsService(state, deps);
  const fetch = async (request: Request, name = config.frontends[0]!.name) => {
    const entry = state.frontends.get(name)!;
    return (await service.serve(entry.frontend.stats, entry, request)) ?? new Response('not-stats', { status: 599 });
  };
  const server = createAdaptorServer({ fetch: (request) => fetch(request) }) as Server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    state,
    deps,
    service,
    fetch,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
