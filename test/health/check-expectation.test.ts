/**
 * What an HTTP check's answer means (`http-check expect …`,
 * `disable-on-404`), judged as HAProxy 2.6's tcpcheck.c does; the same
 * cases run against the real haproxy in
 * test/differential/http-check.differential.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { parseHaproxyConfig } from '../../src/config/index.ts';
import type { HttpCheck } from '../../src/config/types.ts';
import { judgeCheckResponse, type CheckResponse } from '../../src/health/check-expectation.ts';

/** The HttpCheck a backend with these `http-check` lines gets. */
function checkOf(...lines: string[]): HttpCheck {
  const text = ['defaults', '    mode http', 'backend b', '    option httpchk GET /health', ...lines.map((l) => `    ${l}`), '    server s 127.0.0.1:1 check', ''].join('\n');
  return parseHaproxyConfig([{ file: 'h.cfg', text }], { env: {} }).config.backends[0]!.httpCheck!;
}

const answer = (status: number, body = '', headers: [string, string][] = []): CheckResponse => ({ status, body, headers });
const verdict = (check: HttpCheck, response: CheckResponse, running = true) => {
  const { ok, status } = judgeCheckResponse(check, response, running);
  return `${ok ? 'pass' : 'fail'} ${status}`;
};

describe('http-check expect', () => {
  it('without an expectation, 2xx and 3xx pass (HAProxy: status 200-399)', () => {
    const check = checkOf();
    expect([200, 302, 399, 404, 500].map((s) => verdict(check, answer(s)))).toEqual(['pass L7OK', 'pass L7OK', 'pass L7OK', 'fail L7STS', 'fail L7STS']);
  });

  it('status takes lists and ranges; ! inverts', () => {
    const list = checkOf('http-check expect status 200,302-304');
    expect([200, 201, 303, 305].map((s) => verdict(list, answer(s)))).toEqual(['pass L7OK', 'fail L7STS', 'pass L7OK', 'fail L7STS']);
    const not = checkOf('http-check expect ! status 500-599');
    expect([200, 404, 503].map((s) => verdict(not, answer(s)))).toEqual(['pass L7OK', 'pass L7OK', 'fail L7STS']);
  });

  it('rstatus searches the status code', () => {
    const check = checkOf('http-check expect rstatus ^2');
    expect([204, 302, 520].map((s) => verdict(check, answer(s)))).toEqual(['pass L7OK', 'fail L7STS', 'fail L7STS']);
    expect(verdict(checkOf('http-check expect rstatus 0'), answer(404))).toBe('pass L7OK');
  });

  it('string and rstring look in the body, whatever the status; a mismatch is L7RSP with HAProxy\'s words', () => {
    const check = checkOf('http-check expect string ready');
    expect(verdict(check, answer(500, 'all ready now'))).toBe('pass L7OK');
    expect(judgeCheckResponse(check, answer(200, 'starting'), true)).toEqual({ ok: false, status: 'L7RSP', code: 200, info: 'HTTP content check did not match' });
    expect(judgeCheckResponse(check, answer(200, ''), true)).toMatchObject({ ok: false, status: 'L7RSP', info: 'HTTP content check could not find a response body' });
    const unwanted = checkOf('http-check expect !rstring ^ERR');
    expect(verdict(unwanted, answer(200, 'OK'))).toBe('pass L7OK');
    expect(judgeCheckResponse(unwanted, answer(200, 'ERROR'), true)).toMatchObject({ ok: false, status: 'L7RSP', info: 'HTTP check matched unwanted content' });
    // No body fails even under `!`.
    expect(verdict(unwanted, answer(200, ''))).toBe('fail L7RSP');
  });

  it('several lines must all pass, in order', () => {
    const check = checkOf('http-check expect status 200', 'http-check expect string ok');
    expect(verdict(check, answer(200, 'ok'))).toBe('pass L7OK');
    expect(verdict(check, answer(201, 'ok'))).toBe('fail L7STS');
    expect(verdict(check, answer(200, 'no'))).toBe('fail L7RSP');
  });

  it('hdr matches names without case and values split at commas; fhdr takes the whole line', () => {
    const headers: [string, string][] = [['X-Ready', 'no, yes'], ['Content-Type', 'text/plain']];
    expect(verdict(checkOf('http-check expect hdr name x-ready'), answer(200, '', headers))).toBe('pass L7OK');
    expect(verdict(checkOf('http-check expect hdr name x-ready value yes'), answer(200, '', headers))).toBe('pass L7OK');
    expect(verdict(checkOf('http-check expect fhdr name x-ready value yes'), answer(200, '', headers))).toBe('fail L7STS');
    expect(verdict(checkOf('http-check expect fhdr name -m beg x-rea value -m end yes'), answer(200, '', headers))).toBe('pass L7OK');
    expect(verdict(checkOf('http-check expect hdr name -m reg ^content- value -m beg Text'), answer(200, '', headers))).toBe('fail L7STS');
    expect(verdict(checkOf('http-check expect !hdr name x-error'), answer(200, '', headers))).toBe('pass L7OK');
  });
});

describe('http-check disable-on-404', () => {
  it("a running server's 404 passes conditionally (L7OKC) before any expectation", () => {
    const check = checkOf('http-check disable-on-404', 'http-check expect status 200');
    expect(judgeCheckResponse(check, answer(404), true)).toEqual({ ok: true, status: 'L7OKC', code: 404 });
    expect(verdict(check, answer(500))).toBe('fail L7STS');
  });

  it("a DOWN server's 404 is judged as any answer, so it stays DOWN", () => {
    expect(verdict(checkOf('http-check disable-on-404'), answer(404), false)).toBe('fail L7STS');
  });

  it('without it, 404 fails', () => {
    expect(verdict(checkOf(), answer(404))).toBe('fail L7STS');
  });
});
