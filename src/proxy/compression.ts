/**
 * `compression` as HAProxy 2.6 decides it (flt_http_comp.c), on plain header
 * lines: the request picks an algorithm from Accept-Encoding, the server's
 * response head says whether it is compressed, and the head the client gets
 * is edited. Only the decision lives here; the runtime's front end runs the
 * byte transform (Node: zlib; Fetch runtimes: `CompressionStream`).
 */
import type { Backend, CompressionAlgorithm, Frontend } from '../config/types.ts';
import type { ResponseHead } from '../deps.ts';

type HeaderLines = readonly (readonly [string, string])[];

/** An algorithm that changes the bytes (`identity` edits the head only). */
export type BodyCoding = Exclude<CompressionAlgorithm, 'identity'>;

/** What the request side decided, for the response side. */
export interface CompressionChoice {
  readonly algorithm: CompressionAlgorithm;
  /** The content types that may be compressed: the backend's list, else the frontend's. */
  readonly types: readonly string[];
  /** HAProxy never compresses a response to HEAD or to an HTTP/1.0 request. */
  readonly requestAllows: boolean;
}

/** The name a client's Accept-Encoding and the Content-Encoding use (`raw-deflate` is sent as `deflate`). */
const CODING_NAME: Readonly<Record<CompressionAlgorithm, string>> = { identity: 'identity', gzip: 'gzip', deflate: 'deflate', 'raw-deflate': 'deflate' };

/**
 * The request side: the algorithm, and the header lines for the server
 * (without Accept-Encoding under `compression offload` once an algorithm is
 * chosen). `undefined` choice: the response passes untouched.
 */
export function chooseCompression(
  frontend: Frontend,
  backend: Backend,
  method: string,
  httpVersion: string,
  headers: HeaderLines,
): { readonly choice: CompressionChoice | undefined; readonly headers: HeaderLines } {
  const fe = frontend.compression;
  const be = backend.compression;
  if (!fe && !be) return { choice: undefined, headers };
  if (oldMozilla(headers)) return { choice: undefined, headers };
  const algorithms = be?.algorithms.length ? be.algorithms : (fe?.algorithms ?? []);
  const types = be?.types.length ? be.types : (fe?.types ?? []);
  const requestAllows = method !== 'HEAD' && httpVersion !== '1.0' && httpVersion !== '0.9';
  const accepted = acceptedAlgorithm(algorithms, headers);
  if (accepted) {
    const choice = { algorithm: accepted, types, requestAllows };
    if (!(be?.offload || fe?.offload)) return { choice, headers };
    return { choice, headers: headers.filter(([name]) => name.toLowerCase() !== 'accept-encoding') };
  }
  // "identity is implicit": configured, it applies when nothing else matched (and offload does not).
  if (algorithms.includes('identity')) return { choice: { algorithm: 'identity', types, requestAllows }, headers };
  return { choice: undefined, headers };
}

/**
 * HAProxy's rule for old user agents: `Mozilla/4…` gets nothing compressed
 * unless it is MSIE 6 with SV1, or MSIE 7 and later.
 */
function oldMozilla(headers: HeaderLines): boolean {
  const ua = headers.find(([name]) => name.toLowerCase() === 'user-agent')?.[1];
  if (ua === undefined || !ua.startsWith('Mozilla/4')) return false;
  return ua.length < 31 || ua.slice(25, 30) !== 'MSIE ' || ua[30]! < '6' || (ua[30] === '6' && (ua.length < 54 || ua.slice(51, 54) !== 'SV1'));
}

/**
 * Each Accept-Encoding element in order; one with a higher q than the best so
 * far takes the first algorithm (in list order) it names, `*` the first one.
 * Equal q: the earlier element stays (observed: `gzip, deflate` is gzip).
 */
function acceptedAlgorithm(algorithms: readonly CompressionAlgorithm[], headers: HeaderLines): CompressionAlgorithm | undefined {
  if (algorithms.length === 0) return undefined;
  let best: CompressionAlgorithm | undefined;
  let bestQ = 0;
  for (const [name, value] of headers) {
    if (name.toLowerCase() !== 'accept-encoding') continue;
    for (const raw of value.split(',')) {
      const element = raw.trim();
      if (element === '') continue;
      let tokenLength = 0;
      while (tokenLength < element.length && TOKEN.test(element[tokenLength]!)) tokenLength++;
      const q = qValueOf(element, tokenLength);
      if (q <= bestQ) continue;
      const token = element.slice(0, tokenLength).toLowerCase();
      const match = algorithms.find((a) => element.startsWith('*') || CODING_NAME[a] === token);
      if (match) {
        best = match;
        bestQ = q;
      }
    }
  }
  return best;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]$/;
const LWS = /^[ \t\r\n]$/;

/** The element's first `q=` parameter in thousandths (HAProxy's http_parse_qvalue), 1000 without one. */
function qValueOf(element: string, from: number): number {
  let i = from;
  for (;;) {
    while (i < element.length && LWS.test(element[i]!)) i++;
    if (i >= element.length || element[i] !== ';') return 1000;
    i++;
    while (i < element.length && LWS.test(element[i]!)) i++;
    if (i >= element.length) return 1000;
    if (element.startsWith('q=', i)) return parseQValue(element.slice(i + 2));
    while (i < element.length && element[i] !== ';') i++;
  }
}

function parseQValue(text: string): number {
  const m = /^(\d)(?:\.(\d)?(\d)?(\d)?)?/.exec(text);
  if (!m) return 1000;
  const q = Number(m[1]) * 1000 + Number(m[2] ?? 0) * 100 + Number(m[3] ?? 0) * 10 + Number(m[4] ?? 0);
  return Math.min(q, 1000);
}

/**
 * The response side, on the server's head as it arrived (before the
 * `http-response` rules, as HAProxy's filter does): a 200–203 with a body, not
 * already encoded, not `no-transform`, a valid single ETag, and a content type
 * the configuration lists (never multipart).
 */
export function compressesResponse(choice: CompressionChoice, response: ResponseHead): boolean {
  if (!choice.requestAllows) return false;
  if (response.status < 200 || response.status > 203) return false;
  let contentType: string | undefined;
  let etags = 0;
  let etag = '';
  for (const [rawName, value] of response.headers) {
    const name = rawName.toLowerCase();
    if (name === 'content-encoding') return false;
    if (name === 'content-length' && value.trim() === '0') return false;
    if (name === 'cache-control' && value.split(',').some((d) => d.trim().toLowerCase() === 'no-transform')) return false;
    if (name === 'etag' && etags++ === 0) etag = value.trim();
    if (name === 'content-type' && contentType === undefined) contentType = value.trim().toLowerCase();
  }
  if (etags > 1 || (etags === 1 && !validEtag(etag))) return false;
  if (contentType === undefined) return choice.types.length === 0;
  if (contentType.startsWith('multipart')) return false;
  return choice.types.length === 0 || choice.types.some((t) => contentType.startsWith(t));
}

function validEtag(etag: string): boolean {
  return etag.length >= 2 && etag.endsWith('"') && (etag.startsWith('"') || etag.startsWith('W/"'));
}

/**
 * The head the client gets of a compressed response (HAProxy's
 * set_compression_response_header): Content-Encoding (not for identity), no
 * Content-Length (the runtime sends it chunked), a strong ETag made weak, and
 * `Vary: Accept-Encoding` added after the server's own Vary lines.
 */
export function compressedHead(head: ResponseHead, algorithm: CompressionAlgorithm): ResponseHead {
  const headers: [string, string][] = [];
  let firstEtag = true;
  for (const [name, value] of head.headers) {
    const lower = name.toLowerCase();
    if (lower === 'content-length') continue;
    if (lower === 'etag' && firstEtag) {
      firstEtag = false;
      headers.push([name, value.startsWith('"') ? `W/${value}` : value]);
      continue;
    }
    headers.push([name, value]);
  }
  if (algorithm !== 'identity') headers.push(['content-encoding', CODING_NAME[algorithm]]);
  headers.push(['vary', 'Accept-Encoding']);
  return { ...head, headers };
}

