/**
 * The verdict on a request head the raw fronts do not serve themselves: the
 * Node adapter's answer (llhttp's refusals as node:http runs them, HTTP/0.9,
 * CONNECT, the admission step's head refusals), decided on the bytes. Node's
 * own parser is the oracle for generated heads: the verdict must refuse what
 * it refuses (a method it does not know aside: haproxy forwards those) and
 * nothing it accepts, and must never refuse an ordinary head, whole or cut.
 */
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzRequest } from '../../reliability/hostile-input.ts';
import { HOSTILE_CASES } from '../../reliability/hostile-cases.ts';
import { whyRequestHeadIsRefused } from '../../src/admission/refused-request-head.ts';
import { malformedRequestHead, MAX_PARTIAL_HEAD, NODE_MAX_HEADER_BYTES, type HeadVerdict } from '../../src/http1/malformed-head.ts';
import { readOrdinaryRequestHead } from '../../src/http1/request-head.ts';

const head = (lines: string) => lines.replaceAll('\n', '\r\n');

interface ParserCallbacks {
  [key: number]: unknown;
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  execute(bytes: Buffer): unknown;
}
/** node:http's parser binding (the one its server runs), for its verdicts on raw bytes. */
const { HTTPParser } = createRequire(import.meta.url)('_http_common') as {
  HTTPParser: (new () => ParserCallbacks) & Record<'REQUEST' | 'kOnHeaders' | 'kOnHeadersComplete' | 'kOnBody' | 'kOnMessageComplete' | 'kOnExecute', number>;
};

/** What the Node adapter answers to the head at the start of `text`; 'unknown method': llhttp refuses a token it does not know. */
function nodeVerdict(text: string): HeadVerdict | 'unknown method' {
  const parser = new HTTPParser();
  let url = '';
  const lines: string[] = [];
  let complete: { major: number; minor: number; method: number; url: string; headers: string[] } | undefined;
  parser[HTTPParser.kOnHeaders] = (headers: string[], more: string) => {
    lines.push(...headers);
    url += more;
  };
  parser[HTTPParser.kOnHeadersComplete] = (major: number, minor: number, headers: string[] | undefined, method: number, target: string | undefined) => {
    complete = { major, minor, method, url: target ?? url, headers: headers ?? lines };
    return 0;
  };
  for (const key of ['kOnBody', 'kOnMessageComplete', 'kOnExecute'] as const) parser[HTTPParser[key]] = () => {};
  parser.initialize(HTTPParser.REQUEST, {}, 0, 0);
  const result = parser.execute(Buffer.from(text, 'latin1'));
  const code = result instanceof Error ? (result as { code?: string }).code : undefined;
  if (!complete) {
    if (!code) return 'incomplete';
    if (code === 'HPE_PAUSED_H2_UPGRADE') return 'well-formed';
    if (code === 'HPE_INVALID_METHOD' && /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+ /.test(text.replace(/^[\r\n]+/, ''))) return 'unknown method';
    return 400;
  }
  // The framing checks run once the head is whole; the body's errors (and the next request's) are not the head's.
  if (code && /CONTENT_LENGTH|TRANSFER_ENCODING/.test(code)) return 400;
  const { major, minor, method, headers } = complete;
  if (major === 0) return 400;
  if (method === 5 /* CONNECT */) return 405;
  const pairs: [string, string][] = [];
  for (let i = 0; i < headers.length; i += 2) pairs.push([headers[i]!, headers[i + 1]!]);
  return whyRequestHeadIsRefused({ httpVersion: `${major}.${minor}`, target: complete.url, headers: pairs }) ? 400 : 'well-formed';
}

describe('malformedRequestHead', () => {
  it.each([
    ['garbage', 'GARBAGE\r\n\r\n', 400],
    ['HTTP/0.9', 'GET /\r\n\r\n', 400],
    ['HTTP/1.2', head('GET / HTTP/1.2\nHost: a\n\n'), 400],
    ['a bare LF', 'GET / HTTP/1.1\nHost: a\n\n', 400],
    ['a bare LF in a value', head('GET / HTTP/1.1\nHost: a\nCookie: a') + '\nX: b\r\n\r\n', 400],
    ['a bare CR in a value', head('GET / HTTP/1.1\nHost: a\nCookie: a\rX: b\n\n'), 400],
    ['NUL in a value', head('GET / HTTP/1.1\nHost: a\nX: a\u0000b\n\n'), 400],
    ['DEL in a value', head('GET / HTTP/1.1\nHost: a\nX: a\u007fb\n\n'), 400],
    ['a space in a name', head('GET / HTTP/1.1\nHost: a\nX A: b\n\n'), 400],
    ['a space before the colon', head('POST / HTTP/1.1\nHost: a\nTransfer-Encoding : chunked\n\n'), 400],
    ['no colon', head('GET / HTTP/1.1\nHost: a\nX-A b\n\n'), 400],
    ['no name', head('GET / HTTP/1.1\nHost: a\n: b\n\n'), 400],
    ['obs-fold', head('GET / HTTP/1.1\nHost: a\nX: a\n b\n\n'), 400],
    ['Content-Length: 4x', head('POST / HTTP/1.1\nHost: a\nContent-Length: 4x\n\n'), 400],
    ['two equal Content-Lengths', head('POST / HTTP/1.1\nHost: a\nContent-Length: 4\nContent-Length: 4\n\n'), 400],
    ['Content-Length: 4, 4', head('POST / HTTP/1.1\nHost: a\nContent-Length: 4, 4\n\n'), 400],
    ['a Content-Length over 2^64', head('POST / HTTP/1.1\nHost: a\nContent-Length: 99999999999999999999\n\n'), 400],
    ['Content-Length with Transfer-Encoding', head('POST / HTTP/1.1\nHost: a\nTransfer-Encoding: chunked\nContent-Length: 4\n\n'), 400],
    ['Transfer-Encoding: gzip', head('POST / HTTP/1.1\nHost: a\nTransfer-Encoding: gzip\n\n'), 400],
    ['Transfer-Encoding: chunked, gzip', head('POST / HTTP/1.1\nHost: a\nTransfer-Encoding: chunked, gzip\n\n'), 400],
    ['no Host in HTTP/1.1', head('GET / HTTP/1.1\nX: a\n\n'), 400],
    ['two Host lines', head('GET / HTTP/1.1\nHost: a\nHost: a\n\n'), 400],
    ['an asterisk-form target', head('OPTIONS * HTTP/1.1\nHost: a\n\n'), 400],
    ['102 header lines', head(`GET / HTTP/1.1\nHost: a\n${'X: v\n'.repeat(101)}\n`), 400],
    ['a target of 70 000 bytes', head(`GET /${'a'.repeat(70_000)} HTTP/1.1\nHost: a\n\n`), 400],
    ['CONNECT', head('CONNECT a:443 HTTP/1.1\nHost: a:443\n\n'), 405],
    ['a body', head('POST / HTTP/1.1\nHost: a\nContent-Length: 5\n\n'), 'well-formed'],
    ['chunked', head('POST / HTTP/1.1\nHost: a\nTransfer-Encoding: gzip, chunked\n\n'), 'well-formed'],
    ['HTTP/1.0 without Host', head('GET / HTTP/1.0\n\n'), 'well-formed'],
    ['an absolute form', head('GET http://a/x HTTP/1.1\nHost: a\n\n'), 'well-formed'],
    ['an unknown method', head('BREW / HTTP/1.1\nHost: a\n\n'), 'well-formed'],
    ['an upgrade', head('GET / HTTP/1.1\nHost: a\nConnection: upgrade\nUpgrade: websocket\n\n'), 'well-formed'],
    ['obs-text in a value', head('GET / HTTP/1.1\nHost: a\nX: caf\u00e9\n\n'), 'well-formed'],
    ['the HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'well-formed'],
    ['HTTP/2.0 in HTTP/1 syntax', head('GET / HTTP/2.0\nHost: a\n\n'), 'well-formed'],
    ['HTTP/2.0 in HTTP/1 syntax, an asterisk-form target', head('OPTIONS * HTTP/2.0\nHost: a\n\n'), 400],
    ['another PRI request', head('PRI * HTTP/1.1\nHost: a\n\n'), 400],
    ['an absolute form without //', head('GET http:a HTTP/1.1\nHost: a\n\n'), 400],
    ['a fragment in an authority', head('GET http://a#b HTTP/1.1\nHost: a\n\n'), 400],
    ['empty lines before it', head('\n\nGET / HTTP/1.1\nHost: a\n\n'), 'well-formed'],
    ['a head not whole yet', 'GET / HTTP/1.1\r\nHost: a\r\n', 'incomplete'],
  ] as const)('%s: %s', (_name, text, verdict) => {
    expect(malformedRequestHead(text)).toBe(verdict);
    expect(nodeVerdict(text)).toBe(verdict === 'well-formed' && _name === 'an unknown method' ? 'unknown method' : verdict);
  });

  it("refuses a head once its target, names and values reach node:http's limit, whole or not", () => {
    const line = (valueBytes: number) => `GET / HTTP/1.1\r\nX: ${'a'.repeat(valueBytes)}`;
    // `/` and `X` count too.
    expect(malformedRequestHead(line(NODE_MAX_HEADER_BYTES - 3))).toBe('incomplete');
    expect(malformedRequestHead(line(NODE_MAX_HEADER_BYTES - 2))).toBe(400);
    expect(nodeVerdict(line(NODE_MAX_HEADER_BYTES - 3))).toBe('incomplete');
    expect(nodeVerdict(line(NODE_MAX_HEADER_BYTES - 2))).toBe(400);
  });

  it('refuses a head still not whole past the limit plus room for line ends and white space (a client padding its head with spaces)', () => {
    const padded = (bytes: number) => `GET / HTTP/1.1\r\nHost: a\r\nX:${' '.repeat(bytes)}`;
    expect(malformedRequestHead(padded(MAX_PARTIAL_HEAD - 30))).toBe('incomplete');
    expect(malformedRequestHead(padded(MAX_PARTIAL_HEAD))).toBe(400);
  });

  it('refuses a bad line as soon as it is read, before the head is whole', () => {
    expect(malformedRequestHead('GET / HTTP/1.1\nHost')).toBe(400);
    expect(malformedRequestHead('GET / HTTP/1.1\r\nX A')).toBe(400);
    expect(malformedRequestHead('GET /\r\n')).toBe(400);
  });

  it('reads from an offset: the next pipelined head', () => {
    const first = head('GET / HTTP/1.1\nHost: a\n\n');
    expect(malformedRequestHead(first + 'GARBAGE\r\n\r\n', first.length)).toBe(400);
  });

  it('never refuses an ordinary head, nor any part of one', () => {
    const token = fc.string({ unit: fc.constantFrom(...'abcXYZ019-_.!#$%&*+^`|~'.split('')), minLength: 1, maxLength: 10 });
    const ordinaryHead = fc
      .record({
        method: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'),
        path: fc.string({ unit: fc.constantFrom(...'abc019-._~!$&\'()*+,;=:@/?%[]#'.split('')), maxLength: 30 }),
        headers: fc.array(fc.tuple(token, fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 20 })), { maxLength: 6 }),
      })
      .map(({ method, path, headers }) => `${method} /${path} HTTP/1.1\r\nHost: a\r\n${headers.map(([n, v]) => `${n}: ${v.trim()}\r\n`).join('')}\r\n`)
      .filter((text) => typeof readOrdinaryRequestHead(text) === 'object');
    fc.assert(
      fc.property(ordinaryHead, fc.nat(), (text, cut) => {
        expect(malformedRequestHead(text)).toBe('well-formed');
        expect(malformedRequestHead(text.slice(0, cut % text.length))).toBe('incomplete');
      }),
      { numRuns: 500 },
    );
  });

  it("agrees with node:http's parser on generated requests (a method it does not know aside)", () => {
    const samples = fc.sample(fuzzRequest, { numRuns: 5_000, seed: 7 }).concat(HOSTILE_CASES.map((c) => c.bytes));
    const disagreements: string[] = [];
    let refused = 0;
    for (const text of samples) {
      const ours = malformedRequestHead(text);
      const node = nodeVerdict(text);
      if (typeof ours === 'number') refused++;
      // Refused by both with the same status, or by neither.
      const agree = node === 'unknown method' ? ours !== 405 : typeof ours === 'number' || typeof node === 'number' ? ours === node : true;
      if (!agree) disagreements.push(`${JSON.stringify(text.slice(0, 120))}: ours ${ours}, node ${node}`);
    }
    expect(disagreements.slice(0, 10)).toEqual([]);
    expect(refused).toBeGreaterThan(samples.length / 10);
  });
});
