/**
 * The failed-login throttle: the pure policy (delays, forgetting, who counts
 * as one client), then the stats endpoint with it, on timers the test fires
 * itself, so "held until the delay ends" is observed without waiting.
 */
import { describe, expect, it } from 'vitest';
import { clientKey, failureDelay, LoginThrottle, recordFailure, recordSuccess, UNATTRIBUTED } from '../../src/stats/login-throttle.ts';
import { basic, seedConfig, server, statsConfig, testDeps } from './fixtures.ts';
import { serveStats } from './serve-stats.ts';

const CONFIG = { freeFailures: 2, delay: 100, maxDelay: 1000 };

describe('login throttle policy', () => {
  it('answers the first failures at once, then doubles the delay up to the ceiling', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 50].map((n) => failureDelay(n, CONFIG))).toEqual([0, 0, 100, 200, 400, 800, 1000, 1000]);
  });

  it('counts consecutive failures, and starts again 15 minutes after the last one', () => {
    let record = recordFailure(undefined, 0, CONFIG);
    record = recordFailure(record, 1000, CONFIG);
    record = recordFailure(record, 2000, CONFIG);
    expect(record).toEqual({ failures: 3, byUser: new Map([[UNATTRIBUTED, 3]]), lastFailure: 2000, blockedUntil: 2100 });
    expect(recordFailure(record, 2000 + 15 * 60_000, CONFIG).failures).toBe(1);
  });

  it('treats an IPv6 /64 as one client, IPv4 addresses one by one', () => {
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe(clientKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'));
    expect(clientKey('2001:db8:1:2::1')).not.toBe(clientKey('2001:db8:1:3::1'));
    expect(clientKey('::ffff:10.0.0.1')).toBe(clientKey('10.0.0.1'));
    expect(clientKey('10.0.0.1')).not.toBe(clientKey('10.0.0.2'));
  });

  it('blocks a client for the delay of its last failure; other clients and a success are not affected', () => {
    const throttle = new LoginThrottle(CONFIG);
    expect([throttle.failed('a', 0), throttle.failed('a', 0), throttle.failed('a', 0)]).toEqual([0, 0, 100]);
    expect(throttle.blockedFor('a', 40)).toBe(60);
    // A failure checked side by side with the blocking one shares its delay and does not count.
    expect(throttle.failed('a', 50)).toBe(50);
    expect(throttle.failed('a', 100)).toBe(200);
    expect(throttle.blockedFor('a', 250)).toBe(50);
    expect(throttle.blockedFor('b', 40)).toBe(0);
    throttle.succeeded('b', 'admin');
    expect(throttle.blockedFor('a', 250)).toBe(50);
  });

  it("a success forgives only the failures of the user who logged in, not the address's others", () => {
    const throttle = new LoginThrottle(CONFIG);
    expect([throttle.failed('a', 0, 'admin'), throttle.failed('a', 1, 'admin')]).toEqual([0, 0]);
    throttle.succeeded('a', 'admin'); // a typo or two, then the right password: the slate is clean
    expect(throttle.failed('a', 2, 'ops')).toBe(0);
    throttle.succeeded('a', 'admin'); // knowing admin's password does not forgive guesses at ops's
    expect(throttle.failed('a', 3, 'ops')).toBe(0);
    expect(throttle.failed('a', 4, 'ops')).toBe(100);
    throttle.succeeded('a', 'admin');
    expect(throttle.blockedFor('a', 50)).toBe(54);
    expect(throttle.failed('a', 200, 'ops')).toBe(200);
    // ops's own success clears the record.
    throttle.succeeded('a', 'ops');
    expect(throttle.failed('a', 400, 'ops')).toBe(0);
  });

  it('failures without a user name, or beyond 16 names, are forgiven by no success', () => {
    let record = recordFailure(undefined, 0, CONFIG);
    record = recordFailure(record, 0, CONFIG, 'admin');
    expect(recordSuccess(record, 'admin')).toMatchObject({ failures: 1, byUser: new Map([[UNATTRIBUTED, 1]]) });
    expect(recordSuccess(recordFailure(undefined, 0, CONFIG, 'admin'), 'admin')).toBeUndefined();
    let many = recordFailure(undefined, 0, CONFIG, 'u0');
    for (let i = 1; i < 40; i++) many = recordFailure(many, 0, CONFIG, `u${i}`);
    expect(many.byUser.size).toBe(17);
    expect(many.byUser.get(UNATTRIBUTED)).toBe(24);
    expect(recordSuccess(many, 'u39')).toBe(many);
  });

  it('remembers a bounded number of clients, forgetting the least recently failed first', () => {
    const throttle = new LoginThrottle({ freeFailures: 0, delay: 100, maxDelay: 100 });
    throttle.failed('first', 0);
    for (let i = 0; i < 10_000; i++) throttle.failed(`10.0.${i >> 8}.${i & 255}`, 0);
    expect(throttle.blockedFor('first', 0)).toBe(0);
    expect(throttle.blockedFor('10.0.39.15', 0)).toBe(100);
  });
});

/** Timers the test fires: `fire()` runs every pending callback; `scheduled()` resolves at the next setTimeout. */
function manualTimers() {
  const pending = new Set<() => void>();
  let onSchedule: (() => void) | undefined;
  return {
    pending,
    setTimeout(fn: () => void) {
      pending.add(fn);
      onSchedule?.();
      return () => pending.delete(fn);
    },
    scheduled: () => new Promise<void>((resolve) => (onSchedule = resolve)),
    fire() {
      for (const fn of [...pending]) {
        pending.delete(fn);
        fn();
      }
    },
  };
}

/** 'pending' when `promise` has not settled once the callbacks queued so far have run. */
function settledYet<T>(promise: Promise<T>): Promise<T | 'pending'> {
  return Promise.race([promise, new Promise<'pending'>((resolve) => setImmediate(() => resolve('pending')))]);
}

describe('stats endpoint with the throttle', () => {
  async function setup() {
    const timers = manualTimers();
    const deps = { ...testDeps(), timers };
    const stats = statsConfig({ admin: false, loginThrottle: CONFIG });
    const served = await serveStats(seedConfig(0, 0, [server('s1', 1)], stats), deps);
    const entry = served.state.frontends.get('stats')!;
    const attempt = (password: string, address = '192.0.2.1', user = 'A_Username') =>
      served.service.serve(
        entry.frontend.stats,
        entry,
        new Request('http://lb.test/;csv', { headers: { authorization: basic(user, password) } }),
        address,
      )!;
    return { served, deps, timers, attempt };
  }

  it('holds the refusals beyond the free failures until their delay ends', async () => {
    const { served, timers, attempt } = await setup();
    try {
      expect((await attempt('wrong')).status).toBe(401);
      expect((await attempt('wrong')).status).toBe(401);
      const held = timers.scheduled();
      const third = attempt('wrong');
      await held;
      expect(await settledYet(third)).toBe('pending');
      timers.fire();
      expect((await third).status).toBe(401);
    } finally {
      await served.close();
    }
  });

  it('while a client is blocked, even the right password waits and is refused; afterwards it gets in', async () => {
    const { served, deps, timers, attempt } = await setup();
    try {
      await attempt('wrong');
      await attempt('wrong');
      const scheduled = timers.scheduled();
      const held = attempt('wrong');
      await scheduled;
      const blocked = timers.scheduled();
      const right = attempt('YourPassword');
      await blocked;
      const elsewhere = await attempt('YourPassword', '198.51.100.7');
      expect(elsewhere.status).toBe(200);
      expect(await settledYet(right)).toBe('pending');
      deps.clock.advance(CONFIG.delay);
      timers.fire();
      expect([(await held).status, (await right).status]).toEqual([401, 401]);
      expect((await attempt('YourPassword')).status).toBe(200);
      // The success cleared the record: the next failure is free again.
      expect((await attempt('wrong')).status).toBe(401);
      expect(timers.pending.size).toBe(0);
    } finally {
      await served.close();
    }
  });

  it("known-password logins interleaved with guesses at another user's password do not switch the throttle off", async () => {
    const { served, deps, timers, attempt } = await setup();
    const guess = () => attempt('guess', '192.0.2.1', 'Another_User');
    try {
      for (let i = 0; i < CONFIG.freeFailures; i++) {
        expect((await guess()).status).toBe(401);
        expect((await attempt('YourPassword')).status).toBe(200);
      }
      // The next guess is held, as if no login had succeeded in between.
      const scheduled = timers.scheduled();
      const held = guess();
      await Promise.race([scheduled, held]); // held answers at once when the throttle is off
      expect(await settledYet(held)).toBe('pending');
      deps.clock.advance(CONFIG.delay);
      timers.fire();
      expect((await held).status).toBe(401);
      // The known password still gets in once the delay is over, and forgives nothing of the guesses.
      expect((await attempt('YourPassword')).status).toBe(200);
      const again = timers.scheduled();
      const next = guess();
      await Promise.race([again, next]);
      expect(await settledYet(next)).toBe('pending');
      deps.clock.advance(2 * CONFIG.delay);
      timers.fire();
      expect((await next).status).toBe(401);
    } finally {
      await served.close();
    }
  });

  it('a request without credentials (a browser asking first) is not a failure', async () => {
    const { served, attempt, timers } = await setup();
    const entry = served.state.frontends.get('stats')!;
    try {
      for (let i = 0; i < 5; i++) {
        const bare = await served.service.serve(entry.frontend.stats, entry, new Request('http://lb.test/;csv'), '192.0.2.1')!;
        expect(bare.status).toBe(401);
      }
      expect((await attempt('YourPassword')).status).toBe(200);
      expect(timers.pending.size).toBe(0);
    } finally {
      await served.close();
    }
  });
});
