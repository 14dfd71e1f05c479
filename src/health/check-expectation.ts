/**
 * What an HTTP check's response means, as HAProxy 2.6's
 * `tcpcheck_eval_expect_http()` decides it (tcpcheck.c):
 *
 *  - `http-check disable-on-404`: a 404 from a server that is not DOWN
 *    "conditionally passes" (L7OKC) before any expectation is looked at; the
 *    server then stops taking new clients (NOLB). A DOWN server's 404 is
 *    judged like any other answer, so it cannot come back through a 404.
 *  - Otherwise every `http-check expect` line must pass, in order (HAProxy's
 *    implicit one is `status 200-399`). A status or header mismatch is L7STS;
 *    a body mismatch is L7RSP with HAProxy's wording; `!` inverts the match
 *    but not "no body at all", which fails either way.
 */
import type { HeaderMatch, HttpCheck, HttpCheckExpect } from '../config/types.ts';
import { headerValues, trimLws } from '../rules/http-message.ts';
import type { CheckResult } from './types.ts';

export interface CheckResponse {
  readonly status: number;
  readonly headers: readonly (readonly [string, string])[];
  /** The first bytes of the body (HAProxy looks at one buffer's worth), decoded; '' when none. */
  readonly body: string;
}

export type CheckVerdict = Pick<CheckResult, 'ok' | 'status' | 'code' | 'info'>;

/** HAProxy's implicit expectation when a backend has none. */
const DEFAULT_EXPECT: readonly HttpCheckExpect[] = [{ kind: 'status', ranges: [[200, 399]], inverse: false }];

/** How many body bytes HAProxy's check buffer holds (`tune.bufsize` 16384): a `string` beyond them is not seen. */
export const CHECK_BODY_LIMIT = 16_384;

/** Whether judging needs the body (only `string`/`rstring` look at it). */
export function checkReadsBody(check: HttpCheck): boolean {
  return (check.expect ?? []).some((e) => e.kind === 'string' || e.kind === 'rstring');
}

/** `serverRunning`: the server is UP or NOLB (HAProxy's `next_state != SRV_ST_STOPPED`). */
export function judgeCheckResponse(check: HttpCheck, response: CheckResponse, serverRunning: boolean): CheckVerdict {
  const code = response.status;
  if (check.disableOn404 && serverRunning && code === 404) return { ok: true, status: 'L7OKC', code };
  for (const expect of check.expect ?? DEFAULT_EXPECT) {
    if (expect.kind === 'string' || expect.kind === 'rstring') {
      if (response.body === '') return { ok: false, status: 'L7RSP', code, info: 'HTTP content check could not find a response body' };
      const found = expect.kind === 'string' ? response.body.includes(expect.text) : expect.regex.test(response.body);
      if (found === expect.inverse) {
        return { ok: false, status: 'L7RSP', code, info: expect.inverse ? 'HTTP check matched unwanted content' : 'HTTP content check did not match' };
      }
      continue;
    }
    if (matches(expect, response) === expect.inverse) return { ok: false, status: 'L7STS', code };
  }
  return { ok: true, status: 'L7OK', code };
}

function matches(expect: HttpCheckExpect, response: CheckResponse): boolean {
  switch (expect.kind) {
    case 'status':
      return expect.ranges.some(([low, high]) => response.status >= low && response.status <= high);
    case 'rstatus':
      // The regex searches the status code as it appeared on the status line.
      return expect.regex.test(String(response.status));
    case 'header': {
      // Without a value pattern only the name matters, and a line counts whole.
      const full = expect.fullLine || !expect.value;
      for (const [name, line] of response.headers) {
        if (!matchesName(expect.name, name)) continue;
        if (!expect.value) return true;
        const values = full ? [trimLws(line)] : headerValues([[name, line]], name, false);
        if (values.some((value) => matchesValue(expect.value!, value))) return true;
      }
      return false;
    }
    default:
      return false;
  }
}

/** Header names compare without case (HAProxy `isteqi`); a name regex sees the lower-case name HAProxy stores. */
function matchesName(match: HeaderMatch, name: string): boolean {
  const lower = name.toLowerCase();
  if (match.method === 'reg') return match.regex.test(lower);
  const text = match.text.toLowerCase();
  return compare(match.method, lower, text);
}

/** Values compare with case, as HAProxy's `isteq`/`istist`. */
function matchesValue(match: HeaderMatch, value: string): boolean {
  return match.method === 'reg' ? match.regex.test(value) : compare(match.method, value, match.text);
}

function compare(method: 'str' | 'beg' | 'end' | 'sub', text: string, pattern: string): boolean {
  switch (method) {
    case 'str':
      return text === pattern;
    case 'beg':
      return text.startsWith(pattern);
    case 'end':
      return text.endsWith(pattern);
    case 'sub':
      return text.includes(pattern);
  }
}
