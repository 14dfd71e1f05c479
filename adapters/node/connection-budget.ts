/**
 * The connection limits the Node adapter enforces, from the configuration and
 * the process's descriptors, the way HAProxy 2.6 sizes `maxconn` against
 * `ulimit-n`: each client connection may need two descriptors (the client's
 * and the server's), and a reserve stays for the listeners, one health check
 * per checked server and a few spare (HAProxy reserves 10). Unlike HAProxy,
 * Node cannot raise its own descriptor limit, so a `maxconn` that does not fit
 * is lowered (with HAProxy's warning) rather than trusted: a connection flood
 * must never take the descriptors the health checks need.
 */
import type { Config } from '../../src/config/types.ts';
import type { DescriptorUse } from './descriptor-limit.ts';

export interface ConnectionBudget {
  /** Client connections open at once over every listener (HAProxy's global `maxconn`). */
  readonly global: number;
  /** Each frontend's own limit (`maxconn` in the section, else the global one). */
  readonly frontends: ReadonlyMap<string, number>;
  /** What the operator should know, in HAProxy's words where it has some. */
  readonly warnings: readonly string[];
  /** How the global limit was set when the configuration left it to the descriptors (HAProxy's `-d` note). */
  readonly note?: string;
}

/** HAProxy's `global.maxsock = 10` reserve "for socket eaters". */
export const SPARE_DESCRIPTORS = 10;
/** Used when the limit is unknown (Windows): the usual soft limit elsewhere. */
export const ASSUMED_DESCRIPTOR_LIMIT = 1024;

export function planConnectionBudget(config: Config, descriptors: DescriptorUse): ConnectionBudget {
  const warnings: string[] = [];
  const { maxconn, ulimitN } = config.global ?? {};
  let available = descriptors.limit ?? ASSUMED_DESCRIPTOR_LIMIT;
  if (ulimitN !== undefined) {
    // `ulimit-n` asks for a descriptor limit; Node can only stay below the one it has.
    if (descriptors.limit !== undefined && ulimitN > descriptors.limit) {
      warnings.push(`Cannot raise FD limit to ${ulimitN}, limit is ${descriptors.limit}.`);
    } else available = ulimitN;
  }
  const reserve = descriptors.open + reservedForConfig(config) + SPARE_DESCRIPTORS;
  const fitting = Math.max(1, Math.floor((available - reserve) / 2));
  let global = maxconn ?? fitting;
  if (maxconn !== undefined && maxconn > fitting && descriptors.limit !== undefined) {
    const maxsock = 2 * maxconn + reserve;
    warnings.push(
      `FD limit (${available}) too low for maxconn=${maxconn}/maxsock=${maxsock}. Please raise 'ulimit-n' to ${maxsock} or more to avoid any trouble. ` +
        `maxconn ${fitting} is used instead, so that health checks and server connections keep their descriptors.`,
    );
    global = fitting;
  }
  const frontends = new Map(config.frontends.map((f) => [f.name, f.maxconn ?? global]));
  const note = maxconn === undefined ? `Note: setting global.maxconn to ${global} (${available} descriptors, ${reserve} reserved).` : undefined;
  return { global, frontends, warnings, ...(note ? { note } : {}) };
}

/** One descriptor per listening socket and per checked server (a check holds one connection at a time). */
function reservedForConfig(config: Config): number {
  const listeners = config.frontends.reduce((sum, f) => sum + f.binds.length, 0);
  const checks = config.backends.reduce((sum, b) => sum + b.servers.filter((s) => s.check).length, 0);
  return listeners + checks;
}
