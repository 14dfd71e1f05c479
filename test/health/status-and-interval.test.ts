import { describe, expect, it } from 'vitest';
import { describeStatus, MemoryHealthStore, nextCheckDelay, totalDowntime } from '../../src/health/index.ts';
import type { HealthState } from '../../src/health/types.ts';
import { check } from './fixtures.ts';

const state = (health: number, up: boolean): HealthState => ({ health, up, lastChange: 0, downtime: 0, chkfail: 0, chkdown: 0 });

describe('describeStatus (stats.c srv_hlt_st)', () => {
  const c = check({ rise: 2, fall: 3 }); // full health 4
  it.each([
    [4, true, 'UP'],
    [3, true, 'UP 2/3'],
    [2, true, 'UP 1/3'],
    [0, false, 'DOWN'],
    [1, false, 'DOWN 1/2'],
  ])('health %i, up %s → %s', (health, up, text) => {
    expect(describeStatus(state(health, up), c)).toBe(text);
  });

  it('observed on haproxy 2.6.12: rise 3 fall 2 starts "UP 1/2", recovering shows "DOWN 1/3"', () => {
    const c32 = check({ rise: 3, fall: 2 });
    expect(describeStatus(state(3, true), c32)).toBe('UP 1/2');
    expect(describeStatus(state(1, false), c32)).toBe('DOWN 1/3');
  });
});

describe('nextCheckDelay (server.c srv_getinter)', () => {
  const c = check({ inter: 2000, fastinter: 500, downinter: 10_000, rise: 2, fall: 3 });
  it('inter at full health', () => expect(nextCheckDelay(state(4, true), c)).toBe(2000));
  it('fastinter while UP below full health, including right after start-up', () => {
    expect(nextCheckDelay(state(2, true), c)).toBe(500);
    expect(nextCheckDelay(state(3, true), c)).toBe(500);
  });
  it('fastinter while DOWN but recovering', () => expect(nextCheckDelay(state(1, false), c)).toBe(500));
  it('downinter when completely DOWN', () => expect(nextCheckDelay(state(0, false), c)).toBe(10_000));
  it('falls back to inter when fastinter/downinter are 0', () => {
    const c0 = check({ inter: 3000, fastinter: 0, downinter: 0 });
    expect(nextCheckDelay(state(0, false), c0)).toBe(3000);
    expect(nextCheckDelay(state(2, true), c0)).toBe(3000);
  });
});

describe('totalDowntime (srv_downtime)', () => {
  it('adds the current DOWN period', () => {
    expect(totalDowntime({ ...state(0, false), lastChange: 1000, downtime: 300 }, 4000)).toBe(3300);
    expect(totalDowntime({ ...state(4, true), lastChange: 1000, downtime: 300 }, 4000)).toBe(300);
  });
});

describe('MemoryHealthStore', () => {
  it('keeps states by "backend/server"', () => {
    const store = new MemoryHealthStore();
    expect(store.get('app/s1')).toBeUndefined();
    store.set('app/s1', state(4, true));
    store.set('app/s1', state(3, true));
    store.set('app/s2', state(0, false));
    expect(store.get('app/s1')?.health).toBe(3);
    expect([...store.entries()].map(([k]) => k)).toEqual(['app/s1', 'app/s2']);
  });
});
