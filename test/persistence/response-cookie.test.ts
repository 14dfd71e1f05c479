import { describe, expect, it } from 'vitest';
import type { CookiePolicy, Server } from '../../src/config/types.ts';
import { readPersistenceCookie } from '../../src/persistence/request-cookie.ts';
import { applyResponseCookie } from '../../src/persistence/response-cookie.ts';
import { encodeS30 } from '../../src/persistence/s30.ts';
import type { HeaderLines } from '../../src/persistence/types.ts';
import { NOW, NOW_S, policy, server, SERVERS } from './fixtures.ts';

const stamp = (s: number): string => encodeS30(Math.floor(s / 4));

/** Runs request then response the way the proxy does, for the server at `answered`. */
function roundTrip(
  p: CookiePolicy,
  opts: { cookie?: string; answered?: number; method?: string; status?: number; response?: HeaderLines; servers?: readonly Server[]; now?: number },
): HeaderLines {
  const servers = opts.servers ?? SERVERS;
  const now = opts.now ?? NOW;
  const req = readPersistenceCookie(p, servers, opts.cookie ? [['Cookie', opts.cookie]] : [], now);
  const answered = opts.answered ?? req.serverIndex ?? 0;
  return applyResponseCookie(
    p,
    { method: opts.method ?? 'GET', servers, serverIndex: answered, clientCookieValid: req.serverIndex === answered, request: req, now },
    opts.status ?? 200,
    opts.response ?? [],
  );
}

const insert = policy({ indirect: true, nocache: true });

describe('insert', () => {
  it('first visit, valid cookie, unknown value, redispatch', () => {
    expect(roundTrip(insert, {})).toEqual([['set-cookie', 'SERVERNAME=s1; path=/']]);
    expect(roundTrip(insert, { cookie: 'SERVERNAME=s2' })).toEqual([]);
    expect(roundTrip(insert, { cookie: 'SERVERNAME=s9', answered: 1 })).toEqual([['set-cookie', 'SERVERNAME=s2; path=/']]);
    expect(roundTrip(insert, { cookie: 'SERVERNAME=s1', answered: 1 })).toEqual([['set-cookie', 'SERVERNAME=s2; path=/']]);
  });

  it('returns the same array when nothing changes', () => {
    const h = [['Content-Type', 'text/plain']] as const;
    expect(roundTrip(insert, { cookie: 'SERVERNAME=s1', response: h })).toBe(h);
  });

  it('nocache: a separate cache-control line, only for cacheable responses', () => {
    const cacheable = [['Cache-Control', 'public, max-age=60']] as const;
    expect(roundTrip(insert, { response: cacheable })).toEqual([
      ['Cache-Control', 'public, max-age=60'],
      ['set-cookie', 'SERVERNAME=s1; path=/'],
      ['cache-control', 'private'],
    ]);
    const maxAge = [['Cache-Control', 'max-age=60']] as const;
    expect(roundTrip(insert, { response: maxAge, method: 'POST' })).toEqual([...maxAge, ['set-cookie', 'SERVERNAME=s1; path=/']]);
    // `public` makes even a POST response cacheable for HAProxy.
    expect(roundTrip(insert, { response: cacheable, method: 'POST' })).toContainEqual(['cache-control', 'private']);
    expect(roundTrip(policy(), { response: cacheable })).toEqual([...cacheable, ['set-cookie', 'SERVERNAME=s1; path=/']]);
  });

  it('attribute order', () => {
    const p = policy({ httponly: true, secure: true, domains: ['.a.example', '.b.example'], attrs: ['SameSite=Lax', 'Partitioned'] });
    expect(roundTrip(p, {})).toEqual([
      ['set-cookie', 'SERVERNAME=s1; path=/; domain=.a.example; domain=.b.example; HttpOnly; Secure; SameSite=Lax; Partitioned'],
    ]);
  });

  it('a server without cookie value gets a deletion cookie, every time', () => {
    const servers = [server('s1'), server('bk', null)];
    const expected = [['set-cookie', 'SERVERNAME=; Expires=Thu, 01-Jan-1970 00:00:01 GMT; path=/; domain=.x.example']];
    const p = policy({ domains: ['.x.example'] });
    expect(roundTrip(p, { servers, answered: 1 })).toEqual(expected);
    expect(roundTrip(p, { servers, answered: 1, cookie: 'SERVERNAME=s1' })).toEqual(expected);
  });

  it('postonly', () => {
    const p = policy({ postonly: true });
    expect(roundTrip(p, {})).toEqual([]);
    expect(roundTrip(p, { method: 'POST' })).toEqual([['set-cookie', 'SERVERNAME=s1; path=/']]);
  });

  it('the server\'s own cookie with our name is removed, unless preserve', () => {
    const response = [['Set-Cookie', 'SERVERNAME=app; Path=/'], ['Set-Cookie', 'x=1']] as const;
    expect(roundTrip(insert, { response })).toEqual([['Set-Cookie', 'x=1'], ['set-cookie', 'SERVERNAME=s1; path=/']]);
    expect(roundTrip(insert, { response, cookie: 'SERVERNAME=s1' })).toEqual([['Set-Cookie', 'x=1']]);
    expect(roundTrip(policy({ preserve: true }), { response })).toEqual(response);
    expect(roundTrip(policy({ preserve: true }), {})).toEqual([['set-cookie', 'SERVERNAME=s1; path=/']]);
  });

  it('interim responses are left alone', () => {
    expect(roundTrip(insert, { status: 100 })).toEqual([]);
    expect(roundTrip(insert, { status: 101 })).toEqual([['set-cookie', 'SERVERNAME=s1; path=/']]);
  });

  it('drops a Set-Cookie line carrying CR, LF or NUL', () => {
    expect(roundTrip(policy({ mode: 'prefix' }), { response: [['Set-Cookie', 'SERVERNAME=a\r\nX: 1'], ['Set-Cookie', 'b=\0']] })).toEqual([]);
  });
});

describe('insert with maxidle / maxlife', () => {
  const dated = policy({ maxidle: 30 * 60_000, maxlife: 8 * 3_600_000 });
  const idleOnly = policy({ maxidle: 30 * 60_000 });
  const now = stamp(NOW_S);

  it('first visit: last and first seen are now', () => {
    expect(roundTrip(dated, {})).toEqual([['set-cookie', `SERVERNAME=s1|${now}|${now}; path=/`]]);
    expect(roundTrip(idleOnly, {})).toEqual([['set-cookie', `SERVERNAME=s1|${now}; path=/`]]);
  });

  it('the current date is rounded up to the next 4 s', () => {
    expect(roundTrip(idleOnly, { now: NOW + 1000 })).toEqual([['set-cookie', `SERVERNAME=s1|${stamp(NOW_S + 4)}; path=/`]]);
  });

  it('refreshes the idle date, keeping the first-seen date', () => {
    const first = stamp(NOW_S - 3600);
    expect(roundTrip(dated, { cookie: `SERVERNAME=s2|${stamp(NOW_S - 60)}|${first}` }))
      .toEqual([['set-cookie', `SERVERNAME=s2|${now}|${first}; path=/`]]);
  });

  it('no refresh while the stored idle date is not in the past', () => {
    expect(roundTrip(dated, { cookie: `SERVERNAME=s2|${now}|${stamp(NOW_S - 3600)}` })).toEqual([]);
  });

  it('adds a missing first date, and drops one maxlife no longer wants', () => {
    expect(roundTrip(dated, { cookie: `SERVERNAME=s2|${now}` })).toEqual([['set-cookie', `SERVERNAME=s2|${now}|${now}; path=/`]]);
    expect(roundTrip(idleOnly, { cookie: `SERVERNAME=s2|${now}|${now}` })).toEqual([['set-cookie', `SERVERNAME=s2|${now}; path=/`]]);
    expect(roundTrip(policy(), { cookie: `SERVERNAME=s2|${stamp(NOW_S - 60)}` })).toEqual([['set-cookie', 'SERVERNAME=s2; path=/']]);
  });

  it('an expired cookie gets fresh dates', () => {
    expect(roundTrip(dated, { cookie: `SERVERNAME=s2|${stamp(NOW_S - 7200)}|${stamp(NOW_S - 7200)}`, answered: 1 }))
      .toEqual([['set-cookie', `SERVERNAME=s2|${now}|${now}; path=/`]]);
  });
});

describe('prefix', () => {
  const prefix = policy({ name: 'JSESSIONID', mode: 'prefix', indirect: true, nocache: true });

  it('prefixes our cookie, leaves the others', () => {
    const response = [['Set-Cookie', 'JSESSIONID=abc; Path=/; HttpOnly'], ['Set-Cookie', 'theme=dark']] as const;
    expect(roundTrip(prefix, { response, answered: 1 })).toEqual([['Set-Cookie', 'JSESSIONID=s2~abc; Path=/; HttpOnly'], ['Set-Cookie', 'theme=dark']]);
    expect(roundTrip(prefix, { response: [['set-cookie', 'JSESSIONID = v ;x']] })).toEqual([['set-cookie', 'JSESSIONID=s1~v ;x']]);
  });

  it('indirect with a valid prefixed cookie: the server\'s new cookie is removed', () => {
    const response = [['Set-Cookie', 'JSESSIONID=new'], ['Set-Cookie', 'theme=dark']] as const;
    expect(roundTrip(prefix, { cookie: 'JSESSIONID=s1~old', response })).toEqual([['Set-Cookie', 'theme=dark']]);
    expect(roundTrip(policy({ name: 'JSESSIONID', mode: 'prefix' }), { cookie: 'JSESSIONID=s1~old', response }))
      .toEqual([['Set-Cookie', 'JSESSIONID=s1~new'], ['Set-Cookie', 'theme=dark']]);
  });

  it('never invents a cookie, never adds cache-control', () => {
    expect(roundTrip(prefix, { response: [['Cache-Control', 'max-age=60']] })).toEqual([['Cache-Control', 'max-age=60']]);
    expect(roundTrip(prefix, { response: [['Cache-Control', 'max-age=60'], ['Set-Cookie', 'JSESSIONID=a']] }))
      .toEqual([['Cache-Control', 'max-age=60'], ['Set-Cookie', 'JSESSIONID=s1~a']]);
  });

  it('a server without cookie value leaves the cookie alone', () => {
    const servers = [server('s1'), server('s2', null)];
    expect(roundTrip(prefix, { servers, answered: 1, response: [['Set-Cookie', 'JSESSIONID=a']] })).toEqual([['Set-Cookie', 'JSESSIONID=a']]);
  });
});

describe('rewrite', () => {
  it('replaces the value up to the first ; or ,', () => {
    const p = policy({ mode: 'rewrite' });
    expect(roundTrip(p, { answered: 1, response: [['Set-Cookie', 'SERVERNAME=app; Path=/']] })).toEqual([['Set-Cookie', 'SERVERNAME=s2; Path=/']]);
    expect(roundTrip(p, { response: [['Set-Cookie', 'SERVERNAME="a;b",c; Path=/']] })).toEqual([['Set-Cookie', 'SERVERNAME=s1,c; Path=/']]);
    expect(roundTrip(p, {})).toEqual([]);
  });
});
