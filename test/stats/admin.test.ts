/**
 * `stats admin if TRUE`: the form (HAProxy's fields b / s / action, answered
 * 303 to `;st=RESULT`) and the JSON API set ready / drain / maint and weight
 * through BackendRuntime.setAdmin; POST only, same origin, signed token.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { basic, seedConfig, server, statsConfig } from './fixtures.ts';
import { serveStats, type ServedStats } from './serve-stats.ts';

const AUTH = basic('A_Username', 'YourPassword');
let served: ServedStats | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

async function start(admin = true) {
  served = await serveStats(seedConfig(0, 0, [server('s1', 9001), server('s2', 9002)], statsConfig({ admin })));
  return served;
}

const req = (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
  new Request(`http://stats.test${path}`, { ...init, headers: { authorization: AUTH, host: 'stats.test', ...init.headers } });

async function formToken(s: ServedStats): Promise<string> {
  const html = await (await s.fetch(req('/'))).text();
  const token = /name="token" value="([^"]+)"/.exec(html)?.[1];
  expect(token).toBeDefined();
  return token!;
}

const form = (fields: [string, string][]) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

describe('admin form', () => {
  test('drain then ready through the form: 303 to ;st=DONE, logged with the user, never the password', async () => {
    const s = await start();
    const token = await formToken(s);
    const response = await s.fetch(req('/', form([['b', 'app'], ['s', 's1'], ['action', 'drain'], ['token', token]])));
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/;st=DONE');
    expect(s.state.backends.get('app')!.admin(0)).toEqual({ mode: 'drain', weight: 1 });
    expect(s.deps.messages).toEqual(["stats admin: user 'A_Username' set app/s1 state ready -> drain"]);
    expect(s.deps.messages.join()).not.toContain('YourPassword');
    const page = await (await s.fetch(req('/;st=DONE'))).text();
    expect(page).toContain('Action processed successfully.');
    expect(page).toContain('DRAIN');
  });

  test("HAProxy's own form fields work: b=#<iid>, several s, weight", async () => {
    const s = await start();
    const token = await formToken(s);
    const response = await s.fetch(req('/', form([['b', '#2'], ['s', 's1'], ['s', 's2'], ['action', 'maint'], ['weight', '7'], ['token', token]])));
    expect(response.headers.get('location')).toBe('/;st=DONE');
    expect(s.state.backends.get('app')!.admin(1)).toEqual({ mode: 'maint', weight: 7 });
  });

  test.each([
    ['missing token', [['b', 'app'], ['s', 's1'], ['action', 'drain']], {}, 'DENY'],
    ['forged token', [['b', 'app'], ['s', 's1'], ['action', 'drain'], ['token', '1700000000.' + 'A'.repeat(43)]], {}, 'DENY'],
    ['cross-site Origin', [['b', 'app'], ['s', 's1'], ['action', 'drain']], { origin: 'https://evil.test' }, 'DENY'],
    ['cross-site fetch metadata', [['b', 'app'], ['s', 's1'], ['action', 'drain']], { 'sec-fetch-site': 'cross-site' }, 'DENY'],
    ['unknown action', [['b', 'app'], ['s', 's1'], ['action', 'shutdown']], {}, 'ERRP'],
    ['unknown backend', [['b', 'nope'], ['s', 's1'], ['action', 'drain']], {}, 'ERRP'],
    ['unknown server', [['b', 'app'], ['s', 'zz'], ['action', 'drain']], {}, 'ERRP'],
    ['some unknown servers', [['b', 'app'], ['s', 's1'], ['s', 'zz'], ['action', 'drain']], {}, 'PART'],
    ['no server selected', [['b', 'app'], ['action', 'drain']], {}, 'NONE'],
    ['weight out of range', [['b', 'app'], ['s', 's1'], ['weight', '300']], {}, 'ERRP'],
  ] as const)('%s → ;st=%s', async (_name, fields, headers, result) => {
    const s = await start();
    const token = await formToken(s);
    const given: [string, string][] = fields.map(([k, v]) => [k, v]);
    const withToken = given.some(([k]) => k === 'token') || _name === 'missing token' ? given : [...given, ['token', token] as [string, string]];
    const init = form(withToken);
    const response = await s.fetch(req('/', { ...init, headers: { ...init.headers, ...headers } }));
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`/;st=${result}`);
    if (result !== 'PART') expect(s.state.backends.get('app')!.admin(0).mode).toBe('ready');
  });

  test('without stats admin: DENY, as haproxy answers', async () => {
    const s = await start(false);
    const response = await s.fetch(req('/', form([['b', 'app'], ['s', 's1'], ['action', 'drain']])));
    expect(response.headers.get('location')).toBe('/;st=DENY');
    expect(await (await s.fetch(req('/'))).text()).not.toContain('<form');
  });

  test('unauthenticated POST is a 401 and changes nothing', async () => {
    const s = await start();
    const response = await s.fetch(new Request('http://stats.test/', form([['b', 'app'], ['s', 's1'], ['action', 'maint']])));
    expect(response.status).toBe(401);
    expect(s.state.backends.get('app')!.admin(0).mode).toBe('ready');
  });

  test('GET never changes state; PUT is not a stats request (balanced)', async () => {
    const s = await start();
    await s.fetch(req('/?b=app&s=s1&action=maint'));
    expect(s.state.backends.get('app')!.admin(0).mode).toBe('ready');
    expect((await s.fetch(req('/', { method: 'PUT', body: 'x' }))).status).toBe(599);
  });
});

describe('admin JSON API', () => {
  const api = (body: unknown, headers: Record<string, string> = {}) =>
    req('/', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  test('set weight and state', async () => {
    const s = await start();
    const response = await s.fetch(api({ backend: 'app', server: 's2', state: 'drain', weight: 3 }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ result: 'DONE', changes: [{ backend: 'app', server: 's2', state: 'drain', weight: 3 }] });
    expect(s.state.backends.get('app')!.admin(1)).toEqual({ mode: 'drain', weight: 3 });
    expect(s.deps.messages).toEqual(["stats admin: user 'A_Username' set app/s2 state ready -> drain, weight 1 -> 3"]);
  });

  test('bad requests: 400; cross-origin: 403', async () => {
    const s = await start();
    expect((await s.fetch(api({ backend: 'app', server: 's1', state: 'bogus' }))).status).toBe(400);
    expect((await s.fetch(api({ backend: 'app', server: 's1' }))).status).toBe(400);
    expect((await s.fetch(api({ backend: 'nope', server: 's1', state: 'maint' }))).status).toBe(400);
    expect((await s.fetch(req('/', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' }))).status).toBe(400);
    expect((await s.fetch(api({ backend: 'app', server: 's1', state: 'maint' }, { origin: 'https://evil.test' }))).status).toBe(403);
    expect(s.state.backends.get('app')!.admin(0).mode).toBe('ready');
  });
});
