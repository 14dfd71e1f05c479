/**
 * What the raw front (./raw-connection.ts) does with the bytes read of a
 * connection's next request: serves an ordinary head
 * (src/http1/request-head.ts); answers a malformed one
 * (src/http1/malformed-head.ts) with HAProxy's 400 or 405 page as the Node
 * adapter writes it, then closes (Deno.serve would answer a bare 400 or 431,
 * or pass on what haproxy refuses); hands anything else to the full server.
 */
import { malformedRequestHead } from '../../src/http1/malformed-head.ts';
import { readOrdinaryRequestHead, type OrdinaryRequestHead } from '../../src/http1/request-head.ts';
import { pageText } from '../../src/http1/response-head.ts';
import { builtinErrorResponse } from '../../src/proxy/error-pages.ts';
import { latin1Bytes } from './latin1.ts';

const pages = new Map<number, Uint8Array>();

/** HAProxy's built-in page for `status`, as the bytes of a whole response. */
export function errorPageBytes(status: number): Uint8Array {
  let page = pages.get(status);
  if (!page) pages.set(status, (page = latin1Bytes(pageText(builtinErrorResponse(status)))));
  return page;
}

/**
 * The head at the start of `pending`: ordinary, a page to close with,
 * 'hand over', or 'wait' for more bytes. `ascii` false: a byte above 127
 * came (src/proxy/http1-client.ts writes heads as UTF-8: none is ordinary).
 * `ended`: the client sent its FIN; the full server answers a truncated head.
 */
export function readNextRequest(pending: string, ascii: boolean, ended: boolean): OrdinaryRequestHead | Uint8Array | 'hand over' | 'wait' {
  const head = ascii ? readOrdinaryRequestHead(pending) : 'not-mine';
  if (typeof head === 'object') return head;
  const verdict = head === 'incomplete' ? head : malformedRequestHead(pending);
  if (verdict === 'incomplete') return ended ? 'hand over' : 'wait';
  return verdict === 'well-formed' ? 'hand over' : errorPageBytes(verdict);
}
