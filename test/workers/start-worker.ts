/**
 * Runs the real Worker in workerd through miniflare: adapters/workers/worker.ts
 * bundled by the esbuild that wrangler itself bundles with (*.cfg as text, as
 * wrangler.toml's rule does), with wrangler.toml's compatibility date, the
 * HealthObject Durable Object bound as HEALTH, listening on 127.0.0.1.
 * Reusable: the conformance suite starts the Worker through `startWorker`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Miniflare, type WorkerOptions as MiniflareWorker } from 'miniflare';
import type { HealthState } from '../../src/index.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const WRANGLER_TOML = readFileSync(join(ROOT, 'wrangler.toml'), 'utf8');
const COMPATIBILITY_DATE = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(WRANGLER_TOML)![1]!;
const COMPATIBILITY_FLAGS = JSON.parse(/^compatibility_flags\s*=\s*(\[.*\])/m.exec(WRANGLER_TOML)?.[1] ?? '[]') as string[];
const esbuild = createRequire(createRequire(import.meta.url).resolve('wrangler/package.json'))('esbuild') as typeof import('esbuild');

/** The HealthObject's RPC methods the tests call (adapters/workers/health-object.ts; its types need the Workers' own). */
interface HealthObjectStub {
  checkNow(key?: string): Promise<Record<string, HealthState>>;
  states(): Promise<Record<string, HealthState>>;
}

export interface RunningWorker {
  /** The first isolate's port. */
  readonly port: number;
  /** One port per isolate (`isolates` option), the first being `port`. */
  readonly ports: readonly number[];
  /** Has the Durable Object run every check now (what its alarm runs), and returns its states. */
  checkNow(): Promise<Record<string, HealthState>>;
  /** The Durable Object's states, without checking. */
  states(): Promise<Record<string, HealthState>>;
  /** What the Worker and the object wrote with console.*, so far. */
  logs(): string[];
  /**
   * Resolves with the first log line matching `pattern`, at once or when it
   * arrives (workerd's console output reaches us after the response may have).
   */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
  close(): Promise<void>;
}

export interface WorkerOptions {
  /** Variables and secrets, on top of EDGE_BALANCER_CONFIG and HEALTH_SNAPSHOT_MS ("0": synced at every request). */
  readonly bindings?: Record<string, string>;
  /** Without the HEALTH binding (per-isolate state). */
  readonly withoutDurableObject?: boolean;
  /** Durable Object storage kept in this directory across restarts. */
  readonly persistTo?: string;
  /** The first isolate listens on this port instead of any free one. */
  readonly port?: number;
  /** Copies of the Worker, each in its own isolate, all bound to the one HealthObject (default 1). */
  readonly isolates?: number;
}

/** An RPC result as plain data: the result itself is a stub that dies with its miniflare, and is disposed here. */
function copyOut<T>(result: T): T {
  const copy = JSON.parse(JSON.stringify(result)) as T;
  (result as Partial<Disposable>)[Symbol.dispose]?.();
  return copy;
}

/** Bundles adapters/workers/worker.ts into `outdir` as one ES module. */
export async function bundleWorker(outdir: string): Promise<string> {
  const outfile = join(outdir, 'worker.mjs');
  await esbuild.build({
    entryPoints: [join(ROOT, 'adapters/workers/worker.ts')],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    outfile,
    external: ['cloudflare:*'],
    loader: { '.cfg': 'text' },
    jsx: 'automatic',
    jsxImportSource: 'hono/jsx',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    logLevel: 'error',
  });
  return outfile;
}

/**
 * Starts the Worker serving `configText`, whose `${NAME}` are replaced from
 * `env` (unset: empty) before the Worker sees the text. The Worker itself
 * expands `$NAME` and `${NAME}` in addresses from its variables (`bindings`).
 */
export async function startWorker(configText: string, env: Record<string, string>, options: WorkerOptions = {}): Promise<RunningWorker> {
  const dir = mkdtempSync(join(tmpdir(), 'edge-worker-'));
  const config = configText.replace(/\$\{(\w+)\}/g, (_, name: string) => env[name] ?? '');
  const logs: string[] = [];
  const logWaiters = new Set<(line: string) => void>();
  let mf: Miniflare | undefined;
  try {
    const scriptPath = await bundleWorker(dir);
    const isolates = Array.from({ length: options.isolates ?? 1 }, (_, i): MiniflareWorker => {
      const first = i === 0;
      return {
        name: first ? 'edge-balancer' : `edge-balancer-${i + 1}`,
        modules: true,
        scriptPath,
        modulesRoot: dir,
        compatibilityDate: COMPATIBILITY_DATE,
        compatibilityFlags: COMPATIBILITY_FLAGS,
        bindings: { EDGE_BALANCER_CONFIG: config, HEALTH_SNAPSHOT_MS: '0', ...options.bindings },
        durableObjects: options.withoutDurableObject
          ? {}
          : { HEALTH: first ? 'HealthObject' : { className: 'HealthObject', scriptName: 'edge-balancer' } },
        unsafeDirectSockets: first ? undefined : [{ host: '127.0.0.1', port: 0 }],
      };
    });
    mf = new Miniflare({
      workers: isolates,
      host: '127.0.0.1',
      port: options.port ?? 0,
      durableObjectsPersist: options.persistTo ?? false,
      handleStructuredLogs: ({ message }: { message: string }) => {
        logs.push(message);
        for (const waiter of logWaiters) waiter(message);
      },
    });
    const running = mf;
    const url = await running.ready;
    const ports = [Number(url.port)];
    for (const worker of isolates.slice(1)) ports.push(Number((await running.unsafeGetDirectURL(worker.name)).port));
    const healthObject = async () => {
      const namespace = await running.getDurableObjectNamespace('HEALTH');
      return namespace.get(namespace.idFromName('health')) as unknown as HealthObjectStub;
    };
    return {
      port: ports[0]!,
      ports,
      checkNow: async () => copyOut(await (await healthObject()).checkNow()),
      states: async () => copyOut(await (await healthObject()).states()),
      logs: () => [...logs],
      waitForLog: (pattern, timeoutMs = 5000) =>
        new Promise<string>((resolve, reject) => {
          const found = logs.find((line) => pattern.test(line));
          if (found !== undefined) return resolve(found);
          const timer = setTimeout(() => {
            logWaiters.delete(waiter);
            reject(new Error(`no log line matched ${pattern} within ${timeoutMs} ms; got:\n${logs.join('\n')}`));
          }, timeoutMs);
          const waiter = (line: string) => {
            if (!pattern.test(line)) return;
            clearTimeout(timer);
            logWaiters.delete(waiter);
            resolve(line);
          };
          logWaiters.add(waiter);
        }),
      async close() {
        await running.dispose();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await mf?.dispose();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
