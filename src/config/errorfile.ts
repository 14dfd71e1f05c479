/**
 * `errorfile CODE PATH`: a raw HTTP response read once at load time. HAProxy
 * 2.6 only handles the status codes of its own error pages, and rejects a file
 * whose head does not parse ("unable to parse headers"), e.g. one without the
 * empty line that ends the headers.
 */
import { fail, noExtraWords, type DirectiveContext } from './directive-context.ts';
import type { ErrorFile } from './types.ts';
import { BUILTIN_PAGE_STATUSES } from '../proxy/error-pages.ts';

/** `http_err_codes` of HAProxy 2.6. */
export const ERRORFILE_STATUSES = BUILTIN_PAGE_STATUSES;

export function readErrorFile(ctx: DirectiveContext): ErrorFile | undefined {
  const [, code, path] = ctx.words;
  if (code === undefined || path === undefined) return fail(ctx, 'errorfile', 'expects <status_code> and <file> as arguments', 'e.g. errorfile 503 /etc/haproxy/errors/503.http');
  if (!noExtraWords(ctx, 'errorfile', 3)) return undefined;
  const status = /^\d{3}$/.test(code) ? Number(code) : NaN;
  if (!ERRORFILE_STATUSES.includes(status)) {
    return fail(ctx, 'errorfile', `status code '${code}' not handled`, `expected one of ${ERRORFILE_STATUSES.join(', ')}`);
  }
  if (!ctx.readFile) return fail(ctx, 'errorfile', `cannot read '${path}': no readFile function was given to the loader`);
  let content: string;
  try {
    content = ctx.readFile(path);
  } catch (error) {
    return fail(ctx, 'errorfile', `error opening file '${path}': ${error instanceof Error ? error.message : String(error)}`);
  }
  const problem = errorFileContentProblem(content);
  if (problem) return fail(ctx, 'errorfile', `'${path}': ${problem.problem}`, problem.hint);
  return { status, path, content };
}

/** Both readers' check of an error page: a full HTTP response, or HAProxy's "unable to parse headers". */
export function errorFileContentProblem(content: string): { problem: string; hint: string } | undefined {
  if (/^HTTP\/\d\.\d \d{3}(?: [^\r\n]*)?\r?\n/.test(content) && /\r?\n\r?\n/.test(content)) return undefined;
  return { problem: 'unable to parse headers', hint: 'the file must hold a full HTTP response: status line, headers, an empty line, then the body' };
}
