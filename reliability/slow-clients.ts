/**
 * Slow clients (slowloris): while normal clients use the application, many
 * raw connections trickle a request head that never ends, or a body that
 * never ends, a few bytes at a time. `timeout http-request` should cut the
 * heads off; what happens to the bodies is measured on haproxy and on
 * edge-balancer with the same configuration.
 */
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { runLoad, type LoadOutcome } from './load.ts';
import type { ProxyKind } from './processes.ts';
import { withSetup } from './scenarios.ts';

/** How one attacker connection ended. */
export interface AttackerEnd {
  /** ms from connecting to the proxy closing the connection; undefined: still open when the attacker gave up. */
  readonly closedAfterMs?: number;
  /** Status of the answer received before the close, if any. */
  readonly status?: number;
  /** The answer came from a backend (its body is the server's name), so the request was forwarded. */
  readonly fromBackend: boolean;
}

export interface AttackSummary {
  readonly connections: number;
  /** Closed by the proxy before the attacker gave up. */
  readonly cutOff: number;
  readonly stillOpen: number;
  readonly medianMs?: number;
  readonly maxMs?: number;
  readonly minMs?: number;
  /** Answers received, by status ('none' when the connection ended without one). */
  readonly answers: Record<string, number>;
  /** Connections whose request reached a backend. */
  readonly reachedBackend: number;
}

export interface SlowClientsResult {
  readonly load: LoadOutcome;
  readonly slowHeads: AttackSummary;
  readonly slowBodies: AttackSummary;
  readonly stalledBodies: AttackSummary;
}

export const SLOW_CLIENT_TIMEOUTS = '    timeout http-request 2s\n    timeout client 3s';

/**
 * One attacker: sends `first`, then `next()` every `paceMs` (nothing more
 * without `next`), until the proxy closes the connection or `giveUpAfterMs`
 * has passed (then it is destroyed and counted as still open).
 */
function attack(port: number, first: string, next: (() => string) | undefined, paceMs: number, giveUpAfterMs: number): Promise<AttackerEnd> {
  return new Promise((resolve) => {
    // Timed from the connect() call: the proxy cannot have accepted earlier, so
    // a measured time is never shorter than the proxy's own (the attackers share
    // this event loop with the load, so their 'connect' callbacks may run late).
    const startedAt = Date.now();
    const socket = connect({ host: '127.0.0.1', port });
    let answer = '';
    let pacer: NodeJS.Timeout | undefined;
    const giveUp = setTimeout(() => finish(undefined), giveUpAfterMs);
    let finished = false;
    // Called once: by the proxy's close, or by giving up (whose destroy() then emits 'close' too).
    const finish = (closedAfterMs: number | undefined) => {
      if (finished) return;
      finished = true;
      clearTimeout(giveUp);
      clearInterval(pacer);
      socket.destroy();
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1];
      resolve({ closedAfterMs, status: status ? Number(status) : undefined, fromBackend: /\r\n\r\n([0-9a-f]+\r\n)?s\d+/.test(answer) });
    };
    socket.once('connect', () => {
      socket.write(first);
      if (next) pacer = setInterval(() => socket.write(next()), paceMs);
    });
    socket.on('data', (chunk: Buffer) => {
      if (answer.length < 4096) answer += chunk.toString('latin1');
    });
    // A write racing the proxy's close fails (EPIPE, ECONNRESET); 'close' follows.
    socket.on('error', () => {});
    socket.once('close', () => finish(Date.now() - startedAt));
  });
}

function summarize(ends: readonly AttackerEnd[]): AttackSummary {
  const times = ends.flatMap((e) => (e.closedAfterMs === undefined ? [] : [e.closedAfterMs])).sort((a, b) => a - b);
  const answers: Record<string, number> = {};
  for (const e of ends) {
    const key = String(e.status ?? 'none');
    answers[key] = (answers[key] ?? 0) + 1;
  }
  return {
    connections: ends.length,
    cutOff: times.length,
    stillOpen: ends.length - times.length,
    medianMs: times.length ? times[Math.floor(times.length / 2)] : undefined,
    minMs: times[0],
    maxMs: times.at(-1),
    answers,
    reachedBackend: ends.filter((e) => e.fromBackend).length,
  };
}

export interface SlowClientsTiming {
  /** Normal clients and how long they run. */
  readonly clients: number;
  readonly durationMs: number;
  readonly slowHeads: number;
  readonly slowBodies: number;
  readonly stalledBodies: number;
  /** Time between two sends of a slow attacker. */
  readonly paceMs: number;
  /** The attackers connect at an even pace over this time, from the start of the load. */
  readonly openOverMs: number;
  /** Each attacker destroys its connection after this long (then counted as still open). */
  readonly giveUpAfterMs: number;
}

/**
 * Normal load while three kinds of attackers connect: slow heads trickle a
 * header line one byte per `paceMs` and never end the head; slow bodies send
 * a complete POST head announcing 100000 bytes, then 4 bytes per `paceMs`;
 * stalled bodies send the same head and 4 bytes, then nothing.
 */
export async function slowClientsUnderLoad(
  kind: ProxyKind,
  timing: SlowClientsTiming = {
    clients: 8,
    durationMs: 8000,
    slowHeads: 200,
    slowBodies: 50,
    stalledBodies: 50,
    paceMs: 500,
    openOverMs: 4000,
    giveUpAfterMs: 6000,
  },
): Promise<SlowClientsResult> {
  return withSetup(kind, 2, SLOW_CLIENT_TIMEOUTS, async (_proxy, _backends, port) => {
    const load = runLoad(port, { clients: timing.clients, durationMs: timing.durationMs, deadlineMs: 8000 });
    const headerLine = 'X-Padding: slowloris\r\n';
    const postHead = (path: string) => `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\nbody`;
    const start = {
      slowHead: (i: number) => {
        let sent = 0;
        const nextByte = () => headerLine[sent++ % headerLine.length]!;
        return attack(port, `GET /slow-head-${i} HTTP/1.1\r\nHost: 127.0.0.1\r\n`, nextByte, timing.paceMs, timing.giveUpAfterMs);
      },
      slowBody: (i: number) => attack(port, postHead(`/slow-body-${i}`), () => 'body', timing.paceMs, timing.giveUpAfterMs),
      stalledBody: (i: number) => attack(port, postHead(`/stalled-body-${i}`), undefined, timing.paceMs, timing.giveUpAfterMs),
    };
    // The kinds take turns, so each is spread over the whole opening period.
    const queue = [
      ...Array.from({ length: timing.slowHeads }, (_, i) => ({ kind: 'slowHead' as const, i, at: i / timing.slowHeads })),
      ...Array.from({ length: timing.slowBodies }, (_, i) => ({ kind: 'slowBody' as const, i, at: i / timing.slowBodies })),
      ...Array.from({ length: timing.stalledBodies }, (_, i) => ({ kind: 'stalledBody' as const, i, at: i / timing.stalledBodies })),
    ].sort((a, b) => a.at - b.at);
    const ends = { slowHead: [] as Promise<AttackerEnd>[], slowBody: [] as Promise<AttackerEnd>[], stalledBody: [] as Promise<AttackerEnd>[] };
    for (const attacker of queue) {
      ends[attacker.kind].push(start[attacker.kind](attacker.i));
      await sleep(timing.openOverMs / queue.length);
    }
    const [outcome, slowHeads, slowBodies, stalledBodies] = await Promise.all([
      load,
      Promise.all(ends.slowHead),
      Promise.all(ends.slowBody),
      Promise.all(ends.stalledBody),
    ]);
    return { load: outcome, slowHeads: summarize(slowHeads), slowBodies: summarize(slowBodies), stalledBodies: summarize(stalledBodies) };
  });
}

const answers = (s: AttackSummary) =>
  Object.entries(s.answers)
    .map(([status, n]) => `${n}× ${status}`)
    .join(', ');
/** "cut off / median / max ms, answers", and for bodies how many were forwarded to a server. */
function attackCell(s: AttackSummary, showForwarded: boolean): string {
  const times = s.cutOff ? ` / ${s.medianMs} / ${s.maxMs} ms` : '';
  return `${s.cutOff} of ${s.connections}${times}, ${answers(s)}${showForwarded ? `; ${s.reachedBackend} forwarded` : ''}`;
}

/** The markdown section for docs/reliability.md. */
export function slowClientsMarkdown(results: readonly { kind: ProxyKind; result: SlowClientsResult }[]): string[] {
  return [
    '## Slow clients: slowloris heads and bodies while 8 clients use the application',
    '',
    'Configuration: `timeout http-request 2s`, `timeout client 3s`. Slow heads send a request line, then one header byte every 500 ms, never ending the head. ' +
      'Slow bodies send a complete POST head with `Content-Length: 100000`, then 4 bytes every 500 ms; stalled bodies send the same head and 4 bytes, then nothing. ' +
      'Attackers connect during the first 4 s of the 8 s load and give up after 6 s (a connection still open then is not cut off). ' +
      'Each attacker cell: connections cut off by the proxy / median / max ms after connecting, answers received; "forwarded": the request reached a server (its 200 came back).',
    '',
    '| Proxy | Load held | Slow heads | Slow bodies | Stalled bodies | App requests | App failed | Hung |',
    '|---|---|---|---|---|---:|---:|---:|',
    ...results.map(({ kind, result: { load, slowHeads, slowBodies, stalledBodies } }) => {
      const failed = load.sent - load.ok;
      const cells = [attackCell(slowHeads, false), attackCell(slowBodies, true), attackCell(stalledBodies, true)];
      return `| ${kind} | ${failed === 0 && load.hung === 0 ? 'yes' : 'no'} | ${cells.join(' | ')} | ${load.sent} | ${failed} | ${load.hung} |`;
    }),
    '',
    'A request head must be complete within `timeout http-request`: both proxies answer the slow heads with HAProxy\'s 408 page and close. ' +
      'That timeout covers the head only, and `timeout client` is inactivity, so a body that keeps trickling is forwarded to the server and kept open by both, as long as bytes keep coming. ' +
      'A body that stops is cut off after `timeout client` by edge-balancer every time; haproxy 2.6 does so only for some of them once the server has already answered (log `cD--`), and leaves the others open.',
    '',
  ];
}
