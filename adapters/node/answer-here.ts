/**
 * What the admission step answers itself (a rule's answer, `tarpit`,
 * `reject`, the Prometheus service), for the fast path and the upgrade path:
 * each says how it writes a page and how it drops the connection.
 */
import { recordAnswer } from '../../src/admission/answer-log.ts';
import { prometheusAnswer, type Admission } from '../../src/admission/admit-request.ts';
import type { BalancerState } from '../../src/balancer/balancer-state.ts';
import type { TrafficCounters } from '../../src/balancer/counters.ts';
import type { BalancerDeps } from '../../src/deps.ts';
import type { ErrorResponse } from '../../src/proxy/error-pages.ts';
import { countersLookup } from '../../src/balancer/fleet-figures.ts';

export type AnsweredHere = Exclude<Admission, { kind: 'proxy' | 'stats' }>;

export function answerHere(
  admission: AnsweredHere,
  state: BalancerState,
  frontend: TrafficCounters,
  deps: Pick<BalancerDeps, 'clock' | 'timers' | 'fleet' | 'logger'>,
  client: { readonly address: string; readonly port?: number },
  send: (page: ErrorResponse) => void,
  drop: () => void,
): void {
  const startedAt = deps.clock.now();
  switch (admission.kind) {
    case 'answer': {
      const answer = () => {
        send(admission.response);
        recordAnswer(deps, frontend, admission, client, startedAt);
      };
      // `tarpit`: the answer waits, the connection stays held meanwhile.
      if (admission.delayMs) deps.timers.setTimeout(answer, admission.delayMs);
      else answer();
      return;
    }
    case 'reject':
      drop();
      return recordAnswer(deps, frontend, admission, client, startedAt);
    case 'prometheus':
      recordAnswer(deps, frontend, admission, client, startedAt);
      // With worker processes the page shows all of them (deps.fleet), asked for now.
      if (deps.fleet) void deps.fleet.counters().then((report) => send(prometheusAnswer(state, admission, deps.clock.now(), countersLookup(report))));
      else send(prometheusAnswer(state, admission, deps.clock.now()));
      return;
  }
}
