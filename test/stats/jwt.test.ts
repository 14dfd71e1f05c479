/**
 * JWT instead of (or next to) basic auth, as Cloudflare Access protects an
 * app: `Cf-Access-Jwt-Assertion` or `Authorization: Bearer`, verified with
 * jose against a JWKS served by a local server, with locally made keys.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey as JoseKey } from 'jose';
import { UNAUTHORIZED_BODY } from '../../src/stats/auth.ts';
import { basic, seedConfig, statsConfig } from './fixtures.ts';
import { serveStats, type ServedStats } from './serve-stats.ts';

const ISSUER = 'https://team.cloudflareaccess.test';
const AUDIENCE = 'stats-app-aud';

let jwks: Server;
let jwksUrl: string;
let jwksRequests = 0;
let signing: { privateKey: JoseKey; kid: string };
let stranger: { privateKey: JoseKey; kid: string };
let jwtOnly: ServedStats;
let both: ServedStats;

beforeAll(async () => {
  const trusted = await generateKeyPair('RS256');
  const other = await generateKeyPair('RS256');
  signing = { privateKey: trusted.privateKey, kid: 'trusted-1' };
  stranger = { privateKey: other.privateKey, kid: 'stranger-1' };
  const body = JSON.stringify({ keys: [{ ...(await exportJWK(trusted.publicKey)), kid: 'trusted-1', alg: 'RS256', use: 'sig' }] });
  jwks = createServer((_req, res) => {
    jwksRequests++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/cdn-cgi/access/certs`;
  const jwt = { jwksUrl, issuer: ISSUER, audience: AUDIENCE };
  jwtOnly = await serveStats(seedConfig(0, 0, [], statsConfig({ users: [], jwt })));
  both = await serveStats(seedConfig(0, 0, [], statsConfig({ jwt })));
});

afterAll(async () => {
  await jwtOnly?.close();
  await both?.close();
  await new Promise<void>((resolve) => (jwks ? jwks.close(() => resolve()) : resolve()));
  jwks?.closeAllConnections();
});

async function token(options: { key?: { privateKey: JoseKey; kid: string }; audience?: string; issuer?: string; expiresAt?: number } = {}) {
  const key = options.key ?? signing;
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ email: 'ops@example.test' })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid })
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setSubject('user-1')
    .setIssuedAt(now - 60)
    .setExpirationTime(options.expiresAt ?? now + 300)
    .sign(key.privateKey);
}

const get = (served: ServedStats, headers: Record<string, string>) =>
  fetch(`http://127.0.0.1:${served.port}/;csv`, { headers });

describe('JWT-only section', () => {
  test('a valid token in Cf-Access-Jwt-Assertion gets in', async () => {
    const response = await get(jwtOnly, { 'cf-access-jwt-assertion': await token() });
    expect(response.status).toBe(200);
    expect((await response.text()).startsWith('# pxname,svname,')).toBe(true);
  });

  test('a valid bearer token gets in; the key set was fetched once and cached', async () => {
    const response = await get(jwtOnly, { authorization: `Bearer ${await token()}` });
    expect(response.status).toBe(200);
    await response.arrayBuffer();
    expect(jwksRequests).toBe(1);
  });

  test.each([
    ['expired', () => token({ expiresAt: Math.floor(Date.now() / 1000) - 120 })],
    ['wrong audience', () => token({ audience: 'another-app' })],
    ['wrong issuer', () => token({ issuer: 'https://evil.test' })],
    ['unknown key', () => token({ key: stranger })],
    ['not a JWT', async () => 'abc.def.ghi'],
  ])('%s → 401', async (_name, make) => {
    const response = await get(jwtOnly, { 'cf-access-jwt-assertion': await make() });
    expect(response.status).toBe(401);
    expect(await response.text()).toBe(UNAUTHORIZED_BODY);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="Strictly Private"');
  });

  test('no token, or basic credentials → 401', async () => {
    expect((await get(jwtOnly, {})).status).toBe(401);
    expect((await get(jwtOnly, { authorization: basic('A_Username', 'YourPassword') })).status).toBe(401);
  });
});

describe('JWT next to basic auth', () => {
  test('either credential works; a bad token is refused even with users configured', async () => {
    expect((await get(both, { authorization: `Bearer ${await token()}` })).status).toBe(200);
    expect((await get(both, { authorization: basic('Another_User', 'passwd') })).status).toBe(200);
    const bad = await get(both, { 'cf-access-jwt-assertion': await token({ audience: 'nope' }) });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toBe('Basic realm="Strictly Private"');
  });

  test('the dashboard names the JWT user', async () => {
    const response = await fetch(`http://127.0.0.1:${both.port}/`, { headers: { authorization: `Bearer ${await token()}` } });
    expect(await response.text()).toContain('signed in as ops@example.test');
  });
});
