import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Deadlines, type Deadline } from '../../src/proxy/deadlines.ts';

describe('Deadlines: many waits on one timer', () => {
  beforeEach(() => void vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => void vi.useRealTimers());

  const waitUntil = (at: number, expired: string[], name: string): Deadline => ({ at, expire: () => void expired.push(name) });

  it('expires each wait at its own time, not before, in order', () => {
    const deadlines = new Deadlines();
    const expired: string[] = [];
    deadlines.add(waitUntil(Date.now() + 100, expired, 'a'));
    deadlines.add(waitUntil(Date.now() + 300, expired, 'b'));
    deadlines.add(waitUntil(Date.now() + 50, expired, 'c')); // earlier than the timer set for `a`
    vi.advanceTimersByTime(49);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual(['c']);
    vi.advanceTimersByTime(50);
    expect(expired).toEqual(['c', 'a']);
    vi.advanceTimersByTime(199);
    expect(expired).toEqual(['c', 'a']);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual(['c', 'a', 'b']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('follows a wait whose deadline moved later (progress), and never expires a deleted one', () => {
    const deadlines = new Deadlines();
    const expired: string[] = [];
    const moving = waitUntil(Date.now() + 100, expired, 'moving');
    const ended = waitUntil(Date.now() + 100, expired, 'ended');
    deadlines.add(moving);
    deadlines.add(ended);
    vi.advanceTimersByTime(60);
    moving.at = Date.now() + 100; // due at +160 now
    deadlines.delete(ended);
    vi.advanceTimersByTime(99);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual(['moving']);
  });

  it('leaves no timer behind once every wait ended in time', () => {
    const deadlines = new Deadlines();
    const expired: string[] = [];
    const waits = [1, 2, 3].map((i) => waitUntil(Date.now() + 1000 * i, expired, `w${i}`));
    for (const w of waits) deadlines.add(w);
    expect(vi.getTimerCount()).toBe(1);
    for (const w of waits) deadlines.delete(w);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(5000);
    expect(expired).toEqual([]);
  });
});
