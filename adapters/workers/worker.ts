/**
 * The Worker: the same Hono app as on Node and Deno, serving every request.
 * With the HEALTH binding, health comes from the HealthObject Durable Object
 * through a copy synced at most every HEALTH_SNAPSHOT_MS (FleetSync), and the
 * stats show the fleet's traffic. Without it each isolate checks its servers
 * itself, when requests arrive and checks are due, and counts alone.
 */
import type { TlsFacts } from '../../src/rules/transaction.ts';
import { createBalancer, MemoryHealthStore, type BalancerApp, type HealthStore } from '../../src/index.ts';
import { DueChecks } from './due-checks.ts';
import { asSentByServer } from './encoded-response.ts';
import { loadConfig, stringBinding, type Env } from './env.ts';
import { FleetCounters } from './fleet-counters.ts';
import { FleetSync } from './fleet-sync.ts';
import { createWorkersDeps } from './workers-deps.ts';

export { HealthObject } from './health-object.ts';

/** One object holds the health of the whole configuration. */
const HEALTH_OBJECT = 'health';
const DEFAULT_SNAPSHOT_MS = 1000;

interface Isolate {
  readonly app: BalancerApp;
  /** With the object: the link to it. */
  readonly sync?: FleetSync;
  /** Without it: this isolate's own checks. */
  readonly checks?: DueChecks;
  /** Servers (`backend/server`) that refused a connection or timed out since the last report. */
  readonly failed: Set<string>;
  /** When this isolate last reported each server to the object: once per sync interval is enough. */
  readonly reportedAt: Map<string, number>;
  readonly syncIntervalMs: number;
}

let isolate: Isolate | undefined;

function startIsolate(env: Env): Isolate {
  const config = loadConfig(env);
  // Said, not silently ignored: Cloudflare's edge holds the certificates.
  const tlsLines = new Set(config.frontends.flatMap((f) => f.binds).flatMap((b) => (b.tls ? [`${b.tls.source.file}:${b.tls.source.line}`] : [])));
  for (const line of tlsLines) console.warn(`[NOTICE] ${line}: 'bind … ssl' on Workers: the platform terminates TLS, the crt files are not read`);
  const failed = new Set<string>();
  const build = (store: HealthStore) => {
    const deps = {
      ...createWorkersDeps(store, (host, port) => {
        for (const backend of config.backends) {
          for (const server of backend.servers) if (server.host === host && server.port === port) failed.add(`${backend.name}/${server.name}`);
        }
      }),
      environment: stringBinding(env),
    };
    return { deps, app: createBalancer(config, deps) };
  };
  const syncIntervalMs = env.HEALTH_SNAPSHOT_MS === undefined ? DEFAULT_SNAPSHOT_MS : Number(env.HEALTH_SNAPSHOT_MS);
  const reportedAt = new Map<string, number>();
  if (env.HEALTH) {
    const snapshot = new MemoryHealthStore();
    const { deps, app } = build(snapshot);
    const sync = new FleetSync(snapshot, new FleetCounters(app.state), syncIntervalMs, deps.logger);
    return { app, failed, reportedAt, syncIntervalMs, sync };
  }
  const { deps, app } = build(new MemoryHealthStore());
  deps.logger.warn('no HEALTH Durable Object binding: this isolate checks its servers and counts its traffic alone');
  return { app, failed, reportedAt, syncIntervalMs, checks: new DueChecks(app.state, deps) };
}

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    try {
      isolate ??= startIsolate(env);
    } catch (error) {
      // A broken configuration: every request says so, and the log names the lines (ConfigErrors' message).
      console.error(`[ALERT] ${error instanceof Error ? error.message : String(error)}`);
      return new Response('edge-balancer: invalid configuration, see the Worker log\n', { status: 500 });
    }
    const { app, sync, checks, failed, reportedAt, syncIntervalMs } = isolate;
    const object = env.HEALTH?.get(env.HEALTH.idFromName(HEALTH_OBJECT));
    if (sync && object) await sync.syncIfStale(Date.now(), object);

    const response = asSentByServer(await app.fetch(request, { clientAddress: request.headers.get('cf-connecting-ip') ?? '', ...tlsOf(request) }));

    // Passive health: a server that refused us is checked sooner (at `fastinter`), so the
    // fleet learns of a dead server without waiting for its `inter`.
    for (const key of failed) {
      if (checks) checks.reportFailure(key);
      else if (object && (reportedAt.get(key) ?? -Infinity) + syncIntervalMs <= Date.now()) {
        reportedAt.set(key, Date.now());
        ctx.waitUntil(object.reportFailure(key).catch((error: unknown) => console.warn(`[WARNING] failure report for ${key}: ${String(error)}`)));
      }
    }
    failed.clear();
    if (checks && !checks.running && (checks.nextDue() ?? Infinity) <= Date.now()) ctx.waitUntil(checks.runDue());
    return response;
  },
} satisfies ExportedHandler<Env>;

/**
 * `ssl_fc_*` of an https request: Cloudflare terminated TLS and says how in
 * `request.cf`; the SNI is the host name the request was sent to.
 */
function tlsOf(request: Request): { tls?: TlsFacts } {
  if (!request.url.startsWith('https:')) return {};
  const cf = request.cf as { tlsVersion?: string; httpProtocol?: string } | undefined;
  const alpn = cf?.httpProtocol === 'HTTP/2' ? 'h2' : cf?.httpProtocol === 'HTTP/3' ? 'h3' : cf?.httpProtocol === 'HTTP/1.1' ? 'http/1.1' : undefined;
  return { tls: { sni: new URL(request.url).hostname, ...(cf?.tlsVersion ? { protocol: cf.tlsVersion } : {}), ...(alpn ? { alpn } : {}) } };
}
