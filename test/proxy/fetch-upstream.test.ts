/**
 * How a rejected fetch() is classified, which decides whether the request is
 * retried: workerd's one message for "could not connect" and "hung up after
 * reading the request" may only cost a repeat where a repeat is harmless.
 */
import { describe, expect, it } from 'vitest';
import { classifyFetchError } from '../../src/proxy/fetch-upstream.ts';

const lost = new Error('Network connection lost.');

describe('classifyFetchError', () => {
  it('retries an ambiguous workerd failure only for idempotent methods', () => {
    expect(['GET', 'head', 'PUT', 'DELETE', 'OPTIONS'].map((m) => classifyFetchError(lost, m))).toEqual(Array(5).fill('refused'));
    expect(['POST', 'PATCH'].map((m) => classifyFetchError(lost, m))).toEqual(['reset', 'reset']);
  });

  it('a refused connection is a failure to connect whatever the method', () => {
    const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }) });
    expect(classifyFetchError(refused, 'POST')).toBe('refused');
    expect(classifyFetchError(new TypeError('fetch failed', { cause: new Error('other side closed') }), 'GET')).toBe('reset');
    expect(classifyFetchError(new Error('invalid response'), 'GET')).toBe('bad-response');
  });
});
