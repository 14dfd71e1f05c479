/**
 * The admin form's token (issue 15, item 1): signed with a secret key — a
 * random one per balancer, or `adminTokenKey` — never with a key derived from
 * the section's passwords or other configuration. The old derivation
 * (SHA-256 of the section's uri, users and passwords) let anyone holding one
 * token test password guesses offline, and let anyone who read the
 * configuration forge tokens.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { configFromObject } from '../../src/config/index.ts';
import type { StatsConfig } from '../../src/config/types.ts';
import { basic, seedConfig, server, SEED_USERS, statsConfig } from './fixtures.ts';
import { serveStats, type ServedStats } from './serve-stats.ts';

const USER = SEED_USERS[0];
const served: ServedStats[] = [];
afterEach(async () => {
  await Promise.all(served.splice(0).map((s) => s.close()));
});

async function start(stats: StatsConfig = statsConfig()): Promise<ServedStats> {
  const s = await serveStats(seedConfig(0, 0, [server('s1', 9001), server('s2', 9002)], stats));
  served.push(s);
  return s;
}

const request = (path: string, init: RequestInit = {}, password: string = USER.password) =>
  new Request(`http://stats.test${path}`, {
    ...init,
    headers: { authorization: basic(USER.user, password), host: 'stats.test', ...(init.headers as Record<string, string>) },
  });

async function issuedToken(s: ServedStats): Promise<string> {
  const html = await (await s.fetch(request('/'))).text();
  const token = /name="token" value="([^"]+)"/.exec(html)?.[1];
  expect(token).toMatch(/^\d+\.[A-Za-z0-9_-]{43}$/);
  return token!;
}

/** Posts a drain of app/s1 with `token`; returns the `;st=` result. */
async function drainWith(s: ServedStats, token: string, password?: string): Promise<string | undefined> {
  const body = new URLSearchParams([['b', 'app'], ['s', 's1'], ['action', 'drain'], ['token', token]]).toString();
  const response = await s.fetch(request('/', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }, password));
  expect(response.status).toBe(303);
  return /;st=([A-Z]+)$/.exec(response.headers.get('location') ?? '')?.[1];
}

/** The key the old code derived from public facts and the passwords. */
async function oldDerivedKey(stats: StatsConfig): Promise<CryptoKey> {
  const material = JSON.stringify(['edge-balancer stats csrf v1', 'stats', stats.uri, stats.users, stats.jwt ?? null]);
  const raw = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(material));
  return crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}

function base64url(bytes: ArrayBuffer): string {
  return Buffer.from(bytes).toString('base64url');
}

describe('admin form token key', () => {
  test('a token forged with the key derived from the configuration is refused', async () => {
    const stats = statsConfig();
    const s = await start(stats);
    const issued = Math.floor(s.deps.clock.now() / 1000);
    const mac = await crypto.subtle.sign('HMAC', await oldDerivedKey(stats), new TextEncoder().encode(`${USER.user}\n${issued}`));
    expect(await drainWith(s, `${issued}.${base64url(mac)}`)).toBe('DENY');
    expect(s.state.backends.get('app')!.admin(0).mode).toBe('ready');
    // The balancer's own token still works.
    expect(await drainWith(s, await issuedToken(s))).toBe('DONE');
  });

  test('a token does not confirm a password guess offline', async () => {
    const stats = statsConfig();
    const s = await start(stats);
    const [issued, mac] = (await issuedToken(s)).split('.') as [string, string];
    // Whoever holds the token and guesses the right passwords must not be able to check the guess.
    const confirmed = await crypto.subtle.verify(
      'HMAC',
      await oldDerivedKey(stats),
      Buffer.from(mac, 'base64url'),
      new TextEncoder().encode(`${USER.user}\n${issued}`),
    );
    expect(confirmed).toBe(false);
  });

  test('two balancers with the same configuration sign with different keys', async () => {
    const stats = statsConfig();
    const [a, b] = [await start(stats), await start(stats)];
    const token = await issuedToken(a);
    expect(await issuedToken(b)).not.toBe(token);
    expect(await drainWith(b, token)).toBe('DENY');
    expect(await drainWith(a, token)).toBe('DONE');
  });

  test('a configured adminTokenKey is shared by balancers, and the passwords play no part in it', async () => {
    const adminTokenKey = 'k'.repeat(16) + '0123456789abcdef';
    const a = await start(statsConfig({ adminTokenKey }));
    // Same key, other passwords for the same user: a's tokens are accepted.
    const b = await start(statsConfig({ adminTokenKey, users: [{ user: USER.user, password: 'a-different-password' }] }));
    const token = await issuedToken(a);
    expect(await drainWith(b, token, 'a-different-password')).toBe('DONE');
    // Another key: refused.
    const c = await start(statsConfig({ adminTokenKey: 'x'.repeat(32) }));
    expect(await drainWith(c, token)).toBe('DENY');
  });

  test('a token is bound to its user', async () => {
    const s = await start();
    const token = await issuedToken(s);
    const other = SEED_USERS[1];
    const body = new URLSearchParams([['b', 'app'], ['s', 's1'], ['action', 'drain'], ['token', token]]).toString();
    const response = await s.fetch(
      new Request('http://stats.test/', {
        method: 'POST',
        headers: { authorization: basic(other.user, other.password), 'content-type': 'application/x-www-form-urlencoded' },
        body,
      }),
    );
    expect(response.headers.get('location')).toBe('/;st=DENY');
  });

  test('adminTokenKey shorter than 32 characters is a configuration error that does not echo it', () => {
    const value = {
      frontends: [{ name: 'stats', binds: [':8404'], stats: { uri: '/', users: [{ user: 'a', password: 'b' }], adminTokenKey: 'short-secret' } }],
      backends: [],
    };
    expect(() => configFromObject(value, 'edge.json')).toThrow(/'frontends\[0\]\.stats\.adminTokenKey': must be a secret of at least 32 characters, got 12/);
    try {
      configFromObject(value, 'edge.json');
    } catch (error) {
      expect(String(error)).not.toContain('short-secret');
    }
  });
});
