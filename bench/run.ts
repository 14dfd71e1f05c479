/**
 * `npm run bench`: every contender in the same run, on the same backends,
 * the proxy pinned to one core and wrk on the other. Rounds are interleaved
 * (every contender once, then again), and the median of the rounds is
 * reported with its spread, with issue 17's goals as ratios of two
 * contenders of the same scenario (bench/goals.ts) and the CPU other
 * processes used meanwhile (bench/other-cpu.ts). Writes bench/RESULTS.md.
 * Every other round runs the contenders in reverse order. Then each goal's
 * two contenders get BENCH_PAIR_ROUNDS (default 4) more rounds alone, back to
 * back, so a goal's median is of 9 ratios measured seconds apart. Bounded:
 * BENCH_SECONDS per measurement (default 3) × BENCH_ROUNDS (default 5), after
 * a 1 s warm-up each: about 13 minutes of measuring for the 37 contender ×
 * scenario pairs and 5 for the goals' pairs, plus start-ups, the WebSockets
 * and HTTPS. For a quick look at a part, BENCH_SCENARIOS and
 * BENCH_CONTENDERS keep the scenarios / contenders whose names contain one
 * of their comma-separated words (then RESULTS.md is not written).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { freePorts } from '../test/helpers/ports.ts';
import { startNginxBackends } from './backends.ts';
import { CONTENDERS, HAPROXY_REFERENCE, REFERENCE, type Contender, type RunningContender, type Scenario } from './contenders/index.ts';
import { COMPARISONS, evaluateGoals, FOUR_KIB, GOALS, MANY_SERVERS, renderGoals, RULES, SMALL, STICKY } from './goals.ts';
import { requireWrk, runWrk, type LoadResult } from './load.ts';
import { rssMiB } from './memory.ts';
import { measureCpu, type CpuShares } from './other-cpu.ts';
import { renderResults, type Measurement } from './report.ts';
import { renderTlsResults, runTlsBench } from './tls.ts';
import { renderWebSocketResults, runWebSocketBench } from './websocket.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** Extra rounds of each goal's two contenders alone (bench/goals.ts), after a scenario's rounds. */
const PAIR_ROUNDS = Number(process.env.BENCH_PAIR_ROUNDS ?? 4);
const CONNECTIONS = 64;
const selected = (variable: string, name: string) =>
  process.env[variable] === undefined || process.env[variable]!.split(',').some((word) => name.includes(word));
const PARTIAL = process.env.BENCH_SCENARIOS !== undefined || process.env.BENCH_CONTENDERS !== undefined;

interface ScenarioSpec {
  readonly name: string;
  readonly path: string;
  readonly servers: number;
  readonly sticky: boolean;
  /** Ten typical rules (only the contenders that run the configuration). */
  readonly rules?: boolean;
  /** Also measure REFERENCE (edge-balancer on Node as in the first scenario), for a goal's ratio. */
  readonly reference?: boolean;
}

const SCENARIOS: readonly ScenarioSpec[] = [
  { name: SMALL, path: '/small', servers: 2, sticky: false },
  { name: FOUR_KIB, path: '/4k', servers: 2, sticky: false },
  { name: '1 MiB streamed responses', path: '/1m', servers: 2, sticky: false },
  { name: STICKY, path: '/small', servers: 2, sticky: true, reference: true },
  { name: MANY_SERVERS, path: '/small', servers: 200, sticky: false, reference: true },
  { name: RULES, path: '/small', servers: 2, sticky: false, rules: true, reference: true },
];

/** One measurement: a 1 s warm-up, then SECONDS of wrk, with the CPU the proxy and everything else used meanwhile. */
async function measure(spec: ScenarioSpec, port: number, pid: number): Promise<{ result: LoadResult; shares: CpuShares }> {
  const url = `http://127.0.0.1:${port}${spec.path}`;
  const headers = spec.sticky ? ['Cookie: SERVERNAME=s1'] : [];
  await runWrk(url, { seconds: 1, connections: CONNECTIONS, headers }); // warm-up
  const measured = measureCpu(pid);
  const result = await runWrk(url, { seconds: SECONDS, connections: CONNECTIONS, headers });
  return { result, shares: measured() };
}

/**
 * Two proxies on the same core at the same time, a wrk each: [a, b] req/s.
 * Each gets about half the core, so the ratio is of their costs per request
 * under the same conditions (what sequential rounds on a machine whose speed
 * drifts by ±20 % from one measurement to the next cannot give).
 */
async function measureTogether(spec: ScenarioSpec, a: number, b: number): Promise<[number, number]> {
  const headers = spec.sticky ? ['Cookie: SERVERNAME=s1'] : [];
  const both = (seconds: number) =>
    Promise.all([a, b].map((port) => runWrk(`http://127.0.0.1:${port}${spec.path}`, { seconds, connections: CONNECTIONS / 2, headers })));
  await both(1); // warm-up
  const [ra, rb] = await both(SECONDS);
  return [ra!.requestsPerSecond, rb!.requestsPerSecond];
}

async function main(): Promise<void> {
  requireWrk();
  const dir = mkdtempSync(join(tmpdir(), 'edge-bench-'));
  const measurements: Measurement[] = [];
  const paired = new Map<string, [number, number][]>();
  const skipped = new Map<string, string>();
  let webSockets = '';
  let https = '';
  try {
    for (const spec of SCENARIOS.filter((s) => selected('BENCH_SCENARIOS', s.name))) {
      const backends = await startNginxBackends(await freePorts(spec.servers));
      const scenario: Scenario = { backendPorts: backends.ports, sticky: spec.sticky, rules: spec.rules ?? false };
      const running = new Map<Contender, { port: number; proxy: RunningContender }>();
      try {
        // The reference next to the contender it is compared with, so the two measurements of a goal's round are seconds apart.
        const compared = COMPARISONS.some((c) => c.scenario === spec.name);
        const contenders = spec.reference ? [CONTENDERS[0]!, REFERENCE, ...CONTENDERS.slice(1)] : [...CONTENDERS];
        // haproxy's own reference beside haproxy, where its ratio is shown for comparison.
        if (compared) contenders.splice(contenders.findIndex((c) => c.name === COMPARISONS[0]!.contender) + 1, 0, HAPROXY_REFERENCE);
        for (const contender of contenders) {
          const why = contender.unavailable();
          if (why) skipped.set(contender.name, why);
          if (why || (spec.sticky && !contender.sticky) || (spec.rules && !contender.rules)) continue;
          if (!selected('BENCH_CONTENDERS', contender.name)) continue;
          const [port] = await freePorts(1);
          running.set(contender, { port: port!, proxy: await contender.start(port!, scenario, dir) });
        }
        const rounds = new Map<Contender, LoadResult[]>();
        const cpu = new Map<Contender, CpuShares[]>();
        for (let round = 0; round < ROUNDS; round++) {
          // Every other round in reverse order, so a drift of the machine
          // during a round does not always favour the contenders measured first.
          const order = round % 2 === 0 ? [...running] : [...running].reverse();
          for (const [contender, { port, proxy }] of order) {
            const { result, shares } = await measure(spec, port, proxy.pid);
            rounds.set(contender, [...(rounds.get(contender) ?? []), result]);
            cpu.set(contender, [...(cpu.get(contender) ?? []), shares]);
            process.stderr.write(
              `${spec.name} · ${contender.name} · round ${round + 1}: ${Math.round(result.requestsPerSecond)} req/s ` +
                `(proxy ${shares.proxy.toFixed(0)} %, other processes ${shares.others.toFixed(0)} % of a core)\n`,
            );
          }
        }
        // Each goal of this scenario: more rounds of its two contenders alone, back to back (its ratio's noise is the goal's verdict).
        for (const goal of [...GOALS, ...COMPARISONS].filter((g) => g.scenario === spec.name)) {
          const pair = [goal.contender, goal.versus].map((name) => [...running].find(([contender]) => contender.name === name)?.[1]);
          const [subject, base] = pair;
          if (!subject || !base) continue;
          const rounds: [number, number][] = [];
          for (let round = 0; round < (goal.together ? 2 * PAIR_ROUNDS : PAIR_ROUNDS); round++) {
            if (goal.together) {
              rounds.push(await measureTogether(spec, subject.port, base.port));
            } else {
              const rate = async (side: { port: number; proxy: RunningContender }) => (await measure(spec, side.port, side.proxy.pid)).result.requestsPerSecond;
              const [first, second] = round % 2 === 0 ? [subject, base] : [base, subject];
              const a = await rate(first);
              const b = await rate(second);
              rounds.push(round % 2 === 0 ? [a, b] : [b, a]);
            }
            process.stderr.write(`${spec.name} · ${goal.name} · pair round ${round + 1}: ${(rounds.at(-1)![0] / rounds.at(-1)![1]).toFixed(3)}\n`);
          }
          paired.set(goal.name, rounds);
        }
        for (const [contender, { proxy }] of running) {
          measurements.push({
            scenario: spec.name,
            contender: contender.name,
            rounds: rounds.get(contender)!,
            rssMiB: rssMiB(proxy.pid),
            otherCpu: cpu.get(contender)!.map((c) => c.others),
            proxyCpu: cpu.get(contender)!.map((c) => c.proxy),
          });
        }
      } finally {
        await Promise.all([...running.values()].map(({ proxy }) => proxy.close()));
        await backends.close();
      }
    }
    if (process.env.BENCH_WEBSOCKETS !== '0') webSockets = renderWebSocketResults(await runWebSocketBench(dir));
    if (process.env.BENCH_TLS !== '0') https = renderTlsResults(await runTlsBench(dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}`;
  const markdown = renderResults(measurements, {
    date: new Date().toISOString().slice(0, 10),
    machine,
    method: `wrk -t1 -c${CONNECTIONS}, ${SECONDS} s per measurement after a 1 s warm-up, ${ROUNDS} interleaved rounds, proxy pinned to core 0, wrk and nginx backends on the other core`,
    skipped,
    goals: renderGoals(evaluateGoals(measurements, paired, [...GOALS, ...COMPARISONS])),
  });
  if (!PARTIAL) writeFileSync(new URL('RESULTS.md', import.meta.url), `${markdown}\n${webSockets}\n${https}`);
  process.stdout.write(`${markdown}\n${webSockets}\n${https}`);
}

await main();
