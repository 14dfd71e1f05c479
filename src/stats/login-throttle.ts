/**
 * Failed stats logins, per client: password guessing must not be cheap, and
 * must not cost the balancer the CPU its application traffic needs. HAProxy
 * answers every guess at once; here, after a few failures, each further
 * failure from the same client is answered only after a delay that doubles up
 * to a ceiling, and while that delay runs every other attempt from the client
 * waits for it too and is refused unchecked. A guesser on one connection gets
 * about one try per `maxDelay`; many parallel connections do not help, and
 * waiting costs a timer, not CPU.
 *
 * A success clears only the failures of the user who logged in: knowing one
 * password must not reset the count of guesses at another user's (the count
 * used to be cleared for the whole address, so interleaving a known login
 * made guessing free again). The failures with other user names, or with
 * none (a malformed header, a bad JWT), keep the address throttled.
 *
 * The cost: an administrator behind the same address as a guesser is refused
 * until the guessing stops (the delay never exceeds `maxDelay` after it).
 */
import type { LoginThrottleConfig } from '../config/types.ts';
import { parseAddress } from '../proxy/ip-address.ts';

/** Used when a stats section does not set `loginThrottle`. */
export const DEFAULT_LOGIN_THROTTLE: LoginThrottleConfig = { freeFailures: 5, delay: 500, maxDelay: 10_000 };

/** A client's failures are forgotten this long after its last one. */
const FORGET_AFTER_MS = 15 * 60_000;
/** Clients remembered at once; the least recently failed are forgotten first. */
const MAX_CLIENTS = 10_000;
/** User names counted apart per client; failures beyond them are counted as UNATTRIBUTED. */
const MAX_USERS_PER_CLIENT = 16;
/** Failures no success clears: no user name, or too many names. Not a valid Basic user name (it has a colon). */
export const UNATTRIBUTED = ':unattributed';

export interface FailureRecord {
  /** All the client's counted failures (the sum of `byUser`). */
  readonly failures: number;
  /** The same failures by the user name they tried. */
  readonly byUser: ReadonlyMap<string, number>;
  readonly lastFailure: number;
  /** Until then, attempts from this client wait and are refused unchecked. */
  readonly blockedUntil: number;
}

/** How long the refusal of the `failures`-th consecutive failure is held. */
export function failureDelay(failures: number, config: LoginThrottleConfig): number {
  const over = failures - config.freeFailures;
  if (over <= 0) return 0;
  // 2 ** over grows past any ceiling quickly; cap the exponent to stay finite.
  return Math.min(config.maxDelay, config.delay * 2 ** Math.min(over - 1, 30));
}

/** The record after one more failure at `now`, trying user name `user`. */
export function recordFailure(previous: FailureRecord | undefined, now: number, config: LoginThrottleConfig, user = UNATTRIBUTED): FailureRecord {
  const kept = previous && now - previous.lastFailure < FORGET_AFTER_MS ? previous : undefined;
  const byUser = new Map(kept?.byUser);
  const name = byUser.has(user) || byUser.size < MAX_USERS_PER_CLIENT ? user : UNATTRIBUTED;
  byUser.set(name, (byUser.get(name) ?? 0) + 1);
  const failures = (kept?.failures ?? 0) + 1;
  return { failures, byUser, lastFailure: now, blockedUntil: now + failureDelay(failures, config) };
}

/** The record once `user` logged in: without that user's failures; undefined when none are left. */
export function recordSuccess(previous: FailureRecord, user: string): FailureRecord | undefined {
  const mine = previous.byUser.get(user) ?? 0;
  if (mine === 0) return previous;
  if (mine === previous.failures) return undefined;
  const byUser = new Map(previous.byUser);
  byUser.delete(user);
  return { ...previous, failures: previous.failures - mine, byUser };
}

/**
 * Whom a record is about: the client's address, with IPv6 clients grouped by
 * their /64 (one host usually owns a whole /64, so single addresses are free).
 */
export function clientKey(address: string): string {
  const bytes = parseAddress(address);
  if (!bytes) return address;
  if (bytes.length === 4) return bytes.join('.');
  const groups = [];
  for (let i = 0; i < 8; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return `${groups.join(':')}::/64`;
}

export class LoginThrottle {
  readonly #config: LoginThrottleConfig;
  readonly #clients = new Map<string, FailureRecord>();

  constructor(config: LoginThrottleConfig) {
    this.#config = config;
  }

  /** ms an attempt from `address` must wait before being refused unchecked; 0 when it may be checked now. */
  blockedFor(address: string, now: number): number {
    const record = this.#clients.get(clientKey(address));
    return record ? Math.max(0, record.blockedUntil - now) : 0;
  }

  /** Records a failed attempt with user name `user` (none: UNATTRIBUTED); returns how long to hold its refusal (ms). */
  failed(address: string, now: number, user?: string): number {
    const key = clientKey(address);
    const previous = this.#clients.get(key);
    // Attempts checked side by side all fail at once: only the first one counts,
    // the others share its delay (as if they had arrived while it was blocked).
    if (previous && previous.blockedUntil > now) return previous.blockedUntil - now;
    const record = recordFailure(previous, now, this.#config, user);
    // Re-inserted at the end, so the Map's order is least recently failed first.
    this.#clients.delete(key);
    this.#clients.set(key, record);
    if (this.#clients.size > MAX_CLIENTS) this.#clients.delete(this.#clients.keys().next().value!);
    return record.blockedUntil - now;
  }

  /** `user` logged in from `address`: their own failures are forgiven, the address's others still count. */
  succeeded(address: string, user: string): void {
    const key = clientKey(address);
    const previous = this.#clients.get(key);
    if (!previous) return;
    const record = recordSuccess(previous, user);
    if (record) this.#clients.set(key, record);
    else this.#clients.delete(key);
  }
}
