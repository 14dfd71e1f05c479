/**
 * src/http1/response-parser.ts: the incremental response parser the Node raw
 * upstream feeds with socket chunks. Framing as undici applies it, bad
 * framing as UpstreamError('bad-response'), and any split of the bytes into
 * chunks parses the same as the whole.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../src/deps.ts';
import { ResponseParser, type ResponseEvents } from '../../src/http1/response-parser.ts';

interface Parsed {
  status?: number;
  headers?: [string, string][];
  keepAlive?: boolean;
  body: string;
  ended: boolean;
  trailers?: [string, string][];
  extraBytes: boolean;
}

/** Parses `chunks` as the response to `method`; `closeAtEnd` tells the parser the server closed after them. */
function parse(chunks: (string | Uint8Array)[], method = 'GET', closeAtEnd = false): Parsed {
  const parsed: Parsed = { body: '', ended: false, extraBytes: false };
  const events: ResponseEvents = {
    onResponseHead(status, headers, keepAlive) {
      Object.assign(parsed, { status, headers, keepAlive });
    },
    onResponseBody(chunk) {
      parsed.body += Buffer.from(chunk).toString('latin1');
    },
    onResponseEnd(trailers) {
      parsed.ended = true;
      if (trailers) parsed.trailers = trailers;
    },
  };
  const parser = new ResponseParser();
  parser.start(method, events);
  for (const chunk of chunks) parser.feed(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
  if (closeAtEnd) parser.close();
  parsed.extraBytes = parser.extraBytes;
  return parsed;
}

function failure(chunks: string[], method = 'GET'): string | undefined {
  try {
    parse(chunks, method);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(UpstreamError);
    return (error as UpstreamError).failure;
  }
}

describe('the response parser', () => {
  it('reads the head in the server order with names lower-cased and values as latin1, and a Content-Length body', () => {
    const parsed = parse(['HTTP/1.1 200 OK\r\nContent-Length: 5\r\nSet-Cookie: a=1\r\nX-Name: caf\xe9 \r\nset-cookie: b=2\r\n\r\nhello']);
    expect(parsed).toMatchObject({ status: 200, keepAlive: true, body: 'hello', ended: true, extraBytes: false });
    expect(parsed.headers).toEqual([
      ['content-length', '5'],
      ['set-cookie', 'a=1'],
      ['x-name', 'caf\xe9'],
      ['set-cookie', 'b=2'],
    ]);
  });

  it('removes the chunked framing and hands over the trailer fields', () => {
    const parsed = parse(['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 1\r\nX-Other: 2\r\n\r\n']);
    expect(parsed).toMatchObject({ body: 'hello world', ended: true, keepAlive: true });
    expect(parsed.trailers).toEqual([
      ['x-sum', '1'],
      ['x-other', '2'],
    ]);
  });

  it('reads until the close when nothing frames the body, and keeps no such connection', () => {
    const open = parse(['HTTP/1.1 200 OK\r\n\r\nuntil ', 'the end']);
    expect(open).toMatchObject({ body: 'until the end', ended: false, keepAlive: false });
    expect(parse(['HTTP/1.0 200 OK\r\n\r\nuntil the end'], 'GET', true)).toMatchObject({ body: 'until the end', ended: true });
    // A transfer coding other than chunked last: until the close as well.
    expect(parse(['HTTP/1.1 200 OK\r\ntransfer-encoding: gzip\r\n\r\nzz'], 'GET', true)).toMatchObject({ body: 'zz', ended: true, keepAlive: false });
  });

  it('has no body for HEAD, 204 and 304, and skips 1xx heads', () => {
    expect(parse(['HTTP/1.1 200 OK\r\ncontent-length: 99\r\n\r\n'], 'HEAD')).toMatchObject({ status: 200, body: '', ended: true });
    expect(parse(['HTTP/1.1 204 No Content\r\n\r\n'])).toMatchObject({ status: 204, ended: true });
    expect(parse(['HTTP/1.1 304 Not Modified\r\ncontent-length: 10\r\n\r\n'])).toMatchObject({ status: 304, ended: true });
    const continued = parse(['HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\nHTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\nok']);
    expect(continued).toMatchObject({ status: 201, headers: [['content-length', '2']], body: 'ok', ended: true });
  });

  it('says when the server will close: HTTP/1.0, or Connection: close', () => {
    expect(parse(['HTTP/1.0 200 OK\r\ncontent-length: 0\r\n\r\n']).keepAlive).toBe(false);
    expect(parse(['HTTP/1.1 200 OK\r\nConnection: Keep-Alive, Close\r\ncontent-length: 0\r\n\r\n']).keepAlive).toBe(false);
    expect(parse(['HTTP/1.1 200 OK\r\nconnection: keep-alive\r\ncontent-length: 0\r\n\r\n']).keepAlive).toBe(true);
  });

  it('notices bytes after the end of the response (the connection cannot carry another)', () => {
    expect(parse(['HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nokEXTRA']).extraBytes).toBe(true);
    expect(parse(['HTTP/1.1 204 No Content\r\n\r\n', 'X']).extraBytes).toBe(true);
    expect(parse(['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\nX']).extraBytes).toBe(true);
  });

  it('refuses what undici refuses, as a bad response (haproxy 502)', () => {
    expect(failure(['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n'])).toBe('bad-response');
    expect(failure(['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nokX\r\n'])).toBe('bad-response');
    expect(failure(['HTTP/1.1 200 OK\r\ncontent-length: 1x\r\n\r\n'])).toBe('bad-response');
    expect(failure(['HTTP/1.1 200 OK\r\ncontent-length: 1\r\ncontent-length: 1\r\n\r\nx'])).toBe('bad-response');
    expect(failure(['HTTP/1.1 200 OK\r\ncontent-length: 1\r\ntransfer-encoding: chunked\r\n\r\n'])).toBe('bad-response');
    expect(failure(['HTTP/2 200 OK\r\n\r\n'])).toBe('bad-response');
    expect(failure(['HTTP/1.1 2000 OK\r\n\r\n'])).toBe('bad-response');
    expect(failure(['HTTP/1.1 200 OK\r\nno colon\r\n\r\n'])).toBe('bad-response');
    expect(failure(['HTTP/1.1 200 OK\r\nname : v\r\n\r\n'])).toBe('bad-response');
    expect(failure([`HTTP/1.1 200 OK\r\nx: ${'a'.repeat(20_000)}`])).toBe('bad-response');
    // Whole in one chunk too, not only while the parser waits for its end.
    expect(failure([`HTTP/1.1 200 OK\r\nx: ${'a'.repeat(20_000)}\r\n\r\n`])).toBe('bad-response');
    expect(failure([`HTTP/1.1 200 OK\r\nx: ${'a'.repeat(16_000)}\r\ncontent-length: 0\r\n\r\n`])).toBeUndefined();
    expect(failure(['HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'])).toBeUndefined();
  });

  it('parses any split of a response as it parses the whole', () => {
    const responses = [
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 11\r\nX-A: 1\r\n\r\nhello world',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1;a=b\r\n \r\n5\r\nworld\r\n0\r\nX-T: done\r\n\r\n',
      'HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n',
    ];
    fc.assert(
      fc.property(fc.constantFrom(...responses), fc.array(fc.nat(), { maxLength: 8 }), (response, cuts) => {
        const bytes = Buffer.from(response, 'latin1');
        const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const chunks: Uint8Array[] = [];
        let last = 0;
        for (const cut of [...at, bytes.length]) {
          chunks.push(Uint8Array.from(bytes.subarray(last, cut)));
          last = cut;
        }
        expect(parse(chunks)).toEqual(parse([bytes]));
      }),
      { numRuns: 300 },
    );
  });
});
