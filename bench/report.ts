/** The markdown table of bench/RESULTS.md: medians of the rounds, their spread, and ratios. */
import type { LoadResult } from './load.ts';

export interface Measurement {
  readonly scenario: string;
  readonly contender: string;
  readonly rounds: readonly LoadResult[];
  /** Proxy RSS after the scenario, MiB. */
  readonly rssMiB: number;
  /** Other processes' CPU during each round's measurement, % of one core (bench/other-cpu.ts). */
  readonly otherCpu?: readonly number[];
  /** The proxy's CPU (with its children) during each round's measurement, % of one core. */
  readonly proxyCpu?: readonly number[];
}

export interface ReportContext {
  readonly date: string;
  readonly machine: string;
  readonly method: string;
  readonly skipped: ReadonlyMap<string, string>;
  /** Rendered goals (bench/goals.ts), printed under the method. */
  readonly goals?: string;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const JS_PEERS = ['@fastify/reply-from', 'http-proxy', 'hono/proxy (naive)'];
/** The worker-process contenders (bench/contenders/index.ts), whose ratio is reported under each table. */
const WORKER_CONTENDERS = ['edge-balancer (Node, 1 process, every core)', 'edge-balancer (Node, --threads 2, every core)'];
const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '–');

export function renderResults(measurements: readonly Measurement[], context: ReportContext): string {
  const lines = [
    '# Benchmark results',
    '',
    `${context.date} · ${context.machine}`,
    '',
    `Method: ${context.method}. Medians of the rounds; ± is half the range between the slowest and the fastest round. ` +
      'Proxy CPU: the proxy process and its children, % of one core; well under 100 with the proxy on one core means the load side was the limit.',
    '',
  ];
  const others = measurements.flatMap((m) => m.otherCpu ?? []).filter(Number.isFinite);
  if (others.length) {
    const quiet = Math.max(...others) < 5 ? 'quiet' : 'NOT quiet: rerun on a quiet machine before comparing';
    lines.push(`Other processes' CPU while measuring (bench/other-cpu.ts): median ${fmt(median(others))} %, at most ${fmt(Math.max(...others))} % of a core — ${quiet}.`, '');
  }
  if (context.goals) lines.push(context.goals);
  const scenarios = [...new Set(measurements.map((m) => m.scenario))];
  for (const scenario of scenarios) {
    const rows = measurements.filter((m) => m.scenario === scenario);
    const rps = (m: Measurement) => median(m.rounds.map((r) => r.requestsPerSecond));
    const haproxy = rows.find((m) => m.contender.startsWith('haproxy'));
    const bestPeer = Math.max(0, ...rows.filter((m) => JS_PEERS.includes(m.contender)).map(rps));
    lines.push(`## ${scenario}`, '', '| Proxy | req/s | p50 ms | p99 ms | errors | RSS MiB | proxy CPU % | × haproxy | × best JS peer |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const m of [...rows].sort((a, b) => rps(b) - rps(a))) {
      const all = m.rounds.map((r) => r.requestsPerSecond);
      const spread = (Math.max(...all) - Math.min(...all)) / 2;
      lines.push(
        `| ${m.contender} | ${fmt(rps(m))} ± ${fmt(spread)} | ${fmt(median(m.rounds.map((r) => r.p50)), 2)} | ${fmt(median(m.rounds.map((r) => r.p99)), 2)} | ${m.rounds.reduce((s, r) => s + r.errors, 0)} | ${m.rssMiB} | ${m.proxyCpu ? fmt(median(m.proxyCpu)) : '–'} | ${haproxy ? fmt(rps(m) / rps(haproxy), 2) : '–'} | ${bestPeer ? fmt(rps(m) / bestPeer, 2) : '–'} |`,
      );
    }
    const others = rows.flatMap((m) => m.otherCpu ?? []).filter(Number.isFinite);
    if (others.length) lines.push('', `Other processes' CPU while measuring: median ${fmt(median(others))} %, at most ${fmt(Math.max(...others))} % of a core.`);
    const [one, two] = [WORKER_CONTENDERS[0], WORKER_CONTENDERS[1]].map((name) => rows.find((m) => m.contender === name));
    if (one && two) lines.push('', `--threads 2 ÷ 1 process, both on every core: ${fmt(rps(two) / rps(one), 2)}`);
    lines.push('');
  }
  if (context.skipped.size) {
    lines.push('Not run here:', '');
    for (const [name, why] of context.skipped) lines.push(`- ${name}: ${why}`);
    lines.push('');
  }
  return lines.join('\n');
}
