import { describe, expect, it } from 'vitest';
import {
  findCookieValueEnd,
  parseCookieHeader,
  serializeCookieHeader,
  splitHeaderValues,
  splitSetCookie,
} from '../../src/persistence/cookie-syntax.ts';

describe('parseCookieHeader', () => {
  it('keeps order, duplicates and raw values', () => {
    expect(parseCookieHeader('a=1; b="x;y"; a=%41; c')).toEqual([
      { name: 'a', value: '1' },
      { name: 'b', value: '"x;y"' },
      { name: 'a', value: '%41' },
      { name: 'c', value: undefined },
    ]);
  });

  it('uses HAProxy delimiters and ignores spaces around =', () => {
    expect(parseCookieHeader(' a = 1 ,b=2;;c= ')).toEqual([
      { name: 'a', value: '1' },
      { name: 'b', value: '2' },
      { name: 'c', value: '' },
    ]);
    expect(parseCookieHeader('')).toEqual([]);
  });

  it('serializes with "; "', () => {
    expect(serializeCookieHeader([{ name: 'a', value: '1' }, { name: 'c', value: undefined }])).toBe('a=1; c');
  });
});

describe('splitSetCookie', () => {
  it('splits name, value and attributes', () => {
    expect(splitSetCookie('ID=abc; Path=/; HttpOnly')).toEqual({ name: 'ID', value: 'abc', rest: '; Path=/; HttpOnly' });
    expect(splitSetCookie('ID = a b ;x')).toEqual({ name: 'ID', value: 'a b', rest: ' ;x' });
    expect(splitSetCookie('flag; Path=/')).toBeUndefined();
  });
});

describe('lexing helpers', () => {
  it('finds the end of a cookie value, respecting quotes', () => {
    expect(findCookieValueEnd('a"b;c\\"d;e"f;g', 0)).toBe(12);
    expect(findCookieValueEnd('abc', 0)).toBe(3);
  });

  it('splits comma lists outside quotes', () => {
    expect(splitHeaderValues(' public , no-cache="set-cookie, x",max-age=5')).toEqual([
      'public',
      'no-cache="set-cookie, x"',
      'max-age=5',
    ]);
  });
});
