/**
 * Failed stats logins, per client: password guessing must not be cheap, and
 * must not cost the balancer the CPU its application traffic needs. HAProxy
 * answers every guess at once; here, after a few failures, each further
 * failure from the same client is answered only after a delay that doubles up
 * to a ceiling, and while that delay runs every other attempt from the client
 * waits for it too and is refused unchecked. A guesser on one connection gets
 * about one try per `maxDelay`; many parallel connections do not help, and
 * waiting costs a timer, not CPU. A success clears the client's record.
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

export interface FailureRecord {
  readonly failures: number;
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

/** The record after one more failure at `now`. */
export function recordFailure(previous: FailureRecord | undefined, now: number, config: LoginThrottleConfig): FailureRecord {
  const failures = previous && now - previous.lastFailure < FORGET_AFTER_MS ? previous.failures + 1 : 1;
  return { failures, lastFailure: now, blockedUntil: now + failureDelay(failures, config) };
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

  /** Records a failed attempt; returns how long to hold its refusal (ms). */
  failed(address: string, now: number): number {
    const key = clientKey(address);
    const previous = this.#clients.get(key);
    // Attempts checked side by side all fail at once: only the first one counts,
    // the others share its delay (as if they had arrived while it was blocked).
    if (previous && previous.blockedUntil > now) return previous.blockedUntil - now;
    const record = recordFailure(previous, now, this.#config);
    // Re-inserted at the end, so the Map's order is least recently failed first.
    this.#clients.delete(key);
    this.#clients.set(key, record);
    if (this.#clients.size > MAX_CLIENTS) this.#clients.delete(this.#clients.keys().next().value!);
    return record.blockedUntil - now;
  }

  succeeded(address: string): void {
    this.#clients.delete(clientKey(address));
  }
}
