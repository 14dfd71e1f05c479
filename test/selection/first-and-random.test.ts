import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSelector, FirstAvailableSelector, LeastConnSelector, RandomSelector, RoundRobinSelector, StaticRoundRobinSelector } from '../../src/selection/index.ts';
import { eligibleServers } from './eligibility.ts';
import { backendOf, configuredView, weighted } from './fixtures.ts';

describe('FirstAvailableSelector (HAProxy first)', () => {
  it('fills the first server up to its maxconn before using the next', () => {
    const backend = backendOf('first', [
      { name: 's1', maxconn: 2 },
      { name: 's2', maxconn: 1 },
      { name: 's3' },
    ]);
    const selector = new FirstAvailableSelector(backend);
    const view = configuredView(backend);
    expect(selector.select(view)).toBe(0);
    view.activeConnections[0] = 2;
    expect(selector.select(view)).toBe(1);
    view.activeConnections[1] = 1;
    expect(selector.select(view)).toBe(2);
    view.usable[2] = false;
    expect(selector.select(view)).toBeUndefined(); // HAProxy would queue
  });

  it('skips the avoided server and unusable ones, keeps declaration order', () => {
    const backend = weighted('first', [1, 1, 1]);
    const selector = new FirstAvailableSelector(backend);
    const view = configuredView(backend);
    expect(selector.select(view, 0)).toBe(1);
    view.usable[1] = false;
    expect(selector.select(view, 0)).toBe(2);
    view.usable[2] = false;
    expect(selector.select(view, 0)).toBe(0);
  });
});

describe('RandomSelector (HAProxy random, 2 draws)', () => {
  it('draws in proportion to weights', () => {
    const backend = weighted('random', [3, 1]);
    let seed = 1;
    const lcg = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const selector = new RandomSelector(backend, lcg, 1);
    const counts = [0, 0];
    for (let i = 0; i < 4000; i++) counts[selector.select(configuredView(backend))!]!++;
    expect(counts[0]! / 4000).toBeGreaterThan(0.7);
    expect(counts[0]! / 4000).toBeLessThan(0.8);
  });

  it('of two draws keeps the less loaded server relative to its weight', () => {
    const backend = weighted('random', [1, 1]);
    const draws = [0.1, 0.9]; // s1 then s2
    const selector = new RandomSelector(backend, () => draws.shift()!);
    const view = configuredView(backend);
    view.activeConnections.splice(0, 2, 1, 3);
    expect(selector.select(view)).toBe(0);
  });

  it('gives up when the chosen server is full', () => {
    const backend = backendOf('random', [{ name: 's1', maxconn: 1 }]);
    const view = configuredView(backend);
    view.activeConnections[0] = 1;
    expect(new RandomSelector(backend, () => 0.5).select(view)).toBeUndefined();
  });
});

describe('every algorithm', () => {
  const algorithms = [
    ['roundrobin', (b: Parameters<typeof createSelector>[0]) => new RoundRobinSelector(b)],
    ['static-rr', (b: Parameters<typeof createSelector>[0]) => new StaticRoundRobinSelector(b)],
    ['leastconn', (b: Parameters<typeof createSelector>[0]) => new LeastConnSelector(b)],
    ['first', (b: Parameters<typeof createSelector>[0]) => new FirstAvailableSelector(b)],
    ['random', (b: Parameters<typeof createSelector>[0]) => new RandomSelector(b, () => 0.42)],
  ] as const;

  it('createSelector picks the class of the backend\'s algorithm', () => {
    expect(createSelector(weighted('roundrobin', [1]))).toBeInstanceOf(RoundRobinSelector);
    expect(createSelector(weighted('static-rr', [1]))).toBeInstanceOf(StaticRoundRobinSelector);
    expect(createSelector(weighted('leastconn', [1]))).toBeInstanceOf(LeastConnSelector);
    expect(createSelector(weighted('first', [1]))).toBeInstanceOf(FirstAvailableSelector);
    expect(createSelector(weighted('random', [1]), () => 0)).toBeInstanceOf(RandomSelector);
  });

  for (const [name, make] of algorithms) {
    it(`${name}: only eligible servers (backup rules included), the avoided one only when alone`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.record({ weight: fc.integer({ min: 0, max: 5 }), backup: fc.boolean() }), { minLength: 1, maxLength: 6 }),
          fc.boolean(),
          fc.array(
            fc.record({ server: fc.nat(), usable: fc.boolean(), conns: fc.integer({ min: 0, max: 3 }), avoid: fc.option(fc.nat(), { nil: undefined }) }),
            { maxLength: 20 },
          ),
          (servers, allBackups, steps) => {
            const backend = backendOf(name, servers.map((s, i) => ({ name: `s${i}`, ...s })), allBackups);
            const selector = make(backend);
            const view = configuredView(backend);
            for (const st of steps) {
              const i = st.server % servers.length;
              view.usable[i] = st.usable;
              view.activeConnections[i] = st.conns;
              const avoid = st.avoid === undefined ? undefined : st.avoid % servers.length;
              const eligible = eligibleServers(backend, view);
              const picked = selector.select(view, avoid);
              if (eligible.length === 0) {
                expect(picked).toBeUndefined();
                continue;
              }
              const activeInUse = eligible.some((e) => !backend.servers[e]!.backup);
              // static-rr's map may hold later backups too (see static-map.test.ts).
              if (name === 'static-rr' && !activeInUse) expect(backend.servers[picked!]!.backup).toBe(true);
              else expect(eligible).toContain(picked);
              if (avoid !== undefined && eligible.length > 1 && eligible.includes(avoid) && (activeInUse || name !== 'static-rr'))
                expect(picked).not.toBe(avoid);
            }
          },
        ),
        { numRuns: 200 },
      );
    });
  }
});
