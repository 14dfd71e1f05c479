/**
 * `stats scope` in every format and in admin actions (issue 15, item 6); the
 * rows themselves are compared with haproxy's in stats-scope.differential.test.ts.
 * The seed's `listen stats` is scoped to `app`, so the stats section itself
 * is out of scope unless `.` is named.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { parseHaproxyConfig } from '../../src/config/index.ts';
import { inStatsScope } from '../../src/stats/stats-scope.ts';
import { basic, seedConfig, server, statsConfig } from './fixtures.ts';
import { serveStats, type ServedStats } from './serve-stats.ts';

let served: ServedStats | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

async function start(scope: string[]) {
  served = await serveStats(seedConfig(0, 0, [server('s1', 9001)], statsConfig({ scope })));
  return served;
}

const get = (s: ServedStats, path: string, init: RequestInit = {}) =>
  s.fetch(new Request(`http://stats.test${path}`, { ...init, headers: { authorization: basic('A_Username', 'YourPassword'), ...(init.headers as object) } }));

describe('stats scope', () => {
  test('the rule: no scope shows all, names match exactly, `.` is the owner', () => {
    expect(inStatsScope({}, 'stats', 'anything')).toBe(true);
    expect(inStatsScope({ scope: [] }, 'stats', 'anything')).toBe(true);
    expect(inStatsScope({ scope: ['app'] }, 'stats', 'app')).toBe(true);
    expect(inStatsScope({ scope: ['app'] }, 'stats', 'App')).toBe(false);
    expect(inStatsScope({ scope: ['app'] }, 'stats', 'app2')).toBe(false);
    expect(inStatsScope({ scope: ['app'] }, 'stats', 'stats')).toBe(false);
    expect(inStatsScope({ scope: ['app', '.'] }, 'stats', 'stats')).toBe(true);
  });

  test('JSON, Prometheus and HTML list only the proxies in scope', async () => {
    const s = await start(['app']);
    const json = (await (await get(s, '/;json')).json()) as { field: { name: string }; value: { value: unknown } }[][];
    const pxnames = new Set(json.map((row) => row.find((f) => f.field.name === 'pxname')?.value.value));
    expect(pxnames).toEqual(new Set(['app']));
    const prometheus = await (await get(s, '/;prometheus')).text();
    expect(prometheus).toContain('proxy="app"');
    expect(prometheus).not.toContain('proxy="stats"');
    const html = await (await get(s, '/')).text();
    expect(html).toContain('id="proxy-app"');
    expect(html).not.toContain('id="proxy-stats"');
  });

  test('`.` adds the stats section itself', async () => {
    const s = await start(['.']);
    const csv = await (await get(s, '/;csv')).text();
    expect(csv.split('\n').slice(1, -1).map((line) => line.split(',')[0])).toEqual(['stats', 'stats']);
  });

  test('admin actions on a backend out of scope are refused like an unknown one (ERRP)', async () => {
    const s = await start(['.']);
    const api = (backend: string) =>
      get(s, '/', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ backend, server: 's1', state: 'maint' }) });
    const response = await api('app');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ result: 'ERRP' });
    expect(s.state.backends.get('app')!.admin(0).mode).toBe('ready');
  });

  test('HAProxy syntax: several lines add up, in order', () => {
    const text = 'listen stats\n  bind :8404\n  stats uri /\n  stats scope app\n  stats scope .\n  stats scope other\n';
    const { config } = parseHaproxyConfig([{ file: 'h.cfg', text }], { env: {} });
    expect(config.frontends[0]!.stats?.scope).toEqual(['app', '.', 'other']);
    const typo = parseHaproxyConfig([{ file: 'h.cfg', text: text + 'listen customer_a\n  server s 127.0.0.1:1\n  stats scope custmer_a\n' }], { env: {} });
    // HAProxy accepts a name that matches no proxy silently; edge-balancer says so, once per line.
    expect(typo.notices.filter((n) => n.includes('stats scope'))).toEqual([
      "h.cfg:4: 'stats scope app': no proxy is called 'app', so it shows nothing",
      "h.cfg:6: 'stats scope other': no proxy is called 'other', so it shows nothing",
      "h.cfg:9: 'stats scope custmer_a': no proxy is called 'custmer_a', so it shows nothing (did you mean 'customer_a'?)",
    ]);
    expect(() => parseHaproxyConfig([{ file: 'h.cfg', text: 'listen stats\n  bind :8404\n  stats scope\n' }], { env: {} })).toThrow(/h\.cfg:3.*'stats scope'.*needs a proxy name/);
  });
});
