/**
 * The balancer's own work per request, without any I/O:
 *   node --import tsx bench/decisions.ts
 * Builds the balancer state from the benchmark's configuration text
 * (bench/contenders/index.ts's `balancerConfig`: the very text `npm run
 * bench` runs) and calls `admitRequest` + `forwardRequest` in a bounded loop
 * against an in-memory upstream that answers at once with a 100 B body, then
 * settles the response's books (`onChunk`, `onDone`) as the Node adapter does.
 * What is measured is CPU time (process.cpuUsage, user + system) per request,
 * GC included, which stays meaningful on a busy machine where wall time does
 * not. Variants run in interleaved rounds; each prints its median and range
 * in ns per request.
 *
 * DECISIONS_FROM says which code: the sources through tsx (default), `dist`
 * for the compiled JavaScript of `npm run build` (what the command runs:
 * tsx's esbuild transform adds a `__name` call to every named closure it
 * creates, which the compiled code does not have), or comma-separated paths
 * of compiled trees (another checkout's `dist`), to compare builds: each
 * build's rounds then run in child processes, builds alternating. A tree
 * must sit below a package.json saying `"type": "module"`, as a checkout's
 * `dist/` does: elsewhere tsx's loader transforms its .js files again
 * (measured: 3× the CPU time). DECISIONS_ROUNDS (default 9),
 * DECISIONS_REQUESTS per round (default 50000), DECISIONS_VARIANTS
 * (comma-separated name fragments), DECISIONS_LOG=httplog to format each
 * access line (into nothing) instead of `--log-format none`.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AccessLogEntry, BalancerDeps, Logger, Upstream } from '../src/deps.ts';
import type { ConnectionFacts } from '../src/rules/transaction.ts';
import { balancerConfig, type Scenario } from './contenders/index.ts';

const ROUNDS = Number(process.env.DECISIONS_ROUNDS ?? 9);
const REQUESTS = Number(process.env.DECISIONS_REQUESTS ?? 50_000);
const WARM_UP = 20_000;
const ONLY = (process.env.DECISIONS_VARIANTS ?? '').split(',').filter(Boolean);
const LOG = process.env.DECISIONS_LOG ?? 'none';

/** One build's modules. */
interface Tree {
  readonly name: string;
  readonly admitRequest: (typeof import('../src/admission/admit-request.ts'))['admitRequest'];
  readonly headerLinesOf: (typeof import('../src/admission/admit-request.ts'))['headerLinesOf'];
  readonly BalancerState: (typeof import('../src/balancer/balancer-state.ts'))['BalancerState'];
  readonly parseHaproxyConfig: (typeof import('../src/config/index.ts'))['parseHaproxyConfig'];
  readonly MemoryHealthStore: (typeof import('../src/health/memory-store.ts'))['MemoryHealthStore'];
  readonly formatHttpLog: (typeof import('../src/proxy/access-log.ts'))['formatHttpLog'];
  readonly forwardRequest: (typeof import('../src/proxy/proxy-request.ts'))['forwardRequest'];
}

async function loadTree(from: string): Promise<Tree> {
  const [base, ext] =
    from === 'src' ? ['../src', 'ts'] : from === 'dist' ? ['../dist/src', 'js'] : [new URL(`file://${from.replace(/\/$/, '')}/src`).href, 'js'];
  const load = (path: string) => import(`${base}/${path}.${ext}`);
  const admission = await load('admission/admit-request');
  return {
    name: from,
    admitRequest: admission.admitRequest,
    headerLinesOf: admission.headerLinesOf,
    BalancerState: (await load('balancer/balancer-state')).BalancerState,
    parseHaproxyConfig: (await load('config/index')).parseHaproxyConfig,
    MemoryHealthStore: (await load('health/memory-store')).MemoryHealthStore,
    formatHttpLog: (await load('proxy/access-log')).formatHttpLog,
    forwardRequest: (await load('proxy/proxy-request')).forwardRequest,
  };
}

interface Variant {
  readonly name: string;
  readonly scenario: Scenario;
  /** The client's cookie (sticky clients send the one they were given). */
  readonly cookie?: string;
}

const BACKEND_PORTS = [9001, 9002];
const VARIANTS: readonly Variant[] = [
  { name: 'no rules', scenario: { backendPorts: BACKEND_PORTS, sticky: false } },
  { name: 'ten rules', scenario: { backendPorts: BACKEND_PORTS, sticky: false, rules: true } },
  { name: '200 servers', scenario: { backendPorts: Array.from({ length: 200 }, (_, i) => 9001 + i), sticky: false } },
  { name: 'sticky', scenario: { backendPorts: BACKEND_PORTS, sticky: true }, cookie: 'SERVERNAME=s1' },
  { name: 'sticky + ten rules', scenario: { backendPorts: BACKEND_PORTS, sticky: true, rules: true }, cookie: 'SERVERNAME=s2' },
].filter((v) => ONLY.length === 0 || ONLY.some((o) => v.name.includes(o)));

const BODY = new Uint8Array(100);

/** A server that answers every request at once, as nginx's `/small` does. */
const upstream: Upstream<Uint8Array> = {
  request: () =>
    Promise.resolve({
      status: 200,
      headers: [
        ['server', 'nginx/1.22.1'],
        ['date', 'Thu, 03 Dec 2026 15:00:00 GMT'],
        ['content-type', 'application/octet-stream'],
        ['content-length', '100'],
        ['connection', 'keep-alive'],
        ['accept-ranges', 'bytes'],
      ],
      body: BODY,
    }),
};

let logged = 0;

function loggerOf(tree: Tree): Logger {
  return {
    info() {},
    warn() {},
    access:
      LOG === 'httplog'
        ? (entry: AccessLogEntry) => {
            logged += tree.formatHttpLog(entry).length;
          }
        : () => {},
    // As the command's `--log-format none` logger says of itself (adapters/command/console-logger.ts).
    writesAccess: LOG === 'httplog',
  };
}

interface Prepared {
  readonly name: string;
  one(): Promise<void>;
}

function prepare(tree: Tree, variant: Variant, label: string): Prepared {
  const text = balancerConfig(8080, variant.scenario);
  const { config } = tree.parseHaproxyConfig([{ file: 'bench.cfg', text }], { env: {} });
  const state = new tree.BalancerState(config, new tree.MemoryHealthStore(), Date.now());
  const entry = state.frontends.get('bench')!;
  const deps = { clock: { now: () => Date.now() }, timers: { setTimeout: () => () => {} }, logger: loggerOf(tree), upstream } as unknown as BalancerDeps;
  // What wrk sends, plus what a browser's request usually carries; as Node's rawHeaders.
  const raw = [
    'Host', '127.0.0.1:8080',
    'User-Agent', 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
    'Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
    'Accept-Language', 'en-US,en;q=0.5',
    'Accept-Encoding', 'gzip, deflate, br',
    'Connection', 'keep-alive',
    ...(variant.cookie ? ['Cookie', variant.cookie] : []),
  ];
  const { admitRequest, headerLinesOf, forwardRequest } = tree;
  let port = 40000;
  return {
    name: label,
    async one() {
      // As the Node adapter does per request: the connection facts and the header lines are fresh objects.
      const conn: ConnectionFacts = { clientAddress: '127.0.0.1', clientPort: port++ & 0xffff, localAddress: '127.0.0.1', localPort: 8080, httpVersion: '1.1', tls: undefined };
      const admission = admitRequest(state, entry, { method: 'GET', target: '/small', headers: headerLinesOf(raw) }, conn);
      if (admission.kind !== 'proxy') throw new Error(`${label}: not proxied (${admission.kind})`);
      const outcome = await forwardRequest(
        {
          frontend: entry.frontend,
          frontendCounters: entry.counters,
          runtime: admission.runtime,
          head: admission.head,
          body: null,
          client: { address: conn.clientAddress, port: conn.clientPort },
          transaction: admission.transaction,
          rules: admission.rules,
        },
        upstream,
        deps,
      );
      if (outcome.kind !== 'stream') throw new Error(`${label}: ${outcome.page.status} page`);
      outcome.onChunk(BODY.length);
      outcome.onDone();
    },
  };
}

async function cpuPerRequest(prepared: Prepared, requests: number): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < requests; i++) await prepared.one();
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / requests;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** One process per build: two builds' modules in one process slowed the first one loaded (2× for the same code, measured). */
async function measureHere(tree: Tree, rounds: number): Promise<Map<string, number[]>> {
  const prepared = VARIANTS.map((variant) => prepare(tree, variant, variant.name));
  for (const p of prepared) await cpuPerRequest(p, WARM_UP);
  const figures = new Map<string, number[]>(prepared.map((p) => [p.name, []]));
  for (let round = 0; round < rounds; round++) {
    // Interleaved, and the order turned each round, so drift and JIT state hit every variant alike.
    const order = round % 2 ? [...prepared].reverse() : prepared;
    for (const p of order) figures.get(p.name)!.push(await cpuPerRequest(p, REQUESTS));
  }
  return figures;
}

/** Rounds per child process: the JIT settles over the first (measured: one round per child read 2× high). */
const ROUNDS_PER_CHILD = 3;

/** Each build's rounds in child processes of their own, ROUNDS_PER_CHILD at a time, builds alternating. */
function measureInChildren(builds: readonly string[]): Map<string, Map<string, number[]>> {
  const all = new Map(builds.map((build) => [build, new Map<string, number[]>(VARIANTS.map((v) => [v.name, []]))]));
  for (let turn = 0; turn < Math.ceil(ROUNDS / ROUNDS_PER_CHILD); turn++) {
    for (const build of turn % 2 ? [...builds].reverse() : builds) {
      const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
        env: { ...process.env, DECISIONS_FROM: build, DECISIONS_ROUNDS: String(ROUNDS_PER_CHILD), DECISIONS_CHILD: '1' },
        encoding: 'utf8',
      });
      if (child.status !== 0) throw new Error(`${build}: ${child.stderr}`);
      const figures = JSON.parse(child.stdout) as Record<string, number[]>;
      for (const [name, values] of Object.entries(figures)) all.get(build)!.get(name)!.push(...values);
    }
  }
  return all;
}

const builds = (process.env.DECISIONS_FROM ?? 'src').split(',');
if (process.env.DECISIONS_CHILD) {
  const figures = await measureHere(await loadTree(builds[0]!), ROUNDS);
  process.stdout.write(JSON.stringify(Object.fromEntries(figures)));
} else {
  const results =
    builds.length === 1 ? new Map([[builds[0]!, await measureHere(await loadTree(builds[0]!), ROUNDS)]]) : measureInChildren(builds);
  console.log(`CPU time per request (admitRequest + forwardRequest), ${ROUNDS} rounds × ${REQUESTS} requests, log ${LOG}; median [min–max] ns`);
  for (const [build, figures] of results) {
    const reference = median(figures.get(VARIANTS[0]!.name) ?? []);
    for (const variant of VARIANTS) {
      const values = figures.get(variant.name)!;
      const m = median(values);
      const name = builds.length > 1 ? `${variant.name} @ ${build}` : variant.name;
      const extra = variant === VARIANTS[0] ? '' : `   (${m >= reference ? '+' : ''}${Math.round(m - reference)} ns over ${VARIANTS[0]!.name})`;
      console.log(`  ${name.padEnd(builds.length > 1 ? 48 : 20)} ${Math.round(m).toString().padStart(6)}  [${Math.round(Math.min(...values))}–${Math.round(Math.max(...values))}]${extra}`);
    }
  }
  if (LOG === 'httplog' && logged === 0 && builds.length === 1) throw new Error('no access line formatted');
}
