/**
 * Deno.serve already answers `Connection: close` to a client that asked for
 * it, and adds that line even when the response carries one (the app's
 * `option httpclose`, its error pages), so the client would read the header
 * twice. Where Deno adds it, the app's own line is dropped.
 */
export function withoutDuplicateClose(request: Request, response: Response): Response {
  const clientCloses = /(?:^|,)\s*close\s*(?:,|$)/i.test(request.headers.get('connection') ?? '');
  if (!clientCloses || response.headers.get('connection')?.toLowerCase() !== 'close') return response;
  // Responses from fetch have immutable headers: rebuild it around the same body.
  const headers = new Headers(response.headers);
  headers.delete('connection');
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
