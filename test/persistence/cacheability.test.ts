import { describe, expect, it } from 'vitest';
import { isCacheableResponse } from '../../src/persistence/cacheability.ts';

const cc = (v: string): [string, string] => ['Cache-Control', v];

describe('isCacheableResponse (HAProxy 2.6.12)', () => {
  it('needs freshness information or a validator', () => {
    expect(isCacheableResponse('GET', 200, [])).toBe(false);
    expect(isCacheableResponse('GET', 200, [cc('max-age=60')])).toBe(true);
    expect(isCacheableResponse('GET', 200, [['ETag', '"x"']])).toBe(true);
    expect(isCacheableResponse('GET', 200, [['Last-Modified', 'x']])).toBe(true);
    expect(isCacheableResponse('GET', 200, [['Expires', '']])).toBe(true);
    expect(isCacheableResponse('GET', 200, [cc('public')])).toBe(false);
  });

  it('method and status', () => {
    expect(isCacheableResponse('POST', 200, [cc('max-age=60')])).toBe(false);
    expect(isCacheableResponse('get', 200, [cc('max-age=60')])).toBe(false);
    expect(isCacheableResponse('HEAD', 404, [cc('max-age=60')])).toBe(true);
    expect(isCacheableResponse('GET', 302, [cc('max-age=60')])).toBe(false);
    expect(isCacheableResponse('GET', 100, [cc('public, max-age=60')])).toBe(false);
  });

  it('public re-enables caching for any method or status', () => {
    expect(isCacheableResponse('POST', 302, [cc('public'), cc('max-age=60')])).toBe(true);
  });

  it('the last decisive directive wins', () => {
    expect(isCacheableResponse('GET', 200, [cc('max-age=60, private')])).toBe(false);
    expect(isCacheableResponse('GET', 200, [cc('private, max-age=60, public')])).toBe(true);
    expect(isCacheableResponse('GET', 200, [cc('NO-STORE'), cc('max-age=1')])).toBe(false);
  });

  it('max-age=0 is not freshness, and 2.6.12 lets s-maxage not override it', () => {
    expect(isCacheableResponse('GET', 200, [cc('max-age=0, s-maxage=60')])).toBe(false);
  });

  it('Pragma: no-cache, first line only, whole value', () => {
    expect(isCacheableResponse('GET', 200, [cc('max-age=60'), ['Pragma', 'no-cache']])).toBe(false);
    expect(isCacheableResponse('GET', 200, [cc('max-age=60'), ['Pragma', 'x'], ['Pragma', 'no-cache']])).toBe(true);
    expect(isCacheableResponse('GET', 200, [cc('max-age=60'), ['Pragma', 'no-cache, x']])).toBe(true);
  });
});
