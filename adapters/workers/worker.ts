/**
 * The Worker: the same Hono app as on Node and Deno, serving every request.
 * Health comes from the HealthObject Durable Object (one per configuration),
 * read through a snapshot refreshed at most every HEALTH_SNAPSHOT_MS; without
 * that binding each isolate keeps its own state, unchecked.
 */
import { createBalancer, MemoryHealthStore, type BalancerApp } from '../../src/index.ts';
import { loadConfig, type Env } from './env.ts';
import { SnapshotHealthStore } from './snapshot-store.ts';
import { createWorkersDeps } from './workers-deps.ts';

export { HealthObject } from './health-object.ts';

interface Isolate {
  readonly app: BalancerApp;
  readonly snapshot?: SnapshotHealthStore;
  /** Servers that refused a connection since the last request ended. */
  readonly failed: Set<string>;
}

let isolate: Isolate | undefined;

/** One object holds the health of the whole configuration. */
const HEALTH_OBJECT = 'health';

function startIsolate(env: Env): Isolate {
  const config = loadConfig(env);
  const failed = new Set<string>();
  let snapshot: SnapshotHealthStore | undefined;
  if (env.HEALTH) {
    snapshot = new SnapshotHealthStore(Number(env.HEALTH_SNAPSHOT_MS ?? 1000));
  } else {
    console.warn('[WARNING] no HEALTH Durable Object binding: health state is per isolate and servers are not checked');
  }
  const deps = createWorkersDeps(snapshot ?? new MemoryHealthStore(), (host, port) => {
    for (const backend of config.backends) {
      for (const server of backend.servers) if (server.host === host && server.port === port) failed.add(`${backend.name}/${server.name}`);
    }
  });
  return { app: createBalancer(config, deps), snapshot, failed };
}

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    isolate ??= startIsolate(env);
    const { app, snapshot, failed } = isolate;
    const object = env.HEALTH?.get(env.HEALTH.idFromName(HEALTH_OBJECT));
    if (snapshot && object) await snapshot.refreshIfStale(Date.now(), object);
    const response = await app.fetch(request, { clientAddress: request.headers.get('cf-connecting-ip') ?? '' });
    if (object && failed.size > 0) {
      for (const key of failed) ctx.waitUntil(snapshot!.reportFailure(key, object));
      failed.clear();
    }
    return response;
  },
} satisfies ExportedHandler<Env>;
