/**
 * A server's administrative state, as set from the stats page or the admin
 * API (HAProxy's `set server … state ready|drain|maint` and `weight`):
 * - ready: normal;
 * - drain: keeps its sticky clients (cookie persistence) but gets no new ones;
 * - maint: gets nothing; sticky clients are sent elsewhere.
 */
export type AdminMode = 'ready' | 'drain' | 'maint';

export interface AdminState {
  readonly mode: AdminMode;
  /** Effective weight, 0–256 (starts at the configured weight). */
  readonly weight: number;
}
