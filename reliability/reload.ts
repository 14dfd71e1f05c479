/**
 * Configuration reload under load: the proxy starts with two servers; while
 * clients keep sending requests (and a few slow ones are in flight) its file
 * is rewritten with a third server and the proxy is told to reload
 * (edge-balancer: SIGHUP; haproxy -W: SIGUSR2 to the master). Then the file is
 * broken and the reload asked again: the running configuration must stay.
 */
import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePorts } from '../test/helpers/ports.ts';
import { runLoad, timeUntil, type LoadOutcome } from './load.ts';
import { signalFor, startBackend, startProxy, waitForLog, type Process, type ProxyKind, type ProxyProcess } from './processes.ts';
import { scenarioConfig } from './scenarios.ts';

export interface ReloadResult {
  /** The steady clients, across both reloads. */
  readonly load: LoadOutcome;
  /** Slow requests (1 s on the server) in flight when the first reload was asked: sent, answered 200. */
  readonly slow: { readonly sent: number; readonly ok: number };
  /** ms from the reload signal until the server added by the new file answered a request. */
  readonly newServerAfterMs?: number;
  /** After the broken file: still running, still serving with the configuration it had. */
  readonly brokenRejected: boolean;
}

/** The name of the server that answered a fresh-connection GET, or undefined. */
async function servedBy(port: number, path = '/'): Promise<string | undefined> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { connection: 'close' }, signal: AbortSignal.timeout(8000) }).catch(() => undefined);
  if (response?.status !== 200) return undefined;
  return response.text();
}

async function reload(proxy: ProxyProcess, kind: ProxyKind, configText: string): Promise<void> {
  writeFileSync(proxy.configFile, configText);
  proxy.child.kill(signalFor(kind, 'reload'));
}

export async function reloadUnderLoad(kind: ProxyKind, timing = { clients: 8, durationMs: 5000, reloadAtMs: 1000, brokenAtMs: 3000 }): Promise<ReloadResult> {
  const [port, ...ports] = await freePorts(4);
  const backends: Process[] = [];
  let proxy: ProxyProcess | undefined;
  try {
    for (const [i, p] of ports.entries()) backends.push(await startBackend(`s${i + 1}`, p));
    proxy = await startProxy(kind, scenarioConfig(port!, ports.slice(0, 2), ''), port!, { masterWorker: true });
    const start = Date.now();
    const load = runLoad(port!, { clients: timing.clients, durationMs: timing.durationMs, deadlineMs: 8000 });

    await sleep(timing.reloadAtMs);
    const slow = Promise.all(Array.from({ length: 4 }, () => servedBy(port!, '/?delay=1000')));
    await waitForLog(backends, 'held', { count: 4 });
    const reloadedAt = Date.now();
    await reload(proxy, kind, scenarioConfig(port!, ports, ''));
    const newServerAfterMs = await timeUntil(async () => (await servedBy(port!)) === 's3', 3000);
    const slowAnswers = await slow;

    await sleep(Math.max(0, start + timing.brokenAtMs - Date.now()));
    const logged = [proxy.log.length];
    await reload(proxy, kind, `${scenarioConfig(port!, ports, '')}    balance no-such-algorithm\n`);
    // Refused when the proxy says so (an [ALERT] line from haproxy's master or the edge-balancer command); then it must still serve s3.
    const refusal = await waitForLog([proxy], '[ALERT]', { from: logged });
    const stillServing = (await timeUntil(async () => (await servedBy(port!)) === 's3', 3000)) !== undefined;
    return {
      load: await load,
      slow: { sent: slowAnswers.length, ok: slowAnswers.filter((s) => s !== undefined).length },
      newServerAfterMs,
      brokenRejected: refusal && stillServing && proxy.child.exitCode === null,
    };
  } finally {
    await proxy?.stop();
    await Promise.all(backends.map((b) => b.stop()));
  }
}
