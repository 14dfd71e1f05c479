import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ServerCheck } from '../../src/config/types.ts';
import { applyCheckResult, describeStatus, initialHealthState } from '../../src/health/index.ts';
import type { CheckResult, HealthState } from '../../src/health/types.ts';
import { serverIsUsable, takesNewClients } from '../../src/balancer/availability.ts';
import { check, OK, REFUSED } from './fixtures.ts';

/** Applies results in order; returns the states after each and the transitions. */
function run(c: ServerCheck, start: HealthState, results: readonly boolean[], t0 = 1000) {
  let state = start;
  const transitions: (string | undefined)[] = [];
  const statuses: string[] = [];
  results.forEach((ok, i) => {
    const out = applyCheckResult(state, ok ? OK : REFUSED, c, t0 + (i + 1) * 1000);
    state = out.state;
    transitions.push(out.transition);
    statuses.push(describeStatus(state, c));
  });
  return { state, transitions, statuses };
}

describe('initialHealthState', () => {
  it('starts UP at health = rise (stats "UP 1/fall"), observed on haproxy 2.6.12', () => {
    const c = check({ rise: 3, fall: 2 });
    const state = initialHealthState(c, 5000);
    expect(state).toEqual({ health: 3, up: true, lastChange: 5000, downtime: 0, chkfail: 0, chkdown: 0 });
    expect(describeStatus(state, c)).toBe('UP 1/2');
  });
});

describe('applyCheckResult', () => {
  it('one failure at start-up marks the server DOWN', () => {
    const c = check({ rise: 2, fall: 3 });
    const out = applyCheckResult(initialHealthState(c, 0), REFUSED, c, 700);
    expect(out.transition).toBe('DOWN');
    expect(out.state).toMatchObject({ health: 0, up: false, lastChange: 700, chkfail: 1, chkdown: 1, lastCheck: REFUSED });
  });

  it('a success at start-up jumps to full health', () => {
    const c = check({ rise: 2, fall: 3 });
    const out = applyCheckResult(initialHealthState(c, 0), OK, c, 700);
    expect(out.transition).toBeUndefined();
    expect(out.state).toMatchObject({ health: 4, up: true, lastChange: 0 });
    expect(describeStatus(out.state, c)).toBe('UP');
  });

  it('from full health, goes DOWN after `fall` failures, showing UP n/fall on the way', () => {
    const c = check({ rise: 2, fall: 3 });
    const full = { ...initialHealthState(c, 0), health: 4 };
    const { statuses, transitions, state } = run(c, full, [false, false, false]);
    expect(statuses).toEqual(['UP 2/3', 'UP 1/3', 'DOWN']);
    expect(transitions).toEqual([undefined, undefined, 'DOWN']);
    expect(state).toMatchObject({ chkfail: 3, chkdown: 1, lastChange: 4000 });
  });

  it('a success while UP but below full health jumps back to full (HAProxy snaps, it does not count)', () => {
    const c = check({ rise: 2, fall: 3 });
    const full = { ...initialHealthState(c, 0), health: 4 };
    expect(run(c, full, [false, false, true]).statuses).toEqual(['UP 2/3', 'UP 1/3', 'UP']);
  });

  it('from DOWN, comes UP after `rise` successes, showing DOWN n/rise on the way', () => {
    const c = check({ rise: 3, fall: 2 });
    const down: HealthState = { health: 0, up: false, lastChange: 1000, downtime: 500, chkfail: 1, chkdown: 1 };
    const { statuses, transitions, state } = run(c, down, [true, true, true]);
    expect(statuses).toEqual(['DOWN 1/3', 'DOWN 2/3', 'UP']);
    expect(transitions).toEqual([undefined, undefined, 'UP']);
    // Down from t=1000 to the UP at t=4000, plus the 500 ms before.
    expect(state).toMatchObject({ health: 4, up: true, lastChange: 4000, downtime: 3500 });
  });

  it('a failure while DOWN but recovering drops straight back to 0', () => {
    const c = check({ rise: 3, fall: 2 });
    const down: HealthState = { health: 0, up: false, lastChange: 0, downtime: 0, chkfail: 1, chkdown: 1 };
    const { statuses, state } = run(c, down, [true, true, false]);
    expect(statuses).toEqual(['DOWN 1/3', 'DOWN 2/3', 'DOWN']);
    expect(state.chkfail).toBe(2);
    expect(state.chkdown).toBe(1);
  });

  it('does not count failures of a server already at 0 in chkfail (observed: chkfail stays 1)', () => {
    const c = check();
    const start = initialHealthState(c, 0);
    const { state, transitions } = run(c, start, [false, false, false, false]);
    expect(state).toMatchObject({ health: 0, chkfail: 1, chkdown: 1 });
    expect(transitions).toEqual(['DOWN', undefined, undefined, undefined]);
  });

  it('with rise 1, one success brings a DOWN server UP', () => {
    const c = check({ rise: 1, fall: 1 });
    const down: HealthState = { health: 0, up: false, lastChange: 0, downtime: 0, chkfail: 1, chkdown: 1 };
    const out = applyCheckResult(down, OK, c, 10);
    expect(out.transition).toBe('UP');
    expect(out.state.health).toBe(1);
  });

  it('brings a stored health outside [0, rise+fall-1] back in range', () => {
    const c = check({ rise: 2, fall: 2 });
    const out = applyCheckResult({ ...initialHealthState(c, 0), health: 9 }, REFUSED, c, 1);
    expect(out.state.health).toBe(2);
  });

  const params = fc.record({ rise: fc.integer({ min: 1, max: 10 }), fall: fc.integer({ min: 1, max: 10 }) });

  it('health stays within [0, rise+fall-1] and UP/DOWN agrees with it', () => {
    fc.assert(
      fc.property(params, fc.array(fc.boolean(), { maxLength: 60 }), ({ rise, fall }, results) => {
        const c = check({ rise, fall });
        let state = initialHealthState(c, 0);
        for (const [i, ok] of results.entries()) {
          const before = state;
          const out = applyCheckResult(state, ok ? OK : REFUSED, c, i);
          state = out.state;
          expect(state.health).toBeGreaterThanOrEqual(0);
          expect(state.health).toBeLessThanOrEqual(rise + fall - 1);
          if (state.up) expect(state.health).toBeGreaterThanOrEqual(rise);
          if (!state.up) expect(state.health).toBeLessThan(rise);
          expect(out.transition === undefined).toBe(before.up === state.up);
          expect(state.chkdown - before.chkdown).toBe(out.transition === 'DOWN' ? 1 : 0);
        }
      }),
    );
  });

  it('from full health, exactly `fall` consecutive failures mark it DOWN', () => {
    fc.assert(
      fc.property(params, ({ rise, fall }) => {
        const c = check({ rise, fall });
        const full = { ...initialHealthState(c, 0), health: rise + fall - 1 };
        const { transitions, state } = run(c, full, Array<boolean>(fall).fill(false));
        expect(transitions.slice(0, -1).every((t) => t === undefined)).toBe(true);
        expect(transitions.at(-1)).toBe('DOWN');
        expect(state.up).toBe(false);
      }),
    );
  });

  it('from 0, exactly `rise` consecutive successes mark it UP', () => {
    fc.assert(
      fc.property(params, ({ rise, fall }) => {
        const c = check({ rise, fall });
        const down: HealthState = { health: 0, up: false, lastChange: 0, downtime: 0, chkfail: 0, chkdown: 0 };
        const { transitions, state } = run(c, down, Array<boolean>(rise).fill(true));
        expect(transitions.slice(0, -1).every((t) => t === undefined)).toBe(true);
        expect(transitions.at(-1)).toBe('UP');
        expect(state).toMatchObject({ up: true, health: rise + fall - 1 });
      }),
    );
  });

  it('does not mutate the state it is given', () => {
    const c = check();
    const state = Object.freeze(initialHealthState(c, 0));
    expect(() => applyCheckResult(state, REFUSED, c, 1)).not.toThrow();
    expect(state.health).toBe(2);
  });
});

describe('applyCheckResult with disable-on-404 (HAProxy NOLB, observed on 2.6.12)', () => {
  const NOLB: CheckResult = { ok: true, status: 'L7OKC', code: 404, durationMs: 0 };
  const PASS: CheckResult = { ok: true, status: 'L7OK', code: 200, durationMs: 0 };
  const FAIL: CheckResult = { ok: false, status: 'L7STS', code: 500, durationMs: 0 };
  const c = check({ rise: 2, fall: 3 });

  it('UP → NOLB on a conditional pass, back UP on a pass; NOLB n/fall while failing, then DOWN', () => {
    let state = initialHealthState(c, 0);
    const steps: [CheckResult, string, string | undefined][] = [
      [PASS, 'UP', undefined],
      [NOLB, 'NOLB', 'NOLB'],
      [NOLB, 'NOLB', undefined],
      [FAIL, 'NOLB 2/3', undefined],
      [NOLB, 'NOLB', undefined],
      [PASS, 'UP', 'UP'],
      [NOLB, 'NOLB', 'NOLB'],
      [FAIL, 'NOLB 2/3', undefined],
      [FAIL, 'NOLB 1/3', undefined],
      [FAIL, 'DOWN', 'DOWN'],
    ];
    steps.forEach(([result, status, transition], i) => {
      const out = applyCheckResult(state, result, c, (i + 1) * 1000);
      state = out.state;
      expect([describeStatus(state, c), out.transition]).toEqual([status, transition]);
    });
    expect(state).toMatchObject({ up: false, stopping: false, chkdown: 1, chkfail: 4 });
  });

  it('a NOLB server is usable (sticky clients) but takes no new clients', () => {
    const server = { name: 's', host: 'h', port: 1, weight: 1, backup: false, disabled: false, check: c, source: { file: 'f', line: 1 } };
    const state = applyCheckResult(initialHealthState(c, 0), NOLB, c, 1).state;
    expect(serverIsUsable(server, state)).toBe(true);
    expect(takesNewClients(server, state)).toBe(false);
    expect(takesNewClients(server, applyCheckResult(state, PASS, c, 2).state)).toBe(true);
  });
});
