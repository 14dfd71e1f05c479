/**
 * A bounded load generator for reliability runs: `clients` loops, each
 * sending GETs on its own keep-alive connection until `durationMs` is over.
 * Every request has a deadline, so a hung one is counted, never waited for.
 */
import { Agent, request } from 'node:http';

export interface LoadOutcome {
  sent: number;
  ok: number;
  /** Answers other than 200, by status. */
  statuses: Record<number, number>;
  /** Connection errors (reset, refused) seen by the client. */
  errors: number;
  /** No answer within the deadline. */
  hung: number;
}

export async function runLoad(
  port: number,
  options: { clients: number; durationMs: number; deadlineMs: number; cookie?: string; path?: string; authorization?: string },
): Promise<LoadOutcome> {
  const outcome: LoadOutcome = { sent: 0, ok: 0, statuses: {}, errors: 0, hung: 0 };
  const end = Date.now() + options.durationMs;
  const loop = async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    while (Date.now() < end) {
      outcome.sent++;
      const headers: Record<string, string> = {};
      if (options.cookie) headers.cookie = options.cookie;
      if (options.authorization) headers.authorization = options.authorization;
      const result = await once(port, agent, options.deadlineMs, options.path ?? '/', headers);
      if (result === 200) outcome.ok++;
      else if (result === 'error') outcome.errors++;
      else if (result === 'hung') outcome.hung++;
      else outcome.statuses[result] = (outcome.statuses[result] ?? 0) + 1;
    }
    agent.destroy();
  };
  await Promise.all(Array.from({ length: options.clients }, loop));
  return outcome;
}

function once(port: number, agent: Agent, deadlineMs: number, path: string, headers: Record<string, string>): Promise<number | 'error' | 'hung'> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent, headers }, (res) => {
      res.resume();
      res.on('end', () => {
        clearTimeout(timer);
        resolve(res.statusCode ?? 0);
      });
      res.on('error', () => resolve('error'));
    });
    const timer = setTimeout(() => {
      req.destroy();
      resolve('hung');
    }, deadlineMs);
    req.on('error', () => {
      clearTimeout(timer);
      resolve('error');
    });
    req.end();
  });
}
