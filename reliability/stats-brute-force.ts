/**
 * Stats password guessing at full speed while normal clients use the
 * application, on edge-balancer and haproxy with the same configuration.
 */
import { runLoad, timeUntil, type LoadOutcome } from './load.ts';
import type { ProxyKind } from './processes.ts';
import { withSetup } from './scenarios.ts';

export interface BruteForceResult {
  /** Normal traffic alone, then while 8 clients try wrong stats passwords. */
  readonly alone: LoadOutcome;
  readonly underAttack: LoadOutcome;
  readonly attack: LoadOutcome;
  /** The real or a tried password showed up in what the proxy logged. */
  readonly passwordLogged: boolean;
  /** ms from the end of the guessing until the right password was accepted from the same address. */
  readonly adminInAfterMs?: number;
}

const USER = 'admin';
const PASSWORD = 'S3cret-pass';
const basic = (password: string) => `Basic ${Buffer.from(`${USER}:${password}`).toString('base64')}`;

/**
 * Stats credentials guessed at full speed while normal clients are served;
 * then the administrator logs in from the same address. The guessers' deadline
 * is longer than the throttle's longest hold (10 s), so a held refusal is
 * counted as an answer, not as a hung request.
 */
export async function bruteForceStats(kind: ProxyKind, durationMs: number): Promise<BruteForceResult> {
  const stats = `    stats uri /stats\n    stats auth ${USER}:${PASSWORD}\n    stats admin if TRUE`;
  return withSetup(kind, 2, stats, async (proxy, _backends, port) => {
    const normal = (ms = durationMs) => runLoad(port, { clients: 8, durationMs: ms, deadlineMs: 8000 });
    // Warm-up first, so "alone" is not measured on a cold JIT against a warm "under attack".
    await normal(1000);
    const alone = await normal();
    const [underAttack, attack] = await Promise.all([
      normal(),
      runLoad(port, { clients: 8, durationMs, deadlineMs: 15_000, path: '/stats', authorization: basic('guess-1234') }),
    ]);
    const adminInAfterMs = await timeUntil(() => accepted(port, basic(PASSWORD)), 15_000);
    const log = proxy.log.map((l) => l.text).join('');
    return { alone, underAttack, attack, passwordLogged: log.includes(PASSWORD) || log.includes('guess-1234'), adminInAfterMs };
  });
}

/** Whether `authorization` opens /stats, on a request of its own. */
async function accepted(port: number, authorization: string): Promise<boolean> {
  const response = await fetch(`http://127.0.0.1:${port}/stats;csv`, { headers: { authorization } }).catch(() => undefined);
  await response?.arrayBuffer();
  return response?.status === 200;
}
