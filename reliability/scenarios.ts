/**
 * The fault scenarios, each run the same way against edge-balancer and
 * haproxy: the same configuration text, backends in their own processes,
 * the same bounded load.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePorts } from '../test/helpers/ports.ts';
import { runLoad, type LoadOutcome } from './load.ts';
import { downAt, startBackend, startProxy, type Process, type ProxyKind, type ProxyProcess } from './processes.ts';

export const scenarioConfig = (port: number, backends: readonly number[], extra: string) => `
defaults
    mode http
    timeout connect 1s
    timeout client 10s
    timeout server 5s
    retries 3
    option redispatch
listen app
    bind 127.0.0.1:${port}
    balance roundrobin
${extra}
${backends.map((p, i) => `    server s${i + 1} 127.0.0.1:${p} cookie s${i + 1} check inter 200ms`).join('\n')}
`;

export async function withSetup<T>(
  kind: ProxyKind,
  servers: number,
  extra: string,
  run: (proxy: ProxyProcess, backends: Process[], port: number, ports: readonly number[]) => Promise<T>,
  options: { masterWorker?: boolean } = {},
): Promise<T> {
  const [port, ...ports] = await freePorts(servers + 1);
  const backends: Process[] = [];
  let proxy: ProxyProcess | undefined;
  try {
    for (const [i, p] of ports.entries()) backends.push(await startBackend(`s${i + 1}`, p));
    proxy = await startProxy(kind, scenarioConfig(port!, ports, extra), port!, options);
    return await run(proxy, backends, port!, ports);
  } finally {
    await proxy?.stop();
    await Promise.all(backends.map((b) => b.stop()));
  }
}

export interface KillResult {
  readonly load: LoadOutcome;
  /** ms from the kill to the proxy logging the server DOWN. */
  readonly detectedAfterMs?: number;
  /** ms from the restart to the proxy logging it UP again. */
  readonly backUpAfterMs?: number;
}

/** One of three backends is killed (SIGKILL) under load, then restarted. */
export async function killUnderLoad(
  kind: ProxyKind,
  timing = { clients: 16, durationMs: 6000, killAtMs: 2000, restartAtMs: 4000 },
): Promise<KillResult> {
  return withSetup(kind, 3, '', async (proxy, backends, port, ports) => {
    const load = runLoad(port, { clients: timing.clients, durationMs: timing.durationMs, deadlineMs: 8000 });
    await sleep(timing.killAtMs);
    const killedAt = Date.now();
    await backends[1]!.stop();
    await sleep(timing.restartAtMs - timing.killAtMs);
    const restartedAt = Date.now();
    backends[1] = await startBackend('s2', ports[1]!);
    const outcome = await load;
    const down = downAt(proxy, 'app/s2');
    const up = proxy.log.find((l) => l.at >= restartedAt && l.text.includes('app/s2 is UP'))?.at;
    return {
      load: outcome,
      detectedAfterMs: down === undefined ? undefined : down - killedAt,
      backUpAfterMs: up === undefined ? undefined : up - restartedAt,
    };
  });
}

/** One of three backends stops answering (SIGSTOP: connections accepted, nothing sent back). */
export async function hangUnderLoad(
  kind: ProxyKind,
  timing = { clients: 16, durationMs: 6000, hangAtMs: 2000 },
): Promise<LoadOutcome> {
  return withSetup(kind, 3, '    timeout server 1s', async (_proxy, backends, port) => {
    const load = runLoad(port, { clients: timing.clients, durationMs: timing.durationMs, deadlineMs: 8000 });
    await sleep(timing.hangAtMs);
    backends[1]!.child.kill('SIGSTOP');
    return load;
  });
}

/** Samples of one gauge: before the load, once warmed up (a sixth of the run, at most 10 s), the highest, at the end. */
export interface Samples {
  readonly start: number;
  readonly warm: number;
  readonly peak: number;
  readonly end: number;
}

export interface SoakResult {
  readonly load: LoadOutcome;
  readonly rssMiB: Samples;
  readonly openFiles: Samples;
}

function rssMiB(pid: number): number {
  const kib = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return Math.round(kib / 1024);
}

/** Steady load, half the clients sticky, for `durationMs`: memory and descriptors sampled every second. */
export async function soak(kind: ProxyKind, durationMs: number): Promise<SoakResult> {
  return withSetup(kind, 2, '    cookie SERVERNAME insert indirect nocache', async (proxy, _backends, port) => {
    const pid = proxy.child.pid!;
    const rss: number[] = [rssMiB(pid)];
    const files: number[] = [readdirSync(`/proc/${pid}/fd`).length];
    const sampler = setInterval(() => {
      rss.push(rssMiB(pid));
      files.push(readdirSync(`/proc/${pid}/fd`).length);
    }, 1000);
    try {
      const [sticky, plain] = await Promise.all([
        runLoad(port, { clients: 8, durationMs, deadlineMs: 8000, cookie: 'SERVERNAME=s1' }),
        runLoad(port, { clients: 8, durationMs, deadlineMs: 8000 }),
      ]);
      rss.push(rssMiB(pid));
      files.push(readdirSync(`/proc/${pid}/fd`).length);
      const load: LoadOutcome = {
        sent: sticky.sent + plain.sent,
        ok: sticky.ok + plain.ok,
        statuses: { ...sticky.statuses, ...plain.statuses },
        errors: sticky.errors + plain.errors,
        hung: sticky.hung + plain.hung,
      };
      const warmIndex = Math.min(10, Math.ceil(durationMs / 6000));
      const summary = (v: number[]): Samples => ({ start: v[0]!, warm: v[Math.min(warmIndex, v.length - 1)]!, peak: Math.max(...v), end: v[v.length - 1]! });
      return { load, rssMiB: summary(rss), openFiles: summary(files) };
    } finally {
      clearInterval(sampler);
    }
  });
}
