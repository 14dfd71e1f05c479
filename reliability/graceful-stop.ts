/**
 * Graceful stop: with slow requests in flight (1.5 s on the servers), the
 * proxy is asked to stop (edge-balancer: SIGTERM; haproxy: SIGUSR1, its
 * soft-stop). It must stop accepting connections at once, finish every
 * request in flight, then exit by itself.
 */
import { once } from 'node:events';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { signalFor, waitForLog, type ProxyKind } from './processes.ts';
import { withSetup } from './scenarios.ts';

export interface GracefulStopResult {
  readonly inFlight: number;
  /** In-flight requests answered 200. */
  readonly completed: number;
  /** ms from the signal until new connections were refused. */
  readonly refusingAfterMs?: number;
  /** ms from the signal until the process exited, and its exit code. */
  readonly exitedAfterMs?: number;
  readonly exitCode: number | null;
}

function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

export async function gracefulStop(kind: ProxyKind, inFlight = 16): Promise<GracefulStopResult> {
  return withSetup(kind, 2, '', async (proxy, backends, port) => {
    const requests = Array.from({ length: inFlight }, () =>
      fetch(`http://127.0.0.1:${port}/?delay=1500`, { headers: { connection: 'close' }, signal: AbortSignal.timeout(10_000) })
        .then((r) => r.text().then(() => r.status))
        .catch(() => 0),
    );
    await waitForLog(backends, 'held', { count: inFlight });
    const exited = once(proxy.child, 'exit');
    const signalledAt = Date.now();
    proxy.child.kill(signalFor(kind, 'graceful-stop'));

    let refusingAfterMs: number | undefined;
    while (refusingAfterMs === undefined && Date.now() - signalledAt < 1000) {
      if (await connectionRefused(port)) refusingAfterMs = Date.now() - signalledAt;
      else await sleep(10);
    }
    const statuses = await Promise.all(requests);
    const exit = await Promise.race([exited.then(() => Date.now() - signalledAt), once(AbortSignal.timeout(10_000), 'abort').then(() => undefined)]);
    return {
      inFlight,
      completed: statuses.filter((s) => s === 200).length,
      refusingAfterMs,
      exitedAfterMs: exit,
      exitCode: proxy.child.exitCode,
    };
  });
}
