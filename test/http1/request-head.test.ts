/**
 * The raw front's strict reader: what it takes as ordinary, and everything it
 * must leave to node:http (bodies, smuggling shapes, malformed lines).
 */
import { describe, expect, it } from 'vitest';
import { readOrdinaryRequestHead, MAX_ORDINARY_HEAD } from '../../src/http1/request-head.ts';

const head = (lines: string) => lines.replaceAll('\n', '\r\n');

describe('readOrdinaryRequestHead', () => {
  it('reads an ordinary head: method, target, header lines in order, trimmed values, its length', () => {
    const text = head('GET /a/../b?x=1 HTTP/1.1\nHost: example.com\nX-A:  one \t\nx-a: two\n\n') + 'NEXT';
    // A trailing blank in a value is not ordinary (left to node:http); here the value ends in \t.
    expect(readOrdinaryRequestHead(text)).toBe('not-mine');
    const ok = head('GET /a/../b?x=1 HTTP/1.1\nHost: example.com\nX-A:  one\nx-a: two\n\n');
    expect(readOrdinaryRequestHead(ok + 'NEXT')).toEqual({
      method: 'GET',
      target: '/a/../b?x=1',
      headers: [['Host', 'example.com'], ['X-A', 'one'], ['x-a', 'two']],
      keepAlive: true,
      length: ok.length,
    });
  });

  it('reads from an offset and says when the head is not whole yet', () => {
    const one = head('GET / HTTP/1.1\nHost: a\n\n');
    expect(readOrdinaryRequestHead(one + one, one.length)).toMatchObject({ length: one.length });
    for (let cut = 1; cut < one.length; cut++) expect(readOrdinaryRequestHead(one.slice(0, cut))).toBe('incomplete');
  });

  it('Connection: close (any case, in a list) ends keep-alive', () => {
    expect(readOrdinaryRequestHead(head('GET / HTTP/1.1\nHost: a\nConnection: foo, Close\n\n'))).toMatchObject({ keepAlive: false });
  });

  it.each([
    ['a body (Content-Length)', 'POST / HTTP/1.1\nHost: a\nContent-Length: 5\n\n'],
    ['Transfer-Encoding', 'POST / HTTP/1.1\nHost: a\nTransfer-Encoding: chunked\n\n'],
    ['Transfer-Encoding in another case', 'POST / HTTP/1.1\nHost: a\ntRANSFER-eNCODING: chunked\n\n'],
    ['a space before the colon', 'POST / HTTP/1.1\nHost: a\nContent-Length : 5\n\n'],
    ['Content-Length: 00', 'POST / HTTP/1.1\nHost: a\nContent-Length: 00\n\n'],
    ['obs-fold', 'GET / HTTP/1.1\nHost: a\nX: a\n b\n\n'],
    ['Upgrade', 'GET / HTTP/1.1\nHost: a\nUpgrade: websocket\n\n'],
    ['Connection: upgrade', 'GET / HTTP/1.1\nHost: a\nConnection: Upgrade\n\n'],
    ['Expect', 'GET / HTTP/1.1\nHost: a\nExpect: 100-continue\n\n'],
    ['no Host', 'GET / HTTP/1.1\nX: a\n\n'],
    ['two Hosts', 'GET / HTTP/1.1\nHost: a\nHost: b\n\n'],
    ['HTTP/1.0', 'GET / HTTP/1.0\nHost: a\n\n'],
    ['HTTP/2 preface', 'PRI * HTTP/2.0\n\nSM\n\n'],
    ['absolute form', 'GET http://a/ HTTP/1.1\nHost: a\n\n'],
    ['asterisk form', 'OPTIONS * HTTP/1.1\nHost: a\n\n'],
    ['CONNECT', 'CONNECT a:443 HTTP/1.1\nHost: a:443\n\n'],
    ['an unknown method', 'BREW / HTTP/1.1\nHost: a\n\n'],
    ['a lower-case method', 'get / HTTP/1.1\nHost: a\n\n'],
    ['two spaces', 'GET  / HTTP/1.1\nHost: a\n\n'],
    ['a quote in the target', 'GET /a"b HTTP/1.1\nHost: a\n\n'],
    ['a control character in a value', 'GET / HTTP/1.1\nHost: a\nX: a\u0001b\n\n'],
    ['an empty name', 'GET / HTTP/1.1\nHost: a\n: b\n\n'],
  ])('leaves %s to node:http', (_name, lines) => {
    expect(readOrdinaryRequestHead(head(lines))).toBe('not-mine');
  });

  it('does not wait for a blank line that a bare LF or an HTTP/0.9 line never sends', () => {
    expect(readOrdinaryRequestHead('GET / HTTP/1.1\nHost: a\n')).toBe('not-mine');
    expect(readOrdinaryRequestHead('GET /\r\n')).toBe('not-mine');
    expect(readOrdinaryRequestHead('GET / HTTP/1.1\r\nHost: a\r\n')).toBe('incomplete');
  });

  it('leaves heads beyond its limit to node:http', () => {
    const long = `GET / HTTP/1.1\r\nHost: a\r\nX: ${'a'.repeat(MAX_ORDINARY_HEAD)}`;
    expect(readOrdinaryRequestHead(long)).toBe('not-mine');
    expect(readOrdinaryRequestHead(`${long}\r\n\r\n`)).toBe('not-mine');
  });
});
