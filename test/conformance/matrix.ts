/**
 * `npm run conformance:matrix`: turns the conformance suite's outcomes
 * (test/artifacts/conformance.json, written by conformance.test.ts) into the
 * README's matrix, and rewrites only the README's section between its
 * conformance-matrix markers. Each deliberate difference becomes a numbered
 * note with the reason the scenario states.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Outcome } from './outcome.ts';

const COLUMNS = ['Node', 'Deno', 'Workers', 'haproxy'] as const;
const START = '<!-- conformance-matrix:start -->';
const END = '<!-- conformance-matrix:end -->';

export function renderMatrix(outcomes: readonly Outcome[]): string {
  const scenarios = [...new Set(outcomes.map((o) => o.scenario))];
  const notes: string[] = [];
  const noteFor = (why: string) => {
    if (!notes.includes(why)) notes.push(why);
    return notes.indexOf(why) + 1;
  };
  const cell = (scenario: string, runtime: string) => {
    const o = outcomes.find((x) => x.scenario === scenario && x.runtime === runtime);
    if (!o) throw new Error(`no outcome for '${scenario}' on ${runtime}: run the whole suite (npx vitest run test/conformance) first`);
    const mark = { passed: '✓', failed: '✗', 'not run': '–' }[o.result];
    return o.differs ? `${mark} (${noteFor(o.differs)})` : mark;
  };
  const rows = scenarios.map((s) => `| ${s} | ${COLUMNS.map((r) => cell(s, r)).join(' | ')} |`);
  return [
    `| Scenario | ${COLUMNS.join(' | ')} |`,
    `|---|${COLUMNS.map(() => ':---:').join('|')}|`,
    ...rows,
    '',
    '✓ passes · ✗ fails · – not run · (n) differs on purpose, and passes the steps the scenario states for that runtime:',
    '',
    ...notes.map((why, i) => `${i + 1}. ${why[0]!.toUpperCase()}${why.slice(1)}.`),
  ].join('\n');
}

export function replaceSection(readme: string, section: string): string {
  const from = readme.indexOf(START);
  const to = readme.indexOf(END);
  if (from < 0 || to < from) throw new Error(`README.md has no ${START} … ${END} section`);
  return `${readme.slice(0, from + START.length)}\n${section}\n${readme.slice(to)}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const outcomes = JSON.parse(readFileSync(new URL('../artifacts/conformance.json', import.meta.url), 'utf8')) as Outcome[];
  const matrix = renderMatrix(outcomes);
  const readmeUrl = new URL('../../README.md', import.meta.url);
  writeFileSync(readmeUrl, replaceSection(readFileSync(readmeUrl, 'utf8'), matrix));
  process.stdout.write(`${matrix}\n`);
}
