/**
 * Sticky clients of a server that dies: with `cookie SERVERNAME insert
 * indirect nocache`, `retries` and `option redispatch`, a client whose cookie
 * names the dead server keeps its cookie, is served by another server and
 * gets a new cookie for it — no need to delete cookies, a reload of the page
 * is enough. When the dead server comes back, re-pinned clients stay where
 * they are (their cookie now names the other server), as in HAProxy.
 */
import { Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { get, type Exchange } from './load.ts';
import { startBackend, type ProxyKind } from './processes.ts';
import { withSetup } from './scenarios.ts';

export interface RepinResult {
  readonly clients: number;
  readonly sent: number;
  /** Requests answered other than 200, failed or hung. */
  readonly failed: number;
  readonly hung: number;
  /** Clients whose cookie named the killed server when it died. */
  readonly pinnedToKilled: number;
  /** Of those, clients given a cookie for another server afterwards. */
  readonly repinned: number;
  /** ms from the kill to each re-pinned client's new cookie: median and max. */
  readonly repinnedAfterMs: { median: number; max: number } | undefined;
  /** Requests of re-pinned clients that went to another server than their new cookie says, after the restart. */
  readonly movedAfterRestart: number;
}

/** What a sticky client saw for one request; the body is the name of the server that answered. */
interface StickyExchange extends Exchange {
  /** The SERVERNAME value of a Set-Cookie in the answer, if any. */
  readonly newCookie?: string;
}

/** One client with a cookie jar of one cookie, on its own keep-alive connection, until `end`. */
async function stickyClient(port: number, end: number, deadlineMs: number): Promise<StickyExchange[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const exchanges: StickyExchange[] = [];
  let cookie: string | undefined;
  while (Date.now() < end) {
    const exchange = await get(port, agent, deadlineMs, '/', cookie ? { cookie: `SERVERNAME=${cookie}` } : {});
    const newCookie = exchange.setCookie?.map((c) => /^SERVERNAME=([^;]*)/.exec(c)?.[1]).find((v) => v !== undefined);
    if (newCookie !== undefined) cookie = newCookie;
    exchanges.push({ ...exchange, newCookie });
  }
  agent.destroy();
  return exchanges;
}

/** The cookie a client held at `time`: the last one set before it. */
function cookieAt(exchanges: readonly StickyExchange[], time: number): string | undefined {
  return exchanges.filter((e) => e.at < time && e.newCookie !== undefined).at(-1)?.newCookie;
}

/** Two servers, `clients` sticky clients; s1 is killed at `killAtMs` and restarted at `restartAtMs`. */
export async function stickyRepinAfterKill(
  kind: ProxyKind,
  timing = { clients: 8, durationMs: 6000, killAtMs: 2000, restartAtMs: 4000 },
): Promise<RepinResult> {
  return withSetup(kind, 2, '    cookie SERVERNAME insert indirect nocache', async (_proxy, backends, port, ports) => {
    const end = Date.now() + timing.durationMs;
    const clients = Promise.all(Array.from({ length: timing.clients }, () => stickyClient(port, end, 8000)));
    await sleep(timing.killAtMs);
    const killedAt = Date.now();
    await backends[0]!.stop();
    await sleep(timing.restartAtMs - timing.killAtMs);
    backends[0] = await startBackend('s1', ports[0]!);
    const restartedAt = Date.now();
    const all = await clients;

    const pinned = all.filter((exchanges) => cookieAt(exchanges, killedAt) === 's1');
    const repinDelays = pinned
      .map((exchanges) => exchanges.find((e) => e.at >= killedAt && e.newCookie !== undefined && e.newCookie !== 's1'))
      .filter((e) => e !== undefined)
      .map((e) => e.at - killedAt)
      .sort((a, b) => a - b);
    const exchanges = all.flat();
    const movedAfterRestart = pinned
      .flatMap((client) => client.filter((e) => e.at > restartedAt && e.status === 200 && e.body !== cookieAt(client, e.at)))
      .length;
    return {
      clients: timing.clients,
      sent: exchanges.length,
      failed: exchanges.filter((e) => e.status !== 200).length,
      hung: exchanges.filter((e) => e.status === 'hung').length,
      pinnedToKilled: pinned.length,
      repinned: repinDelays.length,
      repinnedAfterMs: repinDelays.length === 0 ? undefined : { median: repinDelays[Math.floor(repinDelays.length / 2)]!, max: repinDelays.at(-1)! },
      movedAfterRestart,
    };
  });
}
