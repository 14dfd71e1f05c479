/**
 * What the primary (the coordinator) and its worker processes say to each
 * other over cluster's IPC channel, when `nbthread`/`--threads` is above 1.
 * Plain JSON: health states, admin states and counter figures are data.
 */
import type { Worker } from 'node:cluster';
import type { HealthState } from '../../src/health/types.ts';
import type { AdminState } from '../../src/balancer/admin-state.ts';
import type { CounterReport } from '../../src/balancer/fleet-figures.ts';
import type { ListenerAddress } from '../command/running-balancer.ts';
import type { LogFormat } from '../command/console-logger.ts';

/** A server's admin state, by `backend/server`. */
export type AdminStates = Record<string, AdminState>;

/** What a worker needs to start: the same files the primary read, and the fleet's state so far. */
export interface WorkerSetup {
  readonly files: readonly string[];
  readonly logFormat: LogFormat;
  /** Signs admin forms in every worker (sections without their own key). */
  readonly adminTokenKey: string;
  /** Seeds every worker's TLS session ticket keys alike. */
  readonly tlsTicketSecret: string;
  readonly states: Record<string, HealthState>;
  readonly admin: AdminStates;
  /** This worker says what starting found (notices, warnings); the others, reading the same files, keep quiet. */
  readonly announce: boolean;
}

export type ToWorker =
  | { readonly type: 'setup'; readonly setup: WorkerSetup }
  /** A health check changed a server's state (the primary runs every check). */
  | { readonly type: 'health'; readonly key: string; readonly state: HealthState }
  /** Another worker's admin action. */
  | { readonly type: 'admin'; readonly admin: AdminStates }
  /** Send your counters (`id` ties the answer to one gathering). */
  | { readonly type: 'collect'; readonly id: number }
  /** The fleet's counters added up, the answer to `counters` `id`. */
  | { readonly type: 'totals'; readonly id: number; readonly report: CounterReport }
  /** Re-read the configuration files (SIGHUP on the primary, which has checked them). */
  | { readonly type: 'reload'; readonly graceMs: number; readonly adminTokenKey: string; readonly tlsTicketSecret: string; readonly announce: boolean }
  /** Finish in-flight requests within `graceMs`, then exit. */
  | { readonly type: 'stop'; readonly graceMs: number };

export type FromWorker =
  /** Listening for messages (one sent before would be lost): send the setup. */
  | { readonly type: 'ready' }
  | { readonly type: 'listening'; readonly listeners: readonly ListenerAddress[] }
  /** A stats page wants the fleet's counters. */
  | { readonly type: 'counters'; readonly id: number }
  | { readonly type: 'figures'; readonly id: number; readonly report: CounterReport }
  | { readonly type: 'admin'; readonly admin: AdminStates }
  | { readonly type: 'reloaded'; readonly error?: string }
  /** Could not start (configuration or listener error): the primary gives up. */
  | { readonly type: 'failed'; readonly error: string };

/** Set in a worker's environment: the process is a worker of this primary. */
export const WORKER_ENV = 'EDGE_BALANCER_WORKER';

/** Tells `worker`; an exiting worker may have closed its channel, and what it misses no longer matters. */
export function send(worker: Worker, message: ToWorker): void {
  if (worker.isConnected()) worker.send(message, (error: Error | null) => void error);
}
