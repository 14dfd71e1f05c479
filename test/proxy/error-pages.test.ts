import { describe, expect, it } from 'vitest';
import { builtinErrorResponse, createErrorResponder, parseErrorFile, statusForFailure } from '../../src/proxy/error-pages.ts';

describe('error pages', () => {
  it("are HAProxy's exact pages and headers", () => {
    const page = builtinErrorResponse(503);
    expect(page.body).toBe('<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n');
    expect(Object.fromEntries(page.headers)).toEqual({
      'content-length': String(page.body.length),
      'cache-control': 'no-cache',
      connection: 'close',
      'content-type': 'text/html',
    });
    expect(builtinErrorResponse(504).body).toContain("<h1>504 Gateway Time-out</h1>\nThe server didn't respond in time.\n");
    expect(builtinErrorResponse(502).body).toContain('<h1>502 Bad Gateway</h1>\nThe server returned an invalid or incomplete response.\n');
  });

  it('map each upstream failure to one status', () => {
    expect(statusForFailure('refused')).toBe(503);
    expect(statusForFailure('connect-timeout')).toBe(503);
    expect(statusForFailure('timeout')).toBe(504);
    expect(statusForFailure('reset')).toBe(502);
    expect(statusForFailure('bad-response')).toBe(502);
  });

  it('are replaced by errorfile contents', () => {
    const content = 'HTTP/1.0 503 Service Unavailable\r\nCache-Control: no-cache\r\nContent-Type: text/html\r\n\r\n<h1>Back soon</h1>\n';
    expect(parseErrorFile(content)).toEqual({
      status: 503,
      headers: [['Cache-Control', 'no-cache'], ['Content-Type', 'text/html']],
      body: '<h1>Back soon</h1>\n',
    });
    const respond = createErrorResponder([{ status: 503, path: '/x', content }]);
    expect(respond(503).body).toBe('<h1>Back soon</h1>\n');
    expect(respond(502).status).toBe(502);
    expect(parseErrorFile('not http')).toBeUndefined();
  });
});
