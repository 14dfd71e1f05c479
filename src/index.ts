/** edge-balancer's runtime-agnostic public API. */
export { createBalancer, type BalancerApp, type BalancerBindings } from './app.ts';
export { startHealthChecks, checkServer, type HealthChecks } from './health/scheduler.ts';
export { BalancerState } from './balancer/balancer-state.ts';
export { MemoryHealthStore } from './health/memory-store.ts';
export { createFetchUpstream } from './proxy/fetch-upstream.ts';
export * from './config/index.ts';
export type * from './config/types.ts';
export type * from './deps.ts';
export { UpstreamError, globalTimers, systemClock } from './deps.ts';
export type { HealthState, HealthStore, CheckResult, CheckStatus } from './health/types.ts';
export { MIN_ADMIN_TOKEN_KEY_LENGTH } from './stats/admin.ts';
