/**
 * The goals of issue 17 ("One core", "Deno"), each the ratio of two
 * contenders measured in the same scenario of the same run: the median of
 * the per-round ratios (rounds are interleaved, so the two measurements of a
 * round are seconds apart and the machine's drift hits both alike).
 */
import { HAPROXY_REFERENCE, REFERENCE } from './contenders/index.ts';
import { median, type Measurement } from './report.ts';

export interface Goal {
  readonly name: string;
  readonly scenario: string;
  readonly contender: string;
  /** The contender it is compared with, in the same scenario. */
  readonly versus: string;
  /** Undefined: not a goal, a figure to compare a goal with (COMPARISONS). */
  readonly atLeast?: number;
  /**
   * Two configurations of the same build on the same runtime: measured side
   * by side, both proxies on the same core at the same time (bench/run.ts),
   * so each round sees the same machine; the ratio is of those rounds only.
   */
  readonly together?: boolean;
}

export const SMALL = '100 B responses, 2 servers';
export const FOUR_KIB = '4 KiB responses';
export const STICKY = 'sticky clients (cookie insert), 100 B';
export const MANY_SERVERS = '100 B responses, 200 servers';
export const RULES = 'ten typical rules, 100 B';

const NODE = 'edge-balancer (Node)';
const DENO = 'edge-balancer (Deno)';

export const GOALS: readonly Goal[] = [
  { name: 'edge-balancer ≥ 0.9× node-bare, 100 B', scenario: SMALL, contender: NODE, versus: 'node-bare', atLeast: 0.9 },
  { name: 'edge-balancer ≥ 0.9× node-bare, 4 KiB', scenario: FOUR_KIB, contender: NODE, versus: 'node-bare', atLeast: 0.9 },
  { name: 'edge-balancer ≥ 1.3× @fastify/reply-from, 100 B', scenario: SMALL, contender: NODE, versus: '@fastify/reply-from', atLeast: 1.3 },
  { name: 'edge-balancer ≥ 1.3× @fastify/reply-from, 4 KiB', scenario: FOUR_KIB, contender: NODE, versus: '@fastify/reply-from', atLeast: 1.3 },
  { name: 'sticky within 5 % of round-robin', scenario: STICKY, contender: NODE, versus: REFERENCE.name, atLeast: 0.95, together: true },
  { name: '200 servers within 5 % of 2', scenario: MANY_SERVERS, contender: NODE, versus: REFERENCE.name, atLeast: 0.95, together: true },
  { name: 'ten typical rules within 10 % of none', scenario: RULES, contender: NODE, versus: REFERENCE.name, atLeast: 0.9, together: true },
  { name: 'Deno ≥ 0.8× Node, 100 B', scenario: SMALL, contender: DENO, versus: NODE, atLeast: 0.8 },
  { name: 'Deno ≥ 0.8× Node, 4 KiB', scenario: FOUR_KIB, contender: DENO, versus: NODE, atLeast: 0.8 },
];

const HAPROXY = 'haproxy (nbthread 1)';

/**
 * The same variants on haproxy, measured the same way: what 200 servers and
 * ten rules cost the reference implementation on this machine, beside what
 * they cost edge-balancer.
 */
export const COMPARISONS: readonly Goal[] = [
  { name: 'haproxy: 200 servers ÷ 2 (for comparison)', scenario: MANY_SERVERS, contender: HAPROXY, versus: HAPROXY_REFERENCE.name, together: true },
  { name: 'haproxy: ten typical rules ÷ none (for comparison)', scenario: RULES, contender: HAPROXY, versus: HAPROXY_REFERENCE.name, together: true },
];

export interface GoalResult {
  readonly goal: Goal;
  /** undefined: one of the two was not measured in this run. */
  readonly ratio?: number;
  readonly range?: readonly [number, number];
  /** How many per-round ratios the median is of. */
  readonly rounds?: number;
}

/**
 * By goal name, extra rounds of the goal's two contenders measured alone,
 * back to back, after the scenario's rounds: [subject, base] req/s each.
 */
export type PairedRounds = ReadonlyMap<string, readonly (readonly [number, number])[]>;

const rps = (m: Measurement) => m.rounds.map((r) => r.requestsPerSecond);

export function evaluateGoals(measurements: readonly Measurement[], paired: PairedRounds = new Map(), goals: readonly Goal[] = GOALS): GoalResult[] {
  const find = (scenario: string, contender: string) => measurements.find((m) => m.scenario === scenario && m.contender === contender);
  return goals.map((goal) => {
    const subject = find(goal.scenario, goal.contender);
    const base = find(goal.scenario, goal.versus);
    if (!subject || !base) return { goal };
    const baseRounds = rps(base);
    const extra = (paired.get(goal.name) ?? []).map(([s, b]) => s / b);
    const ratios = goal.together && extra.length > 0 ? extra : [...rps(subject).map((r, i) => r / baseRounds[i]!), ...extra];
    return { goal, ratio: median(ratios), range: [Math.min(...ratios), Math.max(...ratios)], rounds: ratios.length };
  });
}

export function renderGoals(results: readonly GoalResult[]): string {
  const lines = ['## Goals (issue 17)', '', '| Goal | ratio | rounds\' range | rounds | target | |', '|---|---:|---:|---:|---:|---|'];
  for (const { goal, ratio, range, rounds } of results) {
    const verdict = ratio === undefined ? 'not measured' : goal.atLeast === undefined ? 'for comparison' : ratio >= goal.atLeast ? 'pass' : 'FAIL';
    lines.push(
      `| ${goal.name} | ${ratio === undefined ? '–' : ratio.toFixed(3)} | ${range ? `${range[0].toFixed(2)}–${range[1].toFixed(2)}` : '–'} | ${rounds ?? '–'} | ${goal.atLeast === undefined ? '–' : `≥ ${goal.atLeast}`} | ${verdict} |`,
    );
  }
  lines.push(
    '',
    'Each ratio is the median of the per-round ratios of two contenders measured in the same scenario: the scenario\'s interleaved rounds, then extra rounds of the two alone, back to back, every other one in reverse order (BENCH_PAIR_ROUNDS). ' +
      'Sticky, 200 servers and ten rules compare two configurations of edge-balancer on Node: their rounds measure both at the same time, side by side on the same core (a wrk each), so both see the same machine, and the ratio is of those rounds only.',
    '',
  );
  return lines.join('\n');
}
