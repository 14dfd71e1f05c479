import { describe, expect, it } from 'vitest';
import { readPersistenceCookie } from '../../src/persistence/request-cookie.ts';
import { encodeS30 } from '../../src/persistence/s30.ts';
import { NOW, NOW_S, policy, server, SERVERS } from './fixtures.ts';

const insertIndirect = policy({ indirect: true, nocache: true });
const prefix = policy({ name: 'JSESSIONID', mode: 'prefix', indirect: true });
const stamp = (s: number): string => encodeS30(Math.floor(s / 4));

function cookies(p = insertIndirect, ...lines: string[]) {
  const r = readPersistenceCookie(p, SERVERS, [['Host', 'x'], ...lines.map((l): [string, string] => ['Cookie', l])], NOW);
  return { ...r, lines: r.headers.filter(([n]) => n === 'Cookie').map(([, v]) => v) };
}

describe('insert indirect', () => {
  it('routes and removes our cookie, keeping the others in order', () => {
    expect(cookies(undefined, 'a=1; SERVERNAME=s2; b=2')).toMatchObject({ serverIndex: 1, status: 'valid', lines: ['a=1; b=2'] });
    expect(cookies(undefined, 'SERVERNAME=s1')).toMatchObject({ serverIndex: 0, lines: [] });
    expect(cookies(undefined, 'SERVERNAME=s1; a=1').lines).toEqual(['a=1']);
    expect(cookies(undefined, 'a=1; SERVERNAME=s1').lines).toEqual(['a=1']);
    expect(cookies(undefined, 'a=1;SERVERNAME=s1,b=2').lines).toEqual(['a=1, b=2']);
    expect(cookies(undefined, 'a = 1 ; SERVERNAME = s1 ;b=2 ; $Path=/; c').lines).toEqual(['a=1; b=2 ; $Path=/; c']);
  });

  it('unknown, empty and missing cookies', () => {
    expect(cookies(undefined, 'SERVERNAME=s9')).toMatchObject({ serverIndex: undefined, status: 'invalid', lines: [] });
    expect(cookies(undefined, 'SERVERNAME=')).toMatchObject({ serverIndex: undefined, status: 'invalid' });
    expect(cookies(undefined, 'a=1')).toMatchObject({ serverIndex: undefined, status: 'none', lines: ['a=1'] });
    expect(cookies(undefined, 'servername=s1')).toMatchObject({ serverIndex: undefined, status: 'none' });
  });

  it('the first matching cookie routes', () => {
    expect(cookies(undefined, 'SERVERNAME=s9; SERVERNAME=s2; SERVERNAME=s1')).toMatchObject({ serverIndex: 1, lines: [] });
  });

  it('returns the same array when nothing changes', () => {
    const h = [['Cookie', 'a=1; b=2'], ['Accept', '*/*']] as const;
    expect(readPersistenceCookie(insertIndirect, SERVERS, h, NOW).headers).toBe(h);
  });

  it('drops a Cookie line carrying CR, LF or NUL', () => {
    const r = readPersistenceCookie(policy(), SERVERS, [['Cookie', 'SERVERNAME=s1\r\nX-Evil: 1'], ['Cookie', 'a=\0']], NOW);
    expect(r).toMatchObject({ serverIndex: undefined, headers: [] });
  });

  it('without indirect, our cookie stays', () => {
    expect(cookies(policy(), 'a=1; SERVERNAME=s2')).toMatchObject({ serverIndex: 1, lines: ['a=1; SERVERNAME=s2'] });
  });
});

describe('server usability', () => {
  const shared = [server('a', 'x'), server('b', 'x'), server('c', null)];

  it('picks the first usable server with the value', () => {
    const h = [['Cookie', 'SERVERNAME=x']] as const;
    expect(readPersistenceCookie(policy(), shared, h, NOW, (i) => i !== 0)).toMatchObject({ serverIndex: 1, status: 'valid' });
    expect(readPersistenceCookie(policy(), shared, h, NOW, () => false)).toMatchObject({ serverIndex: undefined, status: 'down' });
    expect(readPersistenceCookie(policy(), shared, h, NOW)).toMatchObject({ serverIndex: 0 });
  });
});

describe('prefix', () => {
  it('strips any prefix and keeps the cookie', () => {
    expect(cookies(prefix, 'a=1; JSESSIONID=s1~xyz; b=2')).toMatchObject({ serverIndex: 0, lines: ['a=1; JSESSIONID=xyz; b=2'] });
    expect(cookies(prefix, 'JSESSIONID=s9~abc')).toMatchObject({ serverIndex: undefined, status: 'invalid', lines: ['JSESSIONID=abc'] });
    expect(cookies(prefix, 'JSESSIONID=~abc')).toMatchObject({ serverIndex: undefined, lines: ['JSESSIONID=abc'] });
    expect(cookies(prefix, 'JSESSIONID=s2~a~b')).toMatchObject({ serverIndex: 1, lines: ['JSESSIONID=a~b'] });
  });

  it('a value without ~ is compared whole and passed unchanged', () => {
    expect(cookies(prefix, 'JSESSIONID=abc')).toMatchObject({ serverIndex: undefined, lines: ['JSESSIONID=abc'] });
    expect(cookies(prefix, 'JSESSIONID=s2')).toMatchObject({ serverIndex: 1, lines: ['JSESSIONID=s2'] });
  });
});

describe('rewrite', () => {
  it('routes by value and passes the cookie as is', () => {
    expect(cookies(policy({ mode: 'rewrite' }), 'a=1; SERVERNAME=s2')).toMatchObject({ serverIndex: 1, lines: ['a=1; SERVERNAME=s2'] });
  });
});

describe('maxidle / maxlife dates', () => {
  const dated = policy({ indirect: true, maxidle: 30 * 60_000, maxlife: 8 * 3_600_000 });

  it('reads both dates', () => {
    const r = cookies(dated, `SERVERNAME=s2|${stamp(NOW_S - 60)}|${stamp(NOW_S - 600)}`);
    expect(r).toMatchObject({ serverIndex: 1, status: 'valid', dates: { lastSeen: NOW_S - 60, firstSeen: NOW_S - 600 }, lines: [] });
  });

  it('idle too long, too old, or more than a day ahead: ignored', () => {
    expect(cookies(dated, `SERVERNAME=s2|${stamp(NOW_S - 1804)}|${stamp(NOW_S - 1804)}`))
      .toMatchObject({ serverIndex: undefined, status: 'expired', dates: { lastSeen: 0, firstSeen: 0 } });
    expect(cookies(dated, `SERVERNAME=s2|${stamp(NOW_S - 60)}|${stamp(NOW_S - 8 * 3600 - 4)}`))
      .toMatchObject({ serverIndex: undefined, status: 'old' });
    expect(cookies(dated, `SERVERNAME=s2|${stamp(NOW_S + 86400 + 4)}`)).toMatchObject({ serverIndex: undefined, status: 'expired' });
    expect(cookies(dated, `SERVERNAME=s2|${stamp(NOW_S + 86400)}`)).toMatchObject({ serverIndex: 1, status: 'valid' });
  });

  it('exactly maxidle old is still valid (HAProxy tests "greater than")', () => {
    expect(cookies(dated, `SERVERNAME=s2|${stamp(NOW_S - 1800)}`)).toMatchObject({ serverIndex: 1 });
  });

  it('missing or undecodable dates are absent, and the cookie still routes', () => {
    expect(cookies(dated, 'SERVERNAME=s1|AAAAA|AAAAA')).toMatchObject({ serverIndex: 0, dates: { lastSeen: 0, firstSeen: 0 } });
    expect(cookies(dated, 'SERVERNAME=s1|ab')).toMatchObject({ serverIndex: 0, dates: { lastSeen: 0, firstSeen: 0 } });
    expect(cookies(dated, 'SERVERNAME=s1|')).toMatchObject({ serverIndex: 0 });
  });

  it('dates are read even when the policy does not check them', () => {
    const r = cookies(policy(), `SERVERNAME=s1|${stamp(NOW_S - 7200)}`);
    expect(r).toMatchObject({ serverIndex: 0, dates: { lastSeen: NOW_S - 7200, firstSeen: 0 } });
  });
});
