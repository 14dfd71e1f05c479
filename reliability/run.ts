/**
 * `npm run reliability`: the fault scenarios on edge-balancer (Node) and on
 * haproxy with the same configuration, written to docs/reliability.md.
 * Bounded: about a minute plus SOAK_SECONDS (default 60) per proxy.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { LoadOutcome } from './load.ts';
import type { ProxyKind } from './processes.ts';
import { hangUnderLoad, killUnderLoad, soak } from './scenarios.ts';
import { bruteForceStats } from './stats-brute-force.ts';

const SOAK_MS = Number(process.env.SOAK_SECONDS ?? 60) * 1000;
const KINDS: readonly ProxyKind[] = ['edge-balancer', 'haproxy'];

const failed = (l: LoadOutcome) => l.sent - l.ok;
const statuses = (l: LoadOutcome) =>
  Object.entries(l.statuses)
    .map(([status, n]) => `${n}× ${status}`)
    .join(', ') || 'none';

const lines = [
  '# Reliability figures',
  '',
  `Produced by \`npm run reliability\` on ${new Date().toISOString().slice(0, 10)} (${cpus().length} cores, Node ${process.versions.node}). ` +
    'Backends are separate processes on 127.0.0.1; the load generator keeps one keep-alive connection per client and gives every request 8 s before counting it as hung. ' +
    'Configuration: three servers, `retries 3`, `option redispatch`, `check inter 200ms`, `timeout connect 1s`, `timeout server 5s` (1 s for the hang).',
  '',
  '| Scenario | Proxy | Requests | Failed | Non-200 answers | Client errors | Hung | Detected DOWN after | Back UP after |',
  '|---|---|---:|---:|---|---:|---:|---:|---:|',
];

for (const kind of KINDS) {
  const r = await killUnderLoad(kind);
  process.stderr.write(`kill under load, ${kind}: ${JSON.stringify(r)}\n`);
  lines.push(
    `| 16 clients for 6 s, s2 killed (SIGKILL) at 2 s, restarted at 4 s | ${kind} | ${r.load.sent} | ${failed(r.load)} | ${statuses(r.load)} | ${r.load.errors} | ${r.load.hung} | ${r.detectedAfterMs ?? '–'} ms | ${r.backUpAfterMs ?? '–'} ms |`,
  );
}
for (const kind of KINDS) {
  const l = await hangUnderLoad(kind);
  process.stderr.write(`hang under load, ${kind}: ${JSON.stringify(l)}\n`);
  lines.push(`| 16 clients for 6 s, s2 stops answering (SIGSTOP) at 2 s | ${kind} | ${l.sent} | ${failed(l)} | ${statuses(l)} | ${l.errors} | ${l.hung} | – | – |`);
}

lines.push('', '## Stats brute force: 8 clients guessing the stats password while 8 clients use the application', '');
lines.push('| Proxy | App req/s alone | App req/s under attack | App failures | Guesses (answered 401) | Password in logs |', '|---|---:|---:|---:|---:|---|');
for (const kind of KINDS) {
  const b = await bruteForceStats(kind, 3000);
  process.stderr.write(`brute force, ${kind}: ${JSON.stringify(b)}\n`);
  lines.push(
    `| ${kind} | ${Math.round(b.alone.ok / 3)} | ${Math.round(b.underAttack.ok / 3)} | ${failed(b.underAttack)} | ${b.attack.sent} (${b.attack.statuses[401] ?? 0}) | ${b.passwordLogged ? 'yes' : 'no'} |`,
  );
}

lines.push('', `## Soak: ${SOAK_MS / 1000} s, 8 sticky and 8 non-sticky clients, two servers`, '');
lines.push('| Proxy | Requests | Failed | RSS MiB start / peak / end | Open files start / peak / end |', '|---|---:|---:|---|---|');
for (const kind of KINDS) {
  const s = await soak(kind, SOAK_MS);
  process.stderr.write(`soak, ${kind}: ${JSON.stringify(s)}\n`);
  lines.push(
    `| ${kind} | ${s.load.sent} | ${failed(s.load)} | ${s.rssMiB.start} / ${s.rssMiB.peak} / ${s.rssMiB.end} | ${s.openFiles.start} / ${s.openFiles.peak} / ${s.openFiles.end} |`,
  );
}
lines.push(
  '',
  'Failed requests after a SIGKILL are those in flight on the dead server (already sent, so not retried, as in HAProxy). ' +
    'While a server hangs, the requests sent to it get a 504 after `timeout server`; the others keep being served. ' +
    'The assertions behind these figures run in `npm test` (test/reliability/, shortened).',
  '',
);
writeFileSync(new URL('../docs/reliability.md', import.meta.url), lines.join('\n'));
process.stdout.write(lines.join('\n'));
