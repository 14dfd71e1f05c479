/**
 * What the raw front (./raw-connection.ts) does with the bytes read of a
 * connection's next request: serves an ordinary head
 * (src/http1/request-head.ts); answers a malformed one
 * (src/http1/malformed-head.ts) with HAProxy's 400 or 405 page as the Node
 * adapter writes it, then closes (Deno.serve would answer a bare 400 or 431,
 * or pass on what haproxy refuses); hands anything else to the full server.
 */
import { MAX_PARTIAL_HEAD, malformedRequestHead } from '../../src/http1/malformed-head.ts';
import { readOrdinaryRequestHead, type OrdinaryRequestHead } from '../../src/http1/request-head.ts';
import { pageText } from '../../src/http1/response-head.ts';
import { builtinErrorResponse } from '../../src/proxy/error-pages.ts';
import { latin1Bytes, Latin1Reader } from './latin1.ts';

const pages = new Map<number, Uint8Array>();

/** HAProxy's built-in page for `status`, as the bytes of a whole response. */
export function errorPageBytes(status: number): Uint8Array {
  let page = pages.get(status);
  if (!page) pages.set(status, (page = latin1Bytes(pageText(builtinErrorResponse(status)))));
  return page;
}

/** A connection's bytes as text (./latin1.ts), and what to do with the request they begin. */
export class RequestReader extends Latin1Reader {
  /** Characters of a head not whole yet already judged: a line ends after it, or the verdict stands. */
  #judged = 0;

  /**
   * The head at the start of `pending` (the bytes not served yet): ordinary,
   * a page to close with, 'hand over', or 'wait' for more. Not ordinary once
   * a byte above 127 came (src/proxy/http1-client.ts writes heads as UTF-8).
   * `ended`: the client sent its FIN; the full server answers a truncated head.
   */
  next(pending: string, ended: boolean): OrdinaryRequestHead | Uint8Array | 'hand over' | 'wait' {
    const head = this.ascii ? readOrdinaryRequestHead(pending) : 'not-mine';
    if (typeof head === 'object') {
      this.#judged = 0;
      return head;
    }
    if (head === 'incomplete') return ended ? 'hand over' : 'wait';
    // Read again only once one more line is whole or the head too long (a client sending a
    // byte at a time would otherwise have every read cost a scan of all it sent).
    if (this.#judged > 0 && !ended && pending.length <= MAX_PARTIAL_HEAD && pending.indexOf('\n', this.#judged) < 0) return 'wait';
    const verdict = malformedRequestHead(pending);
    if (verdict === 'incomplete') {
      this.#judged = pending.length;
      return ended ? 'hand over' : 'wait';
    }
    return verdict === 'well-formed' ? 'hand over' : errorPageBytes(verdict);
  }
}
