/**
 * The hostile-input table (reliability/hostile-cases.ts) on edge-balancer on
 * Deno: its raw front answers malformed heads with HAProxy's pages
 * (adapters/deno/next-request.ts) and hands the rest to Deno.serve. It must
 * answer as haproxy does apart from the differences Node has too and the few
 * Deno.serve imposes, each explained in DENO_DIFFERENCES.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DELIBERATE_DIFFERENCES, DENO_DIFFERENCES, runHostileInput, sameOutcome, type HostileInputResult } from '../../reliability/hostile-input.ts';

let result: HostileInputResult;
beforeAll(async () => {
  result = await runHostileInput({ fuzzRuns: 100, edge: 'edge-balancer-deno' });
}, 180_000);

describe('hostile input: haproxy vs edge-balancer on Deno', () => {
  it('answers every case: nothing hung', () => {
    expect(result.cases.filter((r) => r.edge.answer === 'hung').map((r) => r.case.name)).toEqual([]);
  });

  it('forwards nothing haproxy refuses', () => {
    const refusedByHaproxy = result.cases.filter((r) => r.haproxy.reached.length === 0);
    expect(refusedByHaproxy.length).toBeGreaterThan(10);
    expect(refusedByHaproxy.filter((r) => r.edge.reached.length > 0).map((r) => r.case.name)).toEqual([]);
  });

  it("answers as haproxy does, apart from Node's deliberate differences and Deno.serve's", () => {
    const differing = result.cases.filter((r) => !sameOutcome(r.haproxy, r.edge)).map((r) => r.case.name);
    expect(differing.sort()).toEqual([...Object.keys(DELIBERATE_DIFFERENCES), ...Object.keys(DENO_DIFFERENCES)].sort());
    // Where it differs it refuses, forwards less, or (the absolute form) forwards the same request in origin form.
    for (const r of result.cases.filter((c) => differing.includes(c.case.name))) {
      expect(r.edge.reached.length, r.case.name).toBeLessThanOrEqual(r.haproxy.reached.length);
    }
  });

  it('generated requests: each answered or closed, none hung, and the balancer still serves', () => {
    expect(result.fuzz.tried).toBe(100);
    expect(result.fuzz.hungExamples).toEqual([]);
    expect(result.fuzz.answered + result.fuzz.closed).toBe(100);
    expect(result.fuzz.crashes).toBe(0);
  });
});
