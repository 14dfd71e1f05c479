/**
 * What the Deno raw front does with the bytes of a connection's next request
 * (adapters/deno/next-request.ts): serve it, answer HAProxy's page and close,
 * hand it over, or wait for more.
 */
import { describe, expect, it } from 'vitest';
import { errorPageBytes, readNextRequest } from '../../adapters/deno/next-request.ts';
import { pageText } from '../../src/http1/response-head.ts';
import { builtinErrorResponse } from '../../src/proxy/error-pages.ts';

const text = (bytes: Uint8Array) => String.fromCharCode(...bytes);

describe('readNextRequest', () => {
  it('an ordinary head is served', () => {
    expect(readNextRequest('GET / HTTP/1.1\r\nHost: a\r\n\r\n', true, false)).toMatchObject({ method: 'GET', target: '/' });
  });

  it("a malformed head gets HAProxy's page, as the Node adapter writes it", () => {
    expect(text(errorPageBytes(400))).toBe(pageText(builtinErrorResponse(400)));
    expect(readNextRequest('GET / HTTP/1.1\nHost: a\n\n', true, false)).toBe(errorPageBytes(400));
    expect(readNextRequest('CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n', true, false)).toBe(errorPageBytes(405));
    // Not ASCII, so not ordinary, and still read: a byte above 127 in a name is refused.
    expect(readNextRequest('GET / HTTP/1.1\r\nHost: a\r\nX\xe9: b\r\n\r\n', false, false)).toBe(errorPageBytes(400));
  });

  it('a well-formed head that is not ordinary is handed over: a body, obs-text in a value, an unknown method', () => {
    expect(readNextRequest('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc', true, false)).toBe('hand over');
    expect(readNextRequest('GET / HTTP/1.1\r\nHost: a\r\nX: caf\xe9\r\n\r\n', false, false)).toBe('hand over');
    expect(readNextRequest('BREW / HTTP/1.1\r\nHost: a\r\n\r\n', true, false)).toBe('hand over');
  });

  it('a head not whole waits, ordinary or not, until the client ends its side: then the full server answers it', () => {
    for (const partial of ['GET / HTTP/1.1\r\nHost: a\r\n', `GET / HTTP/1.0\r\nX: ${'a'.repeat(9000)}`]) {
      expect(readNextRequest(partial, true, false)).toBe('wait');
      expect(readNextRequest(partial, true, true)).toBe('hand over');
    }
  });

  it('a head refused before it is whole is answered at once: a byte above 127 in the target', () => {
    expect(readNextRequest('GET /\xe9', false, false)).toBe(errorPageBytes(400));
  });
});
