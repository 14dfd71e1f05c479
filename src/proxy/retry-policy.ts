/**
 * What to do after a connection attempt failed before the request was sent
 * (HAProxy's back_handle_st_cer in 2.6, paraphrased):
 * - no retries left → give up (503);
 * - `option redispatch` and either the server is no longer usable, this is the
 *   last retry, or the request was not pinned by a cookie and a round-robin
 *   backend has more than one usable active server → pick another server now;
 * - otherwise retry the same server after a turn-around delay of
 *   min(1 s, `timeout connect`), so a dead server is not hammered — after a
 *   connection error only: an attempt that ran out of `timeout connect` has
 *   waited long enough (HAProxy: `must_tar` is the connection's error flag).
 * A redispatch waits the same turn-around unless a round-robin backend still
 * has more than one usable active server ("only wait when we're retrying on
 * the same server"): with one server left, it may well be the one that failed.
 */
import type { BalanceAlgorithm } from '../config/types.ts';

export interface RetryContext {
  /** Retries already made for this request. */
  readonly retriesMade: number;
  /** `retries N` */
  readonly retries: number;
  readonly redispatch: boolean;
  /** The server was chosen by the persistence cookie (HAProxy's SF_DIRECT). */
  readonly direct: boolean;
  readonly serverStillUsable: boolean;
  readonly algorithm: BalanceAlgorithm;
  /** Usable non-backup servers in the backend. */
  readonly usableActiveServers: number;
  /** The attempt failed with an error (refused, reset), not by running out of `timeout connect`. */
  readonly connectionError: boolean;
  /** `timeout connect`, ms */
  readonly connectTimeout?: number;
}

export type RetryDecision =
  | { readonly action: 'give-up' }
  | { readonly action: 'redispatch'; readonly delayMs: number }
  | { readonly action: 'same-server'; readonly delayMs: number };

const TURN_AROUND_MS = 1000;

export function decideRetry(ctx: RetryContext): RetryDecision {
  if (ctx.retriesMade >= ctx.retries) return { action: 'give-up' };
  const isLastRetry = ctx.retriesMade + 1 === ctx.retries;
  const roundRobinKind = ctx.algorithm === 'roundrobin' || ctx.algorithm === 'static-rr';
  const turnAround = ctx.connectionError ? Math.min(TURN_AROUND_MS, ctx.connectTimeout ?? TURN_AROUND_MS) : 0;
  if (
    ctx.redispatch &&
    (!ctx.serverStillUsable || isLastRetry || (!ctx.direct && roundRobinKind && ctx.usableActiveServers > 1))
  ) {
    return { action: 'redispatch', delayMs: roundRobinKind && ctx.usableActiveServers > 1 ? 0 : turnAround };
  }
  return { action: 'same-server', delayMs: turnAround };
}
