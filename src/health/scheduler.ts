/**
 * Runs the active health checks of every checked server on its own timer and
 * records the outcome in the HealthStore through the pure transition
 * function. Like HAProxy, the first checks are spread over one interval by
 * the server's position, instead of all firing at start-up.
 */
import type { Backend, Server } from '../config/types.ts';
import type { BalancerDeps } from '../deps.ts';
import type { BackendRuntime } from '../balancer/backend-runtime.ts';
import type { BalancerState } from '../balancer/balancer-state.ts';
import { probeHttp } from './http-probe.ts';
import { checkTlsFor } from '../proxy/server-tls.ts';
import { applyCheckResult, formatTransitionLog, initialHealthState, nextCheckDelay } from './index.ts';
import type { HealthTransition } from './apply-check-result.ts';
import type { CheckResult, HealthState } from './types.ts';

export interface HealthChecks {
  stop(): void;
}

export function startHealthChecks(state: BalancerState, deps: BalancerDeps): HealthChecks {
  const cancels = new Set<() => void>();
  let stopped = false;

  for (const runtime of state.backends.values()) {
    // Servers in maintenance are still checked, so their state is known when they come back.
    const checked = runtime.servers.flatMap((server, index) => (server.check ? [index] : []));
    checked.forEach((index, position) => {
      const check = runtime.servers[index]!.check!;
      const schedule = (delayMs: number) => {
        const cancel = deps.timers.setTimeout(() => {
          cancels.delete(cancel);
          void checkServer(runtime, index, deps, () => stopped).then((after) => {
            if (after && !stopped) schedule(nextCheckDelay(after, check));
          });
        }, delayMs);
        cancels.add(cancel);
      };
      schedule(Math.floor((check.inter * position) / checked.length));
    });
  }

  return {
    stop() {
      stopped = true;
      for (const cancel of cancels) cancel();
      cancels.clear();
    },
  };
}

/**
 * One check of one server: probe, apply the result, store it, log a
 * transition the way HAProxy does. Returns the new state, or nothing when
 * `cancelled()` turned true while the probe ran. Exported for runtimes that
 * drive checks themselves (a Durable Object's alarm).
 */
export async function checkServer(
  runtime: BackendRuntime,
  index: number,
  deps: BalancerDeps,
  cancelled: () => boolean = () => false,
): Promise<HealthState | undefined> {
  const server = runtime.servers[index]!;
  const check = server.check!;
  const key = runtime.keys[index]!;
  const running = deps.healthStore.get(key)?.up ?? true;
  const result = await probe(runtime.backend, server, deps, running);
  if (cancelled()) return undefined;
  const before = deps.healthStore.get(key) ?? initialHealthState(check, deps.clock.now());
  const { state, transition } = applyCheckResult(before, result, check, deps.clock.now());
  deps.healthStore.set(key, state);
  if (transition) deps.logger.warn(transitionMessage(runtime, index, transition, result));
  return state;
}

/** `running`: the server is UP or NOLB, which `http-check disable-on-404` needs to know. */
function probe(backend: Backend, server: Server, deps: BalancerDeps, running: boolean): Promise<CheckResult> {
  const check = server.check!;
  const host = check.addr ?? server.host;
  const port = check.port ?? server.port;
  // HAProxy: with `timeout check`, the connect phase is bounded by
  // min(timeout connect, inter) and the read by `timeout check`; otherwise
  // both by `inter`.
  const connect = Math.min(backend.timeouts.connect ?? check.inter, check.inter);
  const read = backend.timeouts.check ?? check.inter;
  const tls = check.tls ? checkTlsFor(check.tls) : undefined;
  if (backend.httpCheck) return probeHttp(deps.upstream, deps.clock, { host, port, ...(tls ? { tls } : {}) }, backend.httpCheck, { connect, read }, running);
  return deps.tcpProbe.connect(host, port, backend.timeouts.check ? connect : check.inter, tls);
}

function transitionMessage(runtime: BackendRuntime, index: number, transition: HealthTransition, result: CheckResult): string {
  let activeServers = 0;
  let backupServers = 0;
  runtime.servers.forEach((s, i) => {
    if (!runtime.takesNewClients(i)) return;
    if (s.backup) backupServers++;
    else activeServers++;
  });
  const server = runtime.servers[index]!;
  return formatTransitionLog({
    backend: runtime.backend.name,
    server: server.name,
    backup: server.backup,
    transition,
    result,
    activeServers,
    backupServers,
    sessionsActive: transition === 'DOWN' ? runtime.serverCounters[index]!.current : undefined,
  });
}
