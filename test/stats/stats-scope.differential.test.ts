/**
 * `stats scope` (issue 15, item 6), differential: the same configuration on
 * haproxy 2.6 and on edge-balancer, and the `pxname/svname` rows each one's
 * `;csv` lists. Several lines add up; `.` is the proxy that has the `stats`
 * lines (a `listen`, or a `frontend` that hands other requests to a backend);
 * a name matching no proxy shows nothing.
 */
import { describe, expect, test } from 'vitest';
import { runOn, type ProxyUnderTest } from '../differential/harness.ts';
import { send } from '../helpers/http-client.ts';
import { parseStatsCsv } from './csv.ts';

const AUTH: [string, string] = ['Authorization', 'Basic ' + Buffer.from('admin:secret').toString('base64')];

/** `stats` lines in the section `statsIn` (`listen app` or `frontend fe`), with the scope lines given. */
function config(statsIn: 'listen' | 'frontend', scope: readonly string[]): string {
  const statsLines = ['stats enable', 'stats uri /stats', 'stats auth admin:secret', ...scope.map((name) => `stats scope ${name}`)];
  const section = (lines: readonly string[]) => lines.map((line) => `  ${line}`).join('\n');
  return `
defaults
  mode http
  timeout connect 2s
  timeout client 10s
  timeout server 10s

${statsIn === 'listen' ? 'listen app' : 'frontend fe'}
  bind 127.0.0.1:\${PORT}
${section(statsIn === 'listen' ? [...statsLines, 'server s1 127.0.0.1:${S1}'] : [...statsLines, 'default_backend customer_a'])}

backend customer_a
  server a1 127.0.0.1:\${S1}
  server a2 127.0.0.1:\${S1}

backend customer_b
  server b1 127.0.0.1:\${S1}

listen other
  server o1 127.0.0.1:\${S1}
`;
}

async function csvRows(proxy: ProxyUnderTest): Promise<string[]> {
  const response = await send(proxy.port, '/stats;csv', { headers: [AUTH] });
  expect(response.status).toBe(200);
  return [...parseStatsCsv(response.body).keys()];
}

const CASES: [string, 'listen' | 'frontend', string[], string[]][] = [
  ['no scope: every proxy', 'listen', [], ['app/FRONTEND', 'app/s1', 'app/BACKEND', 'customer_a/a1', 'customer_a/a2', 'customer_a/BACKEND', 'customer_b/b1', 'customer_b/BACKEND', 'other/FRONTEND', 'other/o1', 'other/BACKEND']],
  ['one backend', 'listen', ['customer_b'], ['customer_b/b1', 'customer_b/BACKEND']],
  ['two lines and `.` (a listen)', 'listen', ['customer_a', '.'], ['app/FRONTEND', 'app/s1', 'app/BACKEND', 'customer_a/a1', 'customer_a/a2', 'customer_a/BACKEND']],
  ['`.` in a frontend is the frontend, not its backend', 'frontend', ['.'], ['fe/FRONTEND']],
  ['a name that matches no proxy', 'listen', ['customer_c'], []],
];

describe('stats scope: haproxy vs edge-balancer', () => {
  test.each(CASES)('%s', async (_name, statsIn, scope, expected) => {
    const text = config(statsIn, scope);
    const haproxy = await runOn('haproxy', text, ['s1'], csvRows);
    const edge = await runOn('edge-balancer', text, ['s1'], csvRows);
    expect(haproxy).toEqual(expected);
    expect(edge).toEqual(haproxy);
  });
});
