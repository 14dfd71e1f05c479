/**
 * What the Deno raw front does with the bytes of a connection's next request
 * (adapters/deno/next-request.ts): serve it, answer HAProxy's page and close,
 * hand it over, or wait for more.
 */
import { describe, expect, it } from 'vitest';
import { errorPageBytes, RequestReader } from '../../adapters/deno/next-request.ts';
import { pageText } from '../../src/http1/response-head.ts';
import { builtinErrorResponse } from '../../src/proxy/error-pages.ts';

const text = (bytes: Uint8Array) => String.fromCharCode(...bytes);
const bytes = (latin1: string) => Uint8Array.from(latin1, (c) => c.charCodeAt(0));

/** A fresh connection's reader after reading `pending`. */
function next(pending: string, ended = false) {
  const reader = new RequestReader();
  reader.decode(bytes(pending));
  return reader.next(pending, ended);
}

describe('RequestReader.next', () => {
  it('an ordinary head is served', () => {
    expect(next('GET / HTTP/1.1\r\nHost: a\r\n\r\n')).toMatchObject({ method: 'GET', target: '/' });
  });

  it("a malformed head gets HAProxy's page, as the Node adapter writes it", () => {
    expect(text(errorPageBytes(400))).toBe(pageText(builtinErrorResponse(400)));
    expect(next('GET / HTTP/1.1\nHost: a\n\n')).toBe(errorPageBytes(400));
    expect(next('CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n')).toBe(errorPageBytes(405));
    // Not ASCII, so not ordinary, and still read: a byte above 127 in a name is refused.
    expect(next('GET / HTTP/1.1\r\nHost: a\r\nX\xe9: b\r\n\r\n')).toBe(errorPageBytes(400));
  });

  it('a well-formed head that is not ordinary is handed over: a body, obs-text in a value, an unknown method', () => {
    expect(next('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc')).toBe('hand over');
    expect(next('GET / HTTP/1.1\r\nHost: a\r\nX: caf\xe9\r\n\r\n')).toBe('hand over');
    expect(next('BREW / HTTP/1.1\r\nHost: a\r\n\r\n')).toBe('hand over');
  });

  it('a head not whole waits, ordinary or not, until the client ends its side: then the full server answers it', () => {
    for (const partial of ['GET / HTTP/1.1\r\nHost: a\r\n', `GET / HTTP/1.0\r\nX: ${'a'.repeat(9000)}`]) {
      expect(next(partial)).toBe('wait');
      expect(next(partial, true)).toBe('hand over');
    }
  });

  it('a head refused before it is whole is answered at once: a byte above 127 in the target', () => {
    expect(next('GET /\xe9')).toBe(errorPageBytes(400));
  });

  it('a head not whole is judged again when a line ends or it grows too long, not at every byte', () => {
    const reader = new RequestReader();
    let pending = '';
    const read = (more: string) => reader.next((pending += more), false);
    expect(read('GET / HTTP/1.0\r\nX: a')).toBe('wait');
    // A control character in the line being read: refused once the line ends.
    expect(read('\x01b')).toBe('wait');
    expect(read('\r\n')).toBe(errorPageBytes(400));
    // A line that never ends: refused once the head passes the limit.
    const long = new RequestReader();
    let text = 'GET / HTTP/1.0\r\nX: ';
    let verdict = long.next(text, false);
    while (verdict === 'wait' && text.length < 20_000) verdict = long.next((text += 'a'.repeat(1000)), false);
    expect(verdict).toBe(errorPageBytes(400));
  });
});
