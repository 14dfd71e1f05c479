import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StaticRoundRobinSelector } from '../../src/selection/index.ts';
import { weightsGcd } from '../../src/selection/static-map.ts';
import { eligibleServers } from './eligibility.ts';
import { backendOf, configuredView, names, weighted } from './fixtures.ts';

describe('StaticRoundRobinSelector (HAProxy static-rr map)', () => {
  it('lays the weights out into an interleaved map, first declared first', () => {
    const backend = weighted('static-rr', [3, 1, 2]);
    const selector = new StaticRoundRobinSelector(backend);
    // Not fwrr's s1 s3 s1 s2 s1 s3: the real haproxy's static-rr gives this too.
    expect(selector.map.map((s) => s?.index)).toEqual([0, 0, 2, 0, 1, 2]);
    expect(names(selector, backend, configuredView(backend), 7)).toEqual(['s1', 's1', 's3', 's1', 's2', 's3', 's1']);
  });

  it('reduces the map by the GCD of the weights', () => {
    expect(weightsGcd([4, 6, 2])).toBe(2);
    expect(weightsGcd([0, 9, 6])).toBe(3);
    expect(weightsGcd([0, 0])).toBe(1);
    expect(new StaticRoundRobinSelector(weighted('static-rr', [4, 6, 2])).map).toHaveLength(6);
  });

  it('gives each server exactly its weight per cycle', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 8 }), (weights) => {
        const backend = weighted('static-rr', weights);
        const selector = new StaticRoundRobinSelector(backend);
        const gcd = weightsGcd(weights);
        const total = weights.reduce((a, b) => a + b, 0) / gcd;
        const counts = weights.map(() => 0);
        for (let i = 0; i < total; i++) counts[selector.select(configuredView(backend))!]!++;
        expect(counts).toEqual(weights.map((w) => w / gcd));
      }),
    );
  });

  it('rebuilds the map when a server goes down or comes back, keeping the cursor', () => {
    const backend = weighted('static-rr', [1, 1, 1]);
    const selector = new StaticRoundRobinSelector(backend);
    const view = configuredView(backend);
    expect(names(selector, backend, view, 2)).toEqual(['s1', 's2']);
    view.usable[1] = false;
    expect(names(selector, backend, view, 3)).toEqual(['s1', 's3', 's1']);
    view.usable[1] = true;
    expect(names(selector, backend, view, 3)).toEqual(['s2', 's3', 's1']);
  });

  it('ignores weight values other than 0 (static weights)', () => {
    const backend = weighted('static-rr', [2, 1]);
    const selector = new StaticRoundRobinSelector(backend);
    const view = configuredView(backend);
    view.weights[1] = 50;
    expect(names(selector, backend, view, 6)).toEqual(['s1', 's1', 's2', 's1', 's1', 's2']);
    view.weights[0] = 0;
    expect(names(selector, backend, view, 2)).toEqual(['s2', 's2']);
  });

  it("without allbackups, a heavier second backup shares the first backup's slots (as haproxy does)", () => {
    const backend = backendOf('static-rr', [
      { name: 's1', disabled: true },
      { name: 'b1', backup: true, weight: 2 },
      { name: 'b2', backup: true, weight: 3 },
    ]);
    expect(names(new StaticRoundRobinSelector(backend), backend, configuredView(backend), 4)).toEqual(['b1', 'b2', 'b1', 'b2']);
  });

  it('avoids the failed server when another is usable, and finds none when nothing is usable', () => {
    const backend = weighted('static-rr', [1, 1]);
    const selector = new StaticRoundRobinSelector(backend);
    const view = configuredView(backend);
    expect(names(selector, backend, view, 3, 0)).toEqual(['s2', 's2', 's2']);
    view.usable[1] = false;
    expect(selector.select(view, 0)).toBe(0);
    view.usable[0] = false;
    expect(selector.select(view)).toBeUndefined();
  });

  it('picks only usable servers of the group in use under any state changes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ weight: fc.integer({ min: 0, max: 6 }), backup: fc.boolean() }), { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        fc.array(fc.record({ server: fc.nat(), usable: fc.boolean(), picks: fc.integer({ min: 0, max: 6 }) }), { maxLength: 20 }),
        (servers, allBackups, steps) => {
          const backend = backendOf('static-rr', servers.map((s, i) => ({ name: `s${i}`, ...s })), allBackups);
          const selector = new StaticRoundRobinSelector(backend);
          const view = configuredView(backend);
          for (const st of steps) {
            view.usable[st.server % servers.length] = st.usable;
            const eligible = eligibleServers(backend, view);
            const hasActive = eligible.some((i) => !backend.servers[i]!.backup);
            for (let p = 0; p < st.picks; p++) {
              const picked = selector.select(view);
              if (eligible.length === 0) expect(picked).toBeUndefined();
              else if (hasActive || allBackups) expect(eligible).toContain(picked);
              else expect(backend.servers[picked!]!.backup && view.usable[picked!]).toBe(true);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
