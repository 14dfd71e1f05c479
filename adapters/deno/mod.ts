/** edge-balancer for Deno: the runtime-agnostic API plus the Deno adapter. */
export * from '../../src/index.ts';
export { startBalancer, type RunningBalancer, type ListenerAddress } from './serve.ts';
export { createDenoDeps, createConsoleLogger, type LogFormat } from './deno-deps.ts';
