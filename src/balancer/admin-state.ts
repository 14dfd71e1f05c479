/**
 * A server's administrative state, as set from the stats page or the admin
 * API (HAProxy's `set server … state ready|drain|maint` and `weight`):
 * - ready: normal;
 * - drain: keeps its sticky clients (cookie persistence) but gets no new ones;
 * - maint: gets nothing; sticky clients are sent elsewhere.
 */
import type { BackendRuntime } from './backend-runtime.ts';

export type AdminMode = 'ready' | 'drain' | 'maint';

export interface AdminState {
  readonly mode: AdminMode;
  /** Effective weight, 0–256 (starts at the configured weight). */
  readonly weight: number;
}

/**
 * Takes admin states decided elsewhere (another worker's stats page), by
 * `backend/server`; names this configuration does not have are skipped.
 */
export function applyAdminStates(backends: Iterable<BackendRuntime>, states: Readonly<Record<string, AdminState>>): void {
  for (const runtime of backends) {
    runtime.keys.forEach((key, index) => {
      const state = states[key];
      if (state) runtime.setAdmin(index, state);
    });
  }
}
