/**
 * Every scenario of scenarios/ on every runtime of runtimes.ts, with real
 * backends on 127.0.0.1. A runtime that differs on purpose runs the steps the
 * scenario states for it instead (or none, with the reason). Each outcome is
 * written to test/artifacts/conformance.json, from which
 * `npm run conformance:matrix` generates the README's matrix.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runScenario } from './driver.ts';
import { RUNTIMES } from './runtimes.ts';
import { SCENARIOS } from './scenarios/index.ts';
import type { Outcome } from './outcome.ts';

const outcomes: Outcome[] = [];

afterAll(() => {
  // In the order of the scenarios and runtimes, whatever order the tests finished in.
  const rank = (o: Outcome) => SCENARIOS.findIndex((s) => s.name === o.scenario) * RUNTIMES.length + RUNTIMES.findIndex((r) => r.name === o.runtime);
  outcomes.sort((a, b) => rank(a) - rank(b));
  const dir = new URL('../artifacts/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL('conformance.json', dir), `${JSON.stringify(outcomes, null, 2)}\n`);
});

describe.each(SCENARIOS)('$name', (scenario) => {
  for (const runtime of RUNTIMES) {
    const difference = scenario.differs?.[runtime.name];
    const steps = difference ? difference.steps : scenario.steps;
    const base = { scenario: scenario.name, runtime: runtime.name, differs: difference?.why };
    if (!steps) {
      // Not runnable there by design: the scenario must say why.
      it(`on ${runtime.name}: not run (${difference!.why})`, () => expect(difference!.why.length).toBeGreaterThan(10));
      outcomes.push({ ...base, result: 'not run' });
      continue;
    }
    it(`on ${runtime.name}`, async () => {
      try {
        await runScenario(scenario, runtime, steps);
        outcomes.push({ ...base, result: 'passed' });
      } catch (error) {
        outcomes.push({ ...base, result: 'failed' });
        throw error;
      }
    });
  }
});
