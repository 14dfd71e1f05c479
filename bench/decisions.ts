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
 * DECISIONS_ROUNDS (default 9), DECISIONS_REQUESTS per round (default 50000),
 * DECISIONS_VARIANTS (comma-separated name fragments), DECISIONS_LOG=httplog
 * to format each access line (into nothing) instead of `--log-format none`,
 * DECISIONS_FROM=dist (below).
 */
import type { AccessLogEntry, BalancerDeps, Logger, Upstream } from '../src/deps.ts';
import type { ConnectionFacts } from '../src/rules/transaction.ts';
import { balancerConfig, type Scenario } from './contenders/index.ts';

/**
 * DECISIONS_FROM=dist measures the compiled JavaScript of `npm run build`
 * (what the command runs) instead of the sources through tsx, whose esbuild
 * transform names every named closure with a `__name` call when it is created.
 */
const from = process.env.DECISIONS_FROM;
// Or another checkout's compiled tree (`DECISIONS_FROM=/path/to/dist`), to compare builds.
const FROM = from === undefined ? '../src' : from === 'dist' ? '../dist/src' : new URL(`file://${from.replace(/\/$/, '')}/src`).href;
const ext = FROM === '../src' ? 'ts' : 'js';
const { admitRequest, headerLinesOf } = (await import(`${FROM}/admission/admit-request.${ext}`)) as typeof import('../src/admission/admit-request.ts');
const { BalancerState } = (await import(`${FROM}/balancer/balancer-state.${ext}`)) as typeof import('../src/balancer/balancer-state.ts');
const { parseHaproxyConfig } = (await import(`${FROM}/config/index.${ext}`)) as typeof import('../src/config/index.ts');
const { MemoryHealthStore } = (await import(`${FROM}/health/memory-store.${ext}`)) as typeof import('../src/health/memory-store.ts');
const { formatHttpLog } = (await import(`${FROM}/proxy/access-log.${ext}`)) as typeof import('../src/proxy/access-log.ts');
const { forwardRequest } = (await import(`${FROM}/proxy/proxy-request.${ext}`)) as typeof import('../src/proxy/proxy-request.ts');

const ROUNDS = Number(process.env.DECISIONS_ROUNDS ?? 9);
const REQUESTS = Number(process.env.DECISIONS_REQUESTS ?? 50_000);
const WARM_UP = 20_000;
const ONLY = (process.env.DECISIONS_VARIANTS ?? '').split(',').filter(Boolean);
const LOG = process.env.DECISIONS_LOG ?? 'none';

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
const logger: Logger = {
  info() {},
  warn() {},
  access:
    LOG === 'httplog'
      ? (entry: AccessLogEntry) => {
          logged += formatHttpLog(entry).length;
        }
      : () => {},
  // As the command's `--log-format none` logger says of itself (adapters/command/console-logger.ts).
  writesAccess: LOG === 'httplog',
};

interface Prepared {
  readonly variant: Variant;
  one(): Promise<void>;
}

function prepare(variant: Variant): Prepared {
  const text = balancerConfig(8080, variant.scenario);
  const { config } = parseHaproxyConfig([{ file: 'bench.cfg', text }], { env: {} });
  const state = new BalancerState(config, new MemoryHealthStore(), Date.now());
  const entry = state.frontends.get('bench')!;
  const deps = { clock: { now: () => Date.now() }, timers: { setTimeout: () => () => {} }, logger, upstream } as unknown as BalancerDeps;
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
  let port = 40000;
  return {
    variant,
    async one() {
      // As the Node adapter does per request: the connection facts and the header lines are fresh objects.
      const conn: ConnectionFacts = { clientAddress: '127.0.0.1', clientPort: port++ & 0xffff, localAddress: '127.0.0.1', localPort: 8080, httpVersion: '1.1', tls: undefined };
      const admission = admitRequest(state, entry, { method: 'GET', target: '/small', headers: headerLinesOf(raw) }, conn);
      if (admission.kind !== 'proxy') throw new Error(`${variant.name}: not proxied (${admission.kind})`);
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
      if (outcome.kind !== 'stream') throw new Error(`${variant.name}: ${outcome.page.status} page`);
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

const prepared = VARIANTS.map(prepare);
for (const p of prepared) await cpuPerRequest(p, WARM_UP);
const figures = new Map<string, number[]>(prepared.map((p) => [p.variant.name, []]));
for (let round = 0; round < ROUNDS; round++) {
  // Interleaved, and the order turned each round, so drift and JIT state hit every variant alike.
  const order = round % 2 ? [...prepared].reverse() : prepared;
  for (const p of order) figures.get(p.variant.name)!.push(await cpuPerRequest(p, REQUESTS));
}

console.log(`CPU time per request (admitRequest + forwardRequest), ${FROM.replace(/^\.\.\//, '')}, ${ROUNDS} rounds × ${REQUESTS} requests, log ${LOG}; median [min–max] ns`);
const reference = median(figures.get('no rules') ?? []);
for (const [name, values] of figures) {
  const m = median(values);
  const extra = name === 'no rules' || !reference ? '' : `   (+${Math.round(m - reference)} ns over no rules)`;
  console.log(`  ${name.padEnd(20)} ${Math.round(m).toString().padStart(6)}  [${Math.round(Math.min(...values))}–${Math.round(Math.max(...values))}]${extra}`);
}
if (LOG === 'httplog' && logged === 0) throw new Error('no access line formatted');
