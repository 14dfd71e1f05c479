/**
 * `npm run bench`: every contender in the same run, on the same backends,
 * the proxy pinned to one core and wrk on the other. Rounds are interleaved
 * (every contender once, then again), and the median of the rounds is
 * reported with its spread. Writes bench/RESULTS.md. Bounded: BENCH_SECONDS
 * per measurement (default 3) × BENCH_ROUNDS (default 3).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { freePorts } from '../test/helpers/ports.ts';
import { startNginxBackends } from './backends.ts';
import { CONTENDERS, type Contender, type RunningContender, type Scenario } from './contenders/index.ts';
import { requireWrk, runWrk, type LoadResult } from './load.ts';
import { rssMiB } from './memory.ts';
import { renderResults, type Measurement } from './report.ts';
import { renderTlsResults, runTlsBench } from './tls.ts';
import { renderWebSocketResults, runWebSocketBench } from './websocket.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = 64;

interface ScenarioSpec {
  readonly name: string;
  readonly path: string;
  readonly servers: number;
  readonly sticky: boolean;
}

const SCENARIOS: readonly ScenarioSpec[] = [
  { name: '100 B responses, 2 servers', path: '/small', servers: 2, sticky: false },
  { name: '4 KiB responses', path: '/4k', servers: 2, sticky: false },
  { name: '1 MiB streamed responses', path: '/1m', servers: 2, sticky: false },
  { name: 'sticky clients (cookie insert), 100 B', path: '/small', servers: 2, sticky: true },
  { name: '100 B responses, 200 servers', path: '/small', servers: 200, sticky: false },
];

async function main(): Promise<void> {
  requireWrk();
  const dir = mkdtempSync(join(tmpdir(), 'edge-bench-'));
  const measurements: Measurement[] = [];
  const skipped = new Map<string, string>();
  let webSockets = '';
  let https = '';
  try {
    for (const spec of SCENARIOS) {
      const backends = await startNginxBackends(await freePorts(spec.servers));
      const scenario: Scenario = { backendPorts: backends.ports, sticky: spec.sticky };
      const running = new Map<Contender, { port: number; proxy: RunningContender }>();
      try {
        for (const contender of CONTENDERS) {
          const why = contender.unavailable();
          if (why) skipped.set(contender.name, why);
          if (why || (spec.sticky && !contender.sticky)) continue;
          const [port] = await freePorts(1);
          running.set(contender, { port: port!, proxy: await contender.start(port!, scenario, dir) });
        }
        const rounds = new Map<Contender, LoadResult[]>();
        for (let round = 0; round < ROUNDS; round++) {
          for (const [contender, { port }] of running) {
            const url = `http://127.0.0.1:${port}${spec.path}`;
            const headers = spec.sticky ? ['Cookie: SERVERNAME=s1'] : [];
            await runWrk(url, { seconds: 1, connections: CONNECTIONS, headers }); // warm-up
            const result = await runWrk(url, { seconds: SECONDS, connections: CONNECTIONS, headers });
            rounds.set(contender, [...(rounds.get(contender) ?? []), result]);
            process.stderr.write(`${spec.name} · ${contender.name} · round ${round + 1}: ${Math.round(result.requestsPerSecond)} req/s\n`);
          }
        }
        for (const [contender, { proxy }] of running) {
          measurements.push({ scenario: spec.name, contender: contender.name, rounds: rounds.get(contender)!, rssMiB: rssMiB(proxy.pid) });
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
  });
  writeFileSync(new URL('RESULTS.md', import.meta.url), `${markdown}\n${webSockets}\n${https}`);
  process.stdout.write(`${markdown}\n${webSockets}\n${https}`);
}

await main();
