export type { CheckResult, CheckStatus, HealthState, HealthStore } from './types.ts';
export { initialHealthState } from './initial-state.ts';
export { applyCheckResult, type CheckOutcome, type HealthTransition } from './apply-check-result.ts';
export { nextCheckDelay } from './check-interval.ts';
export { describeStatus } from './describe-status.ts';
export { totalDowntime } from './downtime.ts';
export { checkStatusDescription } from './check-status-text.ts';
export { formatTransitionLog, asciiEncode, type TransitionLogInput } from './transition-log.ts';
export { MemoryHealthStore } from './memory-store.ts';
