/**
 * `npm run conformance:matrix`: turns the conformance suite's outcomes
 * (test/artifacts/conformance.json, written by conformance.test.ts) into the
 * README's matrix, between its conformance-matrix markers.
 */
import { readFileSync, writeFileSync } from 'node:fs';

interface Outcome {
  readonly scenario: string;
  readonly runtime: string;
  readonly passed: boolean;
  readonly differs?: string;
}

const COLUMNS = ['Node', 'Deno', 'Workers', 'haproxy'] as const;
const NOT_RUN: Partial<Record<(typeof COLUMNS)[number], string>> = {};

const outcomes = JSON.parse(readFileSync(new URL('../artifacts/conformance.json', import.meta.url), 'utf8')) as Outcome[];
const scenarios = [...new Set(outcomes.map((o) => o.scenario))];
const cell = (scenario: string, runtime: string) => {
  const o = outcomes.find((x) => x.scenario === scenario && x.runtime === runtime);
  if (!o) return '–';
  if (o.passed) return '✓';
  return o.differs ? `differs¹` : '✗';
};

const lines = [
  `| Scenario | ${COLUMNS.join(' | ')} |`,
  `|---|${COLUMNS.map(() => ':---:').join('|')}|`,
  ...scenarios.map((s) => `| ${s} | ${COLUMNS.map((r) => cell(s, r)).join(' | ')} |`),
  '',
  ...Object.entries(NOT_RUN).map(([runtime, why]) => `– ${runtime}: ${why}.`),
  ...outcomes.filter((o) => !o.passed && o.differs).map((o) => `¹ ${o.runtime}, ${o.scenario}: ${o.differs}.`),
];

const readmeUrl = new URL('../../README.md', import.meta.url);
const readme = readFileSync(readmeUrl, 'utf8');
const start = '<!-- conformance-matrix:start -->';
const end = '<!-- conformance-matrix:end -->';
const from = readme.indexOf(start);
const to = readme.indexOf(end);
if (from < 0 || to < from) throw new Error(`README.md has no ${start} … ${end} section`);
writeFileSync(readmeUrl, `${readme.slice(0, from + start.length)}\n${lines.join('\n')}\n${readme.slice(to)}`);
process.stdout.write(`${lines.join('\n')}\n`);
