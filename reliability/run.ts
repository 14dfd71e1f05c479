/**
 * `npm run reliability`: every scenario on edge-balancer (Node, and Deno where
 * the same script drives it) and on haproxy with the same configuration,
 * written to docs/reliability.md as one table per scenario.
 * Bounded: about five minutes plus 2 × SOAK_SECONDS (default 60).
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { gracefulStop } from './graceful-stop.ts';
import { hostileInputMarkdown, runHostileInput } from './hostile-input.ts';
import type { LoadOutcome } from './load.ts';
import type { ProxyKind } from './processes.ts';
import { reloadUnderLoad } from './reload.ts';
import { hangUnderLoad, killUnderLoad, soak, type Samples } from './scenarios.ts';
import { slowClientsMarkdown, slowClientsUnderLoad } from './slow-clients.ts';
import { bruteForceStats } from './stats-brute-force.ts';
import { stickyRepinAfterKill } from './sticky-repin.ts';

const SOAK_MS = Number(process.env.SOAK_SECONDS ?? 60) * 1000;
const ALL: readonly ProxyKind[] = ['edge-balancer', 'edge-balancer (Deno)', 'haproxy'];
const NODE_AND_HAPROXY: readonly ProxyKind[] = ['edge-balancer', 'haproxy'];

const lost = (l: LoadOutcome) => l.sent - l.ok;
const answers = (l: LoadOutcome) =>
  Object.entries(l.statuses)
    .map(([status, n]) => `${n}× ${status}`)
    .join(', ') || 'none';
const samples = (s: Samples) => `${s.start} / ${s.warm} / ${s.peak} / ${s.end}`;
const signed = (n: number) => (n >= 0 ? `+${n}` : String(n));
const ms = (value: number | undefined) => (value === undefined ? '–' : `${value} ms`);

function table(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string[] {
  const align = headers.map((h) => (/^(Proxy|Answers|Input)/.test(h) ? '---' : '---:'));
  return [`| ${headers.join(' | ')} |`, `|${align.join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

/** Runs `scenario` on each kind in turn, logging the raw result to stderr. */
async function onEach<T>(name: string, kinds: readonly ProxyKind[], scenario: (kind: ProxyKind) => Promise<T>): Promise<[ProxyKind, T][]> {
  const results: [ProxyKind, T][] = [];
  for (const kind of kinds) {
    const result = await scenario(kind);
    process.stderr.write(`${name}, ${kind}: ${JSON.stringify(result)}\n`);
    results.push([kind, result]);
  }
  return results;
}

const lines = [
  '# Reliability figures',
  '',
  `Produced by \`npm run reliability\` on ${new Date().toISOString().slice(0, 10)} (${cpus().length} cores, Node ${process.versions.node}), ` +
    'the same scenario and the same configuration text on edge-balancer and on haproxy 2.6, one after the other. ' +
    'Backends are separate processes on 127.0.0.1, so they can be killed (SIGKILL) or frozen (SIGSTOP) like real servers; ' +
    'the load generator keeps one keep-alive connection per client and gives every request 8 s before counting it as hung. ' +
    'Unless a table says otherwise: `retries 3`, `option redispatch`, `check inter 200ms`, `timeout connect 1s`, `timeout server 5s`. ' +
    'The properties behind these figures (nothing lost beyond the requests in flight, nothing hung, no crash) are asserted by `npm test` on shortened runs (test/reliability/, test/differential/hostile-input…); the figures themselves are reported, not asserted.',
  '',
];

const kills = await onEach('kill under load', ALL, (kind) => killUnderLoad(kind));
lines.push(
  '## A backend killed under load',
  '',
  'Load held: 16 clients for 6 s, three servers. Fault: s2 killed (SIGKILL) at 2 s, restarted at 4 s.',
  '',
  ...table(
    ['Proxy', 'Requests', 'Lost', 'Answers other than 200', 'Connection errors', 'Hung', 'Detected DOWN after', 'Back UP after'],
    kills.map(([kind, r]) => [kind, r.load.sent, lost(r.load), answers(r.load), r.load.errors, r.load.hung, ms(r.detectedAfterMs), ms(r.backUpAfterMs)]),
  ),
  '',
  'The requests lost are those already sent on the dead server\'s connections when it died: sent, so not retried (as in HAProxy, which closes the client connection where edge-balancer answers 502).',
  '',
);

const hangs = await onEach('hang under load', ALL, (kind) => hangUnderLoad(kind));
lines.push(
  '## A backend that stops answering',
  '',
  'Load held: 16 clients for 6 s, three servers, `timeout server 1s`. Fault: s2 frozen (SIGSTOP) at 2 s: its kernel still accepts connections, so checks pass and it stays in rotation.',
  '',
  ...table(
    ['Proxy', 'Requests', '504 after timeout server', 'Other failures', 'Hung'],
    hangs.map(([kind, l]) => [kind, l.sent, l.statuses[504] ?? 0, lost(l) - (l.statuses[504] ?? 0), l.hung]),
  ),
  '',
);

const repins = await onEach('sticky clients re-pinned', ALL, (kind) => stickyRepinAfterKill(kind));
lines.push(
  '## Sticky clients of a server that dies',
  '',
  'Load held: 8 clients with a cookie jar for 6 s, two servers, `cookie SERVERNAME insert indirect nocache`. Fault: s1 killed at 2 s, restarted at 4 s. ' +
    'The clients keep their cookies: no one deletes anything, each just sends its next request.',
  '',
  ...table(
    ['Proxy', 'Requests', 'Lost', 'Hung', 'Clients pinned to s1', 'Re-pinned to s2', 'New cookie after (median / max)', 'Requests moved after s1 came back'],
    repins.map(([kind, r]) => [
      kind, r.sent, r.failed, r.hung, r.pinnedToKilled, r.repinned,
      r.repinnedAfterMs ? `${r.repinnedAfterMs.median} / ${r.repinnedAfterMs.max} ms` : '–', r.movedAfterRestart,
    ]),
  ),
  '',
  'A pinned client\'s first request after the kill is retried on s1 after a turn-around of min(1 s, `timeout connect`); by then s1 is DOWN, and it is redispatched to s2 after a second turn-around (HAProxy waits before redispatching when a single server is left), which answers with a cookie for s2. ' +
    'Once s1 is back, re-pinned clients stay on s2, as their cookie says.',
  '',
);

const reloads = await onEach('reload under load', NODE_AND_HAPROXY, (kind) => reloadUnderLoad(kind));
lines.push(
  '## Configuration reload under load',
  '',
  'Load held: 8 clients for 5 s, plus 4 slow requests (1 s on the server) in flight at the reload. Faults: at 1 s the file gains a third server and the proxy is told to reload (edge-balancer: SIGHUP; haproxy started with `-W`: SIGUSR2); at 3 s the file is broken (`balance no-such-algorithm`) and the reload asked again. ' +
    'The Deno command has no reload (restart it).',
  '',
  ...table(
    ['Proxy', 'Requests', 'Lost', 'Hung', 'Slow requests finished', 'New server serving after', 'Broken file refused, old configuration kept'],
    reloads.map(([kind, r]) => [kind, r.load.sent, lost(r.load), r.load.hung, `${r.slow.ok} / ${r.slow.sent}`, ms(r.newServerAfterMs), r.brokenRejected ? 'yes' : 'no']),
  ),
  '',
);

const stops = await onEach('graceful stop', ALL, (kind) => gracefulStop(kind));
lines.push(
  '## Graceful stop',
  '',
  'Load held: 16 requests in flight, each 1.5 s on the server. Fault: once every request has reached a server, the proxy is asked to stop (edge-balancer: SIGTERM, `--grace 5000`; haproxy: SIGUSR1, its soft stop).',
  '',
  ...table(
    ['Proxy', 'In flight', 'Finished', 'New connections refused after', 'Exited after', 'Exit code'],
    stops.map(([kind, r]) => [kind, r.inFlight, r.completed, ms(r.refusingAfterMs), ms(r.exitedAfterMs), r.exitCode ?? 'none']),
  ),
  '',
);

const slow = await onEach('slow clients', NODE_AND_HAPROXY, (kind) => slowClientsUnderLoad(kind));
lines.push(...slowClientsMarkdown(slow.map(([kind, result]) => ({ kind, result }))), '');

const brute = await onEach('stats brute force', NODE_AND_HAPROXY, (kind) => bruteForceStats(kind, 3000));
lines.push(
  '## Stats password guessing',
  '',
  'Load held: 8 clients using the application for 3 s, alone, then while 8 other clients guess the stats password as fast as they are answered; then the administrator logs in from the same address.',
  '',
  ...table(
    ['Proxy', 'App req/s alone', 'App req/s under attack', 'App requests lost', 'Guesses', 'Answered 401', 'Admin in after', 'Password in logs'],
    brute.map(([kind, b]) => [
      kind, Math.round(b.alone.ok / 3), Math.round(b.underAttack.ok / 3), lost(b.underAttack), b.attack.sent, b.attack.statuses[401] ?? 0,
      ms(b.adminInAfterMs), b.passwordLogged ? 'yes' : 'no',
    ]),
  ),
  '',
  'edge-balancer answers the first 5 failures of an address at once, then holds each refusal 500 ms, doubling up to 10 s (`stats.loginThrottle` in the object config), so the guessing costs it almost nothing; haproxy answers every guess, and closes the connection after each 401 (the guessing clients see those as connection errors).',
  '',
  'Failures are counted per address and by the user name they tried: a success clears only that user\'s failures, so someone who knows one password and logs in between guesses at another user\'s stays throttled (test/stats/login-throttle.test.ts). Failures without a user name, or beyond 16 names per address, are cleared by no success and forgotten 15 minutes after the last one.',
  '',
  'The rest of the stats page\'s defences, each asserted by a test rather than measured here: the admin form\'s token is an HMAC under a secret key — random per balancer (per Workers isolate) unless `ADMIN_TOKEN_KEY` / `stats.adminTokenKey` sets one — never derived from the passwords, so a token cannot be used to test password guesses offline or be forged from the configuration (test/stats/admin-token.test.ts, test/workers/admin-token.test.ts); admin request bodies are read up to 64 KiB, chunked or not, then answered with HAProxy\'s 413 page and the connection closed (test/stats/admin-body-limit.test.ts); `stats scope` limits every format and the admin actions to the proxies named (test/stats/stats-scope*.test.ts); access lines escape `"` and other bytes as haproxy\'s httplog does (test/proxy/access-log.differential.test.ts).',
  '',
);

const hostile = await runHostileInput({ fuzzRuns: 2000 });
process.stderr.write(`hostile input: ${JSON.stringify(hostile).slice(0, 2000)}\n`);
lines.push(...hostileInputMarkdown(hostile), '');

const soaks = await onEach('soak', NODE_AND_HAPROXY, (kind) => soak(kind, SOAK_MS));
lines.push(
  `## Soak`,
  '',
  `Load held: ${SOAK_MS / 1000} s, 8 sticky and 8 non-sticky clients, two servers; the proxy's memory and open files sampled every second.`,
  '',
  ...table(
    ['Proxy', 'Requests', 'Lost', 'RSS MiB start / warm / peak / end', 'RSS drift after warm-up', 'Open files start / warm / peak / end'],
    soaks.map(([kind, s]) => [
      kind, s.load.sent, lost(s.load), samples(s.rssMiB), `${signed(s.rssMiB.end - s.rssMiB.warm)} MiB`, samples(s.openFiles),
    ]),
  ),
  '',
  '"Warm" is sampled a sixth into the run (at most 10 s in), once connections, JIT and pools are set up; the drift after it is what a leak would show.',
  '',
);

const markdown = lines.join('\n').replace(/\n{3,}/g, '\n\n');
writeFileSync(new URL('../docs/reliability.md', import.meta.url), markdown);
process.stdout.write(markdown);
