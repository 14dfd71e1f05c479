/** The Node adapter's public API. */
export { startBalancer, type RunningBalancer, type ListenerAddress, type StartOptions } from './serve.ts';
export { createNodeDeps, createConsoleLogger, type LogFormat } from './node-deps.ts';
export { loadConfigFiles } from '../command/load-config.ts';
