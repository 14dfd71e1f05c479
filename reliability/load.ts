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
      const { status: result } = await get(port, agent, options.deadlineMs, options.path ?? '/', headers);
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

/** One GET's outcome, as a client saw it. */
export interface Exchange {
  /** When it ended (ms since epoch). */
  readonly at: number;
  /** The status, a connection error, or no answer within the deadline. */
  readonly status: number | 'error' | 'hung';
  readonly body?: string;
  readonly setCookie?: readonly string[];
}

/** A GET on `agent`'s connection, given `deadlineMs` before it counts as hung (the request is then destroyed). */
export function get(port: number, agent: Agent, deadlineMs: number, path: string, headers: Record<string, string>): Promise<Exchange> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ at: Date.now(), status: res.statusCode ?? 0, body, setCookie: res.headers['set-cookie'] });
      });
      res.on('error', () => resolve({ at: Date.now(), status: 'error' }));
    });
    const timer = setTimeout(() => {
      req.destroy();
      resolve({ at: Date.now(), status: 'hung' });
    }, deadlineMs);
    req.on('error', () => {
      clearTimeout(timer);
      resolve({ at: Date.now(), status: 'error' });
    });
    req.end();
  });
}

/** ms until `attempt` first resolves true, trying again at once after each false, or undefined after `limitMs`. */
export async function timeUntil(attempt: () => Promise<boolean>, limitMs: number): Promise<number | undefined> {
  const start = Date.now();
  while (Date.now() - start < limitMs) {
    if (await attempt()) return Date.now() - start;
  }
  return undefined;
}
