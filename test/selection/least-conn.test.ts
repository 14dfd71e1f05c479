import { describe, expect, it } from 'vitest';
import { LeastConnSelector } from '../../src/selection/index.ts';
import { backendOf, configuredView, names, weighted } from './fixtures.ts';

describe('LeastConnSelector (HAProxy fwlc)', () => {
  it('takes turns among idle servers whatever their weights', () => {
    const backend = weighted('leastconn', [3, 1, 1]);
    const selector = new LeastConnSelector(backend);
    expect(names(selector, backend, configuredView(backend), 6)).toEqual(['s1', 's2', 's3', 's1', 's2', 's3']);
  });

  it('picks the server with the fewest connections', () => {
    const backend = weighted('leastconn', [1, 1, 1]);
    const selector = new LeastConnSelector(backend);
    const view = configuredView(backend);
    view.activeConnections.splice(0, 3, 5, 1, 3);
    expect(selector.select(view)).toBe(1);
    view.activeConnections.splice(0, 3, 5, 4, 3);
    expect(selector.select(view)).toBe(2);
  });

  it('weighs connections by weight: (conns + 1) / weight', () => {
    const backend = weighted('leastconn', [4, 1]);
    const selector = new LeastConnSelector(backend);
    const view = configuredView(backend);
    view.activeConnections.splice(0, 2, 3, 1); // 4/4 = 1 vs 2/1 = 2
    expect(selector.select(view)).toBe(0);
  });

  it('counts the connection it just handed out until the view says otherwise', () => {
    const backend = weighted('leastconn', [1, 1]);
    const selector = new LeastConnSelector(backend);
    const view = configuredView(backend);
    view.activeConnections.splice(0, 2, 1, 1);
    // Two picks before any connection count is reported: not the same server twice.
    expect([selector.select(view), selector.select(view)].sort()).toEqual([0, 1]);
  });

  it('round-robins among servers with equal load as connections come and go', () => {
    const backend = weighted('leastconn', [1, 1, 1]);
    const selector = new LeastConnSelector(backend);
    const view = configuredView(backend);
    const picks: number[] = [];
    for (let i = 0; i < 6; i++) {
      const s = selector.select(view)!;
      picks.push(s);
      view.activeConnections[s]!++; // connected…
      view.activeConnections[s]!--; // …and finished before the next request
    }
    expect(picks).toEqual([0, 1, 2, 0, 1, 2]);
  });

  it('skips saturated and avoided servers, uses backups only without actives', () => {
    const backend = backendOf('leastconn', [
      { name: 's1', maxconn: 2 },
      { name: 's2' },
      { name: 'b1', backup: true },
    ]);
    const selector = new LeastConnSelector(backend);
    const view = configuredView(backend);
    view.activeConnections.splice(0, 3, 2, 9, 0);
    expect(selector.select(view)).toBe(1);
    view.activeConnections.splice(0, 3, 0, 0, 0);
    expect(selector.select(view, 0)).toBe(1);
    expect(selector.select(view, 1)).toBe(0);
    view.usable[0] = view.usable[1] = false;
    expect(selector.select(view)).toBe(2);
    view.usable[2] = false;
    expect(selector.select(view)).toBeUndefined();
  });
});
