/** Runs edge-balancer through the Node adapter on a config text, capturing its log. */
import { parseHaproxyConfig } from '../../src/config/index.ts';
import type { AccessLogEntry, Logger } from '../../src/deps.ts';
import { createNodeDeps } from '../../adapters/node/node-deps.ts';
import { startBalancer, type RunningBalancer } from '../../adapters/node/serve.ts';

export interface RunningEdge extends RunningBalancer {
  readonly messages: string[];
  readonly access: AccessLogEntry[];
}

export async function startEdge(configText: string, env: Record<string, string> = {}): Promise<RunningEdge> {
  const { config } = parseHaproxyConfig([{ file: 'test.cfg', text: configText }], { env });
  const messages: string[] = [];
  const access: AccessLogEntry[] = [];
  const logger: Logger = {
    info: (m) => messages.push(m),
    warn: (m) => messages.push(m),
    access: (e) => access.push(e),
  };
  const balancer = await startBalancer(config, { deps: createNodeDeps(logger) });
  return Object.assign(balancer, { messages, access });
}
