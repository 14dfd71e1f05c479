/**
 * One selector per backend, by its `balance` algorithm — HAProxy picks its
 * LB functions the same way when it checks the configuration.
 */
import type { Backend } from '../config/types.ts';
import { FirstAvailableSelector } from './first-available.ts';
import { RoundRobinSelector } from './fwrr.ts';
import { LeastConnSelector } from './least-conn.ts';
import { StaticRoundRobinSelector } from './static-map.ts';
import type { ServerSelector } from './types.ts';
import { RandomSelector } from './weighted-random.ts';

/** `random` is the random source of `balance random` (Math.random by default; inject one in tests). */
export function createSelector(backend: Backend, random?: () => number): ServerSelector {
  switch (backend.balance) {
    case 'roundrobin':
      return new RoundRobinSelector(backend);
    case 'static-rr':
      return new StaticRoundRobinSelector(backend);
    case 'leastconn':
      return new LeastConnSelector(backend);
    case 'first':
      return new FirstAvailableSelector(backend);
    case 'random':
      return new RandomSelector(backend, random);
  }
}
