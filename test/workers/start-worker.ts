/**
 * Runs the real Worker in workerd through miniflare: the adapter bundled as
 * wrangler bundles it (esbuild, *.cfg as text), the HealthObject Durable
 * Object bound as HEALTH, listening on 127.0.0.1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';

const ROOT = new URL('../../', import.meta.url).pathname;

export interface RunningWorker {
  readonly port: number;
  /** Has the Durable Object run the checks now (what its alarm does), and returns its states. */
  checkNow(): Promise<Record<string, HealthSnapshot | null>>;
  /** The Durable Object's states, without checking. */
  snapshot(): Promise<Record<string, HealthSnapshot | null>>;
  close(): Promise<void>;
}

export interface HealthSnapshot {
  readonly up: boolean;
  readonly health: number;
  readonly chkdown: number;
}

export interface WorkerOptions {
  readonly bindings?: Record<string, string>;
  /** Without the HEALTH binding (per-isolate state). */
  readonly withoutDurableObject?: boolean;
  /** Durable Object storage kept here across restarts. */
  readonly persistTo?: string;
  /** Listen on this port instead of any free one. */
  readonly port?: number;
}

/** Bundles adapters/workers/worker.ts once per call into a temporary directory. */
export async function bundleWorker(outdir: string): Promise<string> {
  const outfile = join(outdir, 'worker.mjs');
  await build({
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

export async function startWorker(configText: string, env: Record<string, string>, options: WorkerOptions = {}): Promise<RunningWorker> {
  const dir = mkdtempSync(join(tmpdir(), 'edge-worker-'));
  const config = configText.replace(/\$\{(\w+)\}/g, (_, name: string) => env[name] ?? '');
  let mf: Miniflare | undefined;
  try {
    const scriptPath = await bundleWorker(dir);
    mf = new Miniflare({
      modules: true,
      scriptPath,
      modulesRoot: dir,
      compatibilityDate: '2026-04-01',
      host: '127.0.0.1',
      port: options.port ?? 0,
      bindings: { EDGE_BALANCER_CONFIG: config, HEALTH_SNAPSHOT_MS: '0', ...options.bindings },
      durableObjects: options.withoutDurableObject ? {} : { HEALTH: 'HealthObject' },
      durableObjectsPersist: options.persistTo ?? false,
    });
    const url = await mf.ready;
    const worker = mf;
    const healthObject = async () => {
      const namespace = await worker.getDurableObjectNamespace('HEALTH');
      return namespace.get(namespace.idFromName('health'));
    };
    return {
      port: Number(url.port),
      async checkNow() {
        const response = await (await healthObject()).fetch('https://health/check-now?wait=1', { method: 'POST' });
        return (await response.json()) as Record<string, HealthSnapshot | null>;
      },
      async snapshot() {
        const response = await (await healthObject()).fetch('https://health/snapshot');
        return (await response.json()) as Record<string, HealthSnapshot | null>;
      },
      async close() {
        await worker.dispose();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await mf?.dispose();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
