/**
 * `compression`'s decisions (src/proxy/compression.ts) on plain header lines,
 * for the cases the differential test (test/differential/compression.*)
 * does not reach: frontend and backend lists, `defaults`, ETag lists, old
 * user agents, q-value forms.
 */
import { describe, expect, it } from 'vitest';
import type { Backend, Frontend } from '../../src/config/types.ts';
import { chooseCompression, compressedHead, compressesResponse, type CompressionChoice } from '../../src/proxy/compression.ts';
import { DEFAULTS, parse } from '../config/helpers.ts';

function proxies(text: string): { frontend: Frontend; backend: Backend } {
  const { config } = parse(text);
  return { frontend: config.frontends[0]!, backend: config.backends[0]! };
}

function listen(...lines: string[]) {
  return proxies(`${DEFAULTS}listen app\n    bind :8080\n${lines.map((l) => `    ${l}\n`).join('')}    server s1 127.0.0.1:8081\n`);
}

function choose(p: { frontend: Frontend; backend: Backend }, acceptEncoding: string | undefined, extra: [string, string][] = [], method = 'GET', version = '1.1') {
  const headers: [string, string][] = [...(acceptEncoding === undefined ? [] : [['Accept-Encoding', acceptEncoding] as [string, string]]), ...extra];
  return chooseCompression(p.frontend, p.backend, method, version, headers);
}

const GZIP: CompressionChoice = { algorithm: 'gzip', types: [], requestAllows: true };

describe('the request side', () => {
  it('costs nothing without compression: the same header list comes back', () => {
    const p = listen();
    const headers: [string, string][] = [['Accept-Encoding', 'gzip']];
    const out = chooseCompression(p.frontend, p.backend, 'GET', '1.1', headers);
    expect(out.choice).toBeUndefined();
    expect(out.headers).toBe(headers);
  });

  it('reads q-values as haproxy does: the highest wins, ties keep the earlier, q=0 refuses, `*` takes the last algorithm named', () => {
    const p = listen('compression algo gzip deflate');
    expect(choose(p, 'gzip, deflate').choice?.algorithm).toBe('gzip');
    expect(choose(p, 'deflate, gzip').choice?.algorithm).toBe('deflate');
    expect(choose(p, 'gzip;q=0.5, deflate;q=0.6').choice?.algorithm).toBe('deflate');
    expect(choose(p, 'gzip ; foo=bar ; q=0.2, deflate;q=0.1').choice?.algorithm).toBe('gzip');
    expect(choose(p, 'gzip;q=0').choice).toBeUndefined();
    expect(choose(p, 'gzip;q=1.5, deflate;q=0.9').choice?.algorithm).toBe('gzip');
    expect(choose(p, '*').choice?.algorithm).toBe('deflate');
    expect(choose(p, 'x-gzip').choice).toBeUndefined();
    expect(choose(p, undefined).choice).toBeUndefined();
  });

  it('falls back to identity when configured and nothing else matched; raw-deflate answers `deflate`', () => {
    const p = listen('compression algo raw-deflate identity');
    expect(choose(p, 'br').choice?.algorithm).toBe('identity');
    expect(choose(p, 'deflate').choice?.algorithm).toBe('raw-deflate');
  });

  it('takes the backend’s algorithms and types over the frontend’s, and offload from either', () => {
    const p = proxies(`${DEFAULTS}frontend fe
    bind :8080
    compression algo gzip
    compression type text/html
    compression offload
    default_backend be
backend be
    compression algo deflate
    server s1 127.0.0.1:8081
`);
    const out = choose(p, 'gzip, deflate');
    expect(out.choice).toEqual({ algorithm: 'deflate', types: ['text/html'], requestAllows: true });
    expect(out.headers).toEqual([]);
  });

  it('inherits algorithms and types from defaults, never offload (a notice says it is ignored there)', () => {
    const text = `${DEFAULTS}    compression algo gzip
    compression offload
listen app
    bind :8080
    compression algo deflate
    server s1 127.0.0.1:8081
`;
    const { config, notices } = parse(text);
    expect(config.backends[0]!.compression).toEqual({ algorithms: ['deflate', 'gzip'], types: [], offload: false });
    expect(notices.some((n) => n.includes("'compression offload' is ignored in a 'defaults' section"))).toBe(true);
  });

  it('offload removes every Accept-Encoding line only when an algorithm was chosen', () => {
    const p = listen('compression algo gzip', 'compression offload');
    expect(choose(p, 'gzip', [['Accept-Encoding', 'br'], ['X-Other', '1']]).headers).toEqual([['X-Other', '1']]);
    expect(choose(p, 'br').headers).toEqual([['Accept-Encoding', 'br']]);
  });

  it('leaves old Mozilla/4 agents alone, but not MSIE 7 or MSIE 6 SV1', () => {
    const p = listen('compression algo gzip');
    const ua = (value: string) => choose(p, 'gzip', [['User-Agent', value]]).choice?.algorithm;
    expect(ua('Mozilla/4.0 (compatible; MSIE 5.5; Windows 98)')).toBeUndefined();
    expect(ua('Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.0)')).toBe('gzip');
    expect(ua('Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; SV1)')).toBe('gzip');
    expect(ua('Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)')).toBeUndefined();
    expect(ua('Mozilla/5.0 (X11; Linux x86_64)')).toBe('gzip');
  });

  it('never compresses for HEAD or an HTTP/1.0 request (HTTP/2 is fine)', () => {
    const p = listen('compression algo gzip');
    expect(choose(p, 'gzip', [], 'HEAD').choice?.requestAllows).toBe(false);
    expect(choose(p, 'gzip', [], 'GET', '1.0').choice?.requestAllows).toBe(false);
    expect(choose(p, 'gzip', [], 'GET', '2.0').choice?.requestAllows).toBe(true);
  });
});

describe('the response side', () => {
  const head = (status: number, ...headers: [string, string][]) => ({ status, headers });

  it('needs a 200–203 with a body, not encoded, not no-transform', () => {
    expect(compressesResponse(GZIP, head(200, ['content-type', 'text/plain']))).toBe(true);
    expect(compressesResponse(GZIP, head(202))).toBe(true);
    expect(compressesResponse(GZIP, head(206))).toBe(false);
    expect(compressesResponse(GZIP, head(200, ['content-length', '0']))).toBe(false);
    expect(compressesResponse(GZIP, head(200, ['content-encoding', 'br']))).toBe(false);
    expect(compressesResponse(GZIP, head(200, ['cache-control', 'max-age=60, No-Transform']))).toBe(false);
  });

  it('refuses a malformed ETag or two ETag lines', () => {
    expect(compressesResponse(GZIP, head(200, ['etag', '"a"']))).toBe(true);
    expect(compressesResponse(GZIP, head(200, ['etag', 'W/"a"']))).toBe(true);
    expect(compressesResponse(GZIP, head(200, ['etag', 'a']))).toBe(false);
    expect(compressesResponse(GZIP, head(200, ['etag', '"a"'], ['etag', '"b"']))).toBe(false);
  });

  it('matches content types by case-insensitive prefix; never multipart; a type list needs a Content-Type', () => {
    const typed: CompressionChoice = { ...GZIP, types: ['text/html', 'application/json'] };
    expect(compressesResponse(typed, head(200, ['content-type', 'Application/JSON; charset=utf-8']))).toBe(true);
    expect(compressesResponse(typed, head(200, ['content-type', 'text/plain']))).toBe(false);
    expect(compressesResponse(typed, head(200))).toBe(false);
    expect(compressesResponse(GZIP, head(200, ['content-type', 'multipart/form-data; boundary=x']))).toBe(false);
  });

  it('edits the head: no Content-Length, the first strong ETag made weak, Content-Encoding and Vary appended', () => {
    const edited = compressedHead(head(200, ['content-length', '10'], ['etag', '"a"'], ['vary', 'Origin']), 'raw-deflate');
    expect(edited.headers).toEqual([
      ['etag', 'W/"a"'],
      ['vary', 'Origin'],
      ['content-encoding', 'deflate'],
      ['vary', 'Accept-Encoding'],
    ]);
    expect(compressedHead(head(200, ['content-length', '10']), 'identity').headers).toEqual([['vary', 'Accept-Encoding']]);
  });
});
