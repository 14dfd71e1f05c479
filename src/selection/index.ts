export type { SelectionView, ServerSelector } from './types.ts';
export { createSelector } from './create-selector.ts';
export { RoundRobinSelector } from './fwrr.ts';
export { StaticRoundRobinSelector, recalcServerMap } from './static-map.ts';
export { LeastConnSelector } from './least-conn.ts';
export { FirstAvailableSelector } from './first-available.ts';
export { RandomSelector, DEFAULT_RANDOM_DRAWS } from './weighted-random.ts';
