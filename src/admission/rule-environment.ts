/**
 * What the rules read outside the request (src/rules/sample.ts's
 * `RuleEnvironment`), built once per balancer and reused by every request:
 * `nbsrv()` counts the live servers, `http_auth()` checks the `userlist`s
 * (with their bounded memory of checked passwords), `proc.` variables live as
 * long as the balancer, and `deny`/`auth`/`tarpit` answer with the proxy's
 * `errorfile` when it has one.
 */
import type { BalancerState } from '../balancer/balancer-state.ts';
import type { VarValue } from '../rules/transaction.ts';
import type { RuleEnvironment } from '../rules/sample.ts';
import { createCredentialCheck } from '../rules/userlist.ts';
import { backendErrorPage } from '../proxy/error-pages.ts';

const environments = new WeakMap<BalancerState, RuleEnvironment>();

export function ruleEnvironmentOf(state: BalancerState): RuleEnvironment {
  let environment = environments.get(state);
  if (!environment) environments.set(state, (environment = createRuleEnvironment(state)));
  return environment;
}

function createRuleEnvironment(state: BalancerState): RuleEnvironment {
  const userlists = state.config.userlists ?? [];
  return {
    usableServers: (backend) => state.backends.get(backend)?.usableActiveCount() ?? 0,
    processVars: new Map<string, VarValue>(),
    ...(state.environment ? { environment: state.environment } : {}),
    ...(userlists.length > 0 ? { checkCredentials: createCredentialCheck(userlists) } : {}),
    // HAProxy answers with the errorfile of the backend once chosen, else the
    // frontend's (a `listen` is both); a plain frontend has none here.
    errorPage: (status, txn) => {
      const backend = state.backends.get(txn.backend ?? txn.frontend)?.backend;
      if (!backend?.errorFiles.some((file) => file.status === status)) return undefined;
      const page = backendErrorPage(backend, status);
      return { status: page.status, headers: page.headers.filter(([name]) => name.toLowerCase() !== 'connection'), body: page.body };
    },
  };
}
