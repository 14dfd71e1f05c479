/**
 * Runs the active health checks of every checked server on its own timer and
 * records the outcome in the HealthStore through the pure transition
 * function. Like HAProxy, the first checks are spread over one interval
 * instead of all firing at start-up.
 */
import type { Backend, Config, Server } from '../config/types.ts';
import type { BalancerDeps } from '../deps.ts';
import { serverIsUsable, serverKey } from '../balancer/availability.ts';
import { probeHttp } from './http-probe.ts';
import { applyCheckResult, formatTransitionLog, initialHealthState, nextCheckDelay } from './index.ts';
import type { CheckResult } from './types.ts';

export interface HealthChecks {
  stop(): void;
}

export function startHealthChecks(config: Config, deps: BalancerDeps): HealthChecks {
  const cancels = new Set<() => void>();
  let stopped = false;

  for (const backend of config.backends) {
    const checked = backend.servers.filter((s) => s.check && !s.disabled);
    checked.forEach((server, position) => {
      const check = server.check!;
      const key = serverKey(backend.name, server.name);
      if (!deps.healthStore.get(key)) deps.healthStore.set(key, initialHealthState(check, deps.clock.now()));

      const schedule = (delayMs: number) => {
        const cancel = deps.timers.setTimeout(() => {
          cancels.delete(cancel);
          void runOnce();
        }, delayMs);
        cancels.add(cancel);
      };
      const runOnce = async () => {
        const result = await probe(backend, server, deps);
        if (stopped) return;
        const before = deps.healthStore.get(key) ?? initialHealthState(check, deps.clock.now());
        const { state, transition } = applyCheckResult(before, result, check, deps.clock.now());
        deps.healthStore.set(key, state);
        if (transition) deps.logger.warn(transitionMessage(backend, server, transition, result, deps));
        schedule(nextCheckDelay(state, check));
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

function probe(backend: Backend, server: Server, deps: BalancerDeps): Promise<CheckResult> {
  const check = server.check!;
  const host = check.addr ?? server.host;
  const port = check.port ?? server.port;
  // HAProxy: with `timeout check`, the connect phase is bounded by
  // min(timeout connect, inter) and the read by `timeout check`; otherwise
  // both by `inter`.
  const connect = Math.min(backend.timeouts.connect ?? check.inter, check.inter);
  const read = backend.timeouts.check ?? check.inter;
  if (backend.httpCheck) return probeHttp(deps.upstream, deps.clock, { host, port }, backend.httpCheck, { connect, read });
  return deps.tcpProbe.connect(host, port, backend.timeouts.check ? connect : check.inter);
}

function transitionMessage(
  backend: Backend,
  server: Server,
  transition: 'UP' | 'DOWN',
  result: CheckResult,
  deps: BalancerDeps,
): string {
  let activeLeft = 0;
  let backupLeft = 0;
  for (const s of backend.servers) {
    if (!serverIsUsable(s, deps.healthStore.get(serverKey(backend.name, s.name)))) continue;
    if (s.backup) backupLeft++;
    else activeLeft++;
  }
  return formatTransitionLog({
    backend: backend.name,
    server: server.name,
    transition,
    result,
    activeServers: activeLeft,
    backupServers: backupLeft,
  });
}
