/**
 * Writing a response head, or one of HAProxy's pages, to a Node
 * ServerResponse: shared by the fast path and the upgrade path.
 */
import type { ServerResponse } from 'node:http';
import type { ResponseHead } from '../../src/deps.ts';
import type { ErrorResponse } from '../../src/proxy/error-pages.ts';

/** The status line as a rule left it (`set-status N reason R`), then the header lines in order. */
export function writeResponseHead(response: ServerResponse, head: ResponseHead): void {
  if (head.reason === undefined) response.writeHead(head.status, flat(head.headers));
  else response.writeHead(head.status, head.reason, flat(head.headers));
}

/**
 * One of HAProxy's pages, with its status line (`400 Bad request`: the page's
 * title, not Node's reason phrase). Returns whether the connection closes
 * after it (its `connection: close` line makes Node close it).
 */
export function sendPage(page: ErrorResponse, response: ServerResponse): boolean {
  const reason = page.reason ?? /<h1>\d{3} ([^<]*)<\/h1>/.exec(page.body)?.[1];
  writeResponseHead(response, reason === undefined ? page : { status: page.status, reason, headers: page.headers });
  response.end(page.body);
  return closes(page);
}

/** True when the head asks for the connection to close after it. */
export function closes(head: ResponseHead): boolean {
  return head.headers.some(([name, value]) => name.toLowerCase() === 'connection' && /(^|,)\s*close\s*(,|$)/i.test(value));
}

function flat(lines: readonly (readonly [string, string])[]): string[] {
  const out: string[] = new Array(lines.length * 2);
  for (let i = 0; i < lines.length; i++) {
    out[2 * i] = lines[i]![0];
    out[2 * i + 1] = lines[i]![1];
  }
  return out;
}
