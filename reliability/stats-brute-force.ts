/**
 * Stats password guessing at full speed while normal clients use the
 * application, on edge-balancer and haproxy with the same configuration.
 */
import { runLoad, type LoadOutcome } from './load.ts';
import type { ProxyKind } from './processes.ts';
import { withSetup } from './scenarios.ts';

export interface BruteForceResult {
  /** Normal traffic alone, then while 8 clients try wrong stats passwords. */
  readonly alone: LoadOutcome;
  readonly underAttack: LoadOutcome;
  readonly attack: LoadOutcome;
  /** The real or a tried password showed up in what the proxy logged. */
  readonly passwordLogged: boolean;
}

/** Stats credentials guessed at full speed while normal clients are served. */
export async function bruteForceStats(kind: ProxyKind, durationMs: number): Promise<BruteForceResult> {
  const stats = '    stats uri /stats\n    stats auth admin:S3cret-pass\n    stats admin if TRUE';
  return withSetup(kind, 2, stats, async (proxy, _backends, port) => {
    const normal = () => runLoad(port, { clients: 8, durationMs, deadlineMs: 8000 });
    const alone = await normal();
    const wrong = `Basic ${Buffer.from('admin:guess-1234').toString('base64')}`;
    const [underAttack, attack] = await Promise.all([
      normal(),
      runLoad(port, { clients: 8, durationMs, deadlineMs: 8000, path: '/stats', authorization: wrong }),
    ]);
    const log = proxy.log.map((l) => l.text).join('');
    return { alone, underAttack, attack, passwordLogged: log.includes('S3cret-pass') || log.includes('guess-1234') };
  });
}
