import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RoundRobinSelector } from '../../src/selection/index.ts';
import { eligibleServers } from './eligibility.ts';
import { backendOf, configuredView, names, weighted } from './fixtures.ts';

describe('RoundRobinSelector (HAProxy fwrr)', () => {
  it('interleaves by weight: 3/1/2 gives s1 s3 s1 s2 s1 s3, repeating', () => {
    const backend = weighted('roundrobin', [3, 1, 2]);
    const selector = new RoundRobinSelector(backend);
    expect(names(selector, backend, configuredView(backend), 12).join(' ')).toBe('s1 s3 s1 s2 s1 s3 s1 s3 s1 s2 s1 s3');
  });

  it('gives each server about its weight per cycle when nothing changes (fwrr is not exact)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 4 }), (weights, cycles) => {
        const backend = weighted('roundrobin', weights);
        const selector = new RoundRobinSelector(backend);
        const view = configuredView(backend);
        const total = weights.reduce((a, b) => a + b, 0);
        const counts = weights.map(() => 0);
        for (let i = 0; i < total * cycles; i++) counts[selector.select(view)!]!++;
        // e.g. 8/8/8/3 gives 9/8/8/2 in the first 27 picks, as the real haproxy does.
        counts.forEach((count, i) => expect(Math.abs(count - weights[i]! * cycles)).toBeLessThanOrEqual(Math.ceil(weights[i]! / 2) + 1));
      }),
    );
  });

  it('skips a server that goes down and places it back without a burst when it returns', () => {
    const backend = weighted('roundrobin', [1, 1, 1]);
    const selector = new RoundRobinSelector(backend);
    const view = configuredView(backend);
    expect(names(selector, backend, view, 3)).toEqual(['s1', 's2', 's3']);
    view.usable[1] = false;
    expect(names(selector, backend, view, 4)).toEqual(['s1', 's3', 's1', 's3']);
    view.usable[1] = true;
    const after = names(selector, backend, view, 9);
    expect(after.filter((n) => n === 's2')).toHaveLength(3);
    // Never twice in a row: it rejoins the rotation instead of catching up.
    expect(after.join(' ')).not.toMatch(/s2 s2/);
  });

  it('follows weight changes at run time', () => {
    const backend = weighted('roundrobin', [1, 1]);
    const selector = new RoundRobinSelector(backend);
    const view = configuredView(backend);
    names(selector, backend, view, 5);
    view.weights[0] = 3;
    const picks = names(selector, backend, view, 40);
    const s1 = picks.slice(8).filter((n) => n === 's1').length;
    expect(s1).toBe(24); // 32 picks after settling, 3:1
  });

  it('treats weight 0 as out of the rotation', () => {
    const backend = weighted('roundrobin', [2, 0, 1]);
    const selector = new RoundRobinSelector(backend);
    expect(names(selector, backend, configuredView(backend), 6)).not.toContain('s2');
  });

  it('avoids the failed server on redispatch when another one is usable', () => {
    const backend = weighted('roundrobin', [1, 1, 1]);
    const selector = new RoundRobinSelector(backend);
    const view = configuredView(backend);
    expect(selector.select(view, 0)).not.toBe(0);
    // The only usable server is returned even if it is the avoided one.
    view.usable[1] = view.usable[2] = false;
    expect(selector.select(view, 0)).toBe(0);
  });

  it('an avoided server loses its turn, as when HAProxy re-queues it "as if consumed"', () => {
    const backend = weighted('roundrobin', [1, 1, 1]);
    const selector = new RoundRobinSelector(backend);
    const view = configuredView(backend);
    expect(selector.select(view, 0)).toBe(1);
    expect(names(selector, backend, view, 6)).toEqual(['s3', 's1', 's2', 's3', 's1', 's2']);
  });

  it('uses backups only when no active server is usable, the first one only', () => {
    const backend = backendOf('roundrobin', [
      { name: 's1' },
      { name: 's2' },
      { name: 'b1', backup: true },
      { name: 'b2', backup: true },
    ]);
    const selector = new RoundRobinSelector(backend);
    const view = configuredView(backend);
    expect(names(selector, backend, view, 4)).toEqual(['s1', 's2', 's1', 's2']);
    view.usable[0] = view.usable[1] = false;
    expect(names(selector, backend, view, 3)).toEqual(['b1', 'b1', 'b1']);
    view.usable[2] = false;
    expect(names(selector, backend, view, 2)).toEqual(['b2', 'b2']);
    view.usable[2] = true; // a backup declared earlier comes back: it is first again
    expect(names(selector, backend, view, 2)).toEqual(['b1', 'b1']);
    view.usable[1] = true;
    expect(names(selector, backend, view, 2)).toEqual(['s2', 's2']);
    view.usable[2] = view.usable[3] = view.usable[1] = false;
    expect(selector.select(view)).toBeUndefined();
  });

  it('with allbackups, balances over all usable backups by weight', () => {
    const backend = backendOf(
      'roundrobin',
      [{ name: 's1', disabled: true }, { name: 'b1', backup: true, weight: 3 }, { name: 'b2', backup: true, weight: 1 }],
      true,
    );
    const selector = new RoundRobinSelector(backend);
    const picks = names(selector, backend, configuredView(backend), 8);
    expect(picks.filter((n) => n === 'b1')).toHaveLength(6);
    expect(picks.filter((n) => n === 'b2')).toHaveLength(2);
  });

  it('skips servers at their maxconn, and finds none when all are full', () => {
    const backend = backendOf('roundrobin', [{ name: 's1', maxconn: 1 }, { name: 's2' }]);
    const selector = new RoundRobinSelector(backend);
    const view = configuredView(backend);
    view.activeConnections[0] = 1;
    expect(names(selector, backend, view, 3)).toEqual(['s2', 's2', 's2']);
    const full = backendOf('roundrobin', [{ name: 's1', maxconn: 1 }]);
    const fullView = configuredView(full);
    fullView.activeConnections[0] = 1;
    expect(new RoundRobinSelector(full).select(fullView)).toBeUndefined();
  });

  it('under any sequence of state and weight changes, picks only eligible servers and avoids when it can', () => {
    const specs = fc.array(
      fc.record({ weight: fc.integer({ min: 0, max: 8 }), backup: fc.boolean(), disabled: fc.boolean() }),
      { minLength: 1, maxLength: 6 },
    );
    const step = fc.record({
      server: fc.nat(),
      usable: fc.boolean(),
      weight: fc.integer({ min: 0, max: 8 }),
      picks: fc.integer({ min: 0, max: 10 }),
      avoid: fc.option(fc.nat(), { nil: undefined }),
    });
    fc.assert(
      fc.property(specs, fc.boolean(), fc.array(step, { maxLength: 25 }), (servers, allBackups, steps) => {
        const backend = backendOf('roundrobin', servers.map((s, i) => ({ name: `s${i}`, ...s })), allBackups);
        const selector = new RoundRobinSelector(backend);
        const view = configuredView(backend);
        for (const st of steps) {
          const i = st.server % servers.length;
          view.usable[i] = st.usable;
          view.weights[i] = st.weight;
          const avoid = st.avoid === undefined ? undefined : st.avoid % servers.length;
          const eligible = eligibleServers(backend, view);
          for (let p = 0; p < st.picks; p++) {
            const picked = selector.select(view, avoid);
            if (eligible.length === 0) expect(picked).toBeUndefined();
            else expect(eligible).toContain(picked);
            if (avoid !== undefined && eligible.length > 1 && eligible.includes(avoid)) expect(picked).not.toBe(avoid);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('once the windows opened before a change have ended, serves each server its weight again', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 2, maxLength: 5 }),
        fc.array(fc.record({ server: fc.nat(), weight: fc.integer({ min: 0, max: 10 }), picks: fc.integer({ min: 0, max: 7 }) }), { maxLength: 10 }),
        (weights, changes) => {
          const backend = weighted('roundrobin', weights);
          const selector = new RoundRobinSelector(backend);
          const view = configuredView(backend);
          let largestTotal = weights.reduce((a, b) => a + b, 0);
          for (const c of changes) {
            view.weights[c.server % weights.length] = c.weight;
            largestTotal = Math.max(largestTotal, view.weights.reduce((a, b) => a + b, 0));
            for (let p = 0; p < c.picks; p++) selector.select(view);
          }
          const total = view.weights.reduce((a, b) => a + b, 0);
          if (total === 0) return;
          // A server back from weight 0 is placed in the window that was open,
          // and a server that ran alone keeps positions far ahead of the
          // others, so one may be served alone for many windows: haproxy does
          // the same (oracle scenarios dyn2–dyn4: 75 picks in a row for 5/0/1).
          // Measured over 200k random runs, the transient stayed below a sixth
          // of largestTotal² per change; let it end.
          for (let i = 0; i < largestTotal ** 2 * (changes.length + 1); i++) selector.select(view);
          const cycles = 10;
          const counts = view.weights.map(() => 0);
          for (let i = 0; i < total * cycles; i++) counts[selector.select(view)!]!++;
          counts.forEach((count, i) => {
            expect(Math.abs(count - view.weights[i]! * cycles)).toBeLessThanOrEqual(view.weights[i]! + 1);
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});
