/** The runtime pieces src/ needs, on Workers: fetch to the servers, sockets for checks, the console for logs. */
import { createFetchUpstream, globalTimers, systemClock, UpstreamError, type BalancerDeps, type HealthStore, type Logger, type RequestHead } from '../../src/index.ts';
import { formatJsonLog } from '../../src/proxy/access-log.ts';
import { encodeOnPlatform } from './encoded-response.ts';
import { workersTcpProbe } from './tcp-probe.ts';

/** Workers Logs keeps console lines; access lines as JSON, which its query language reads. */
const consoleLogger: Logger = {
  info: (message) => console.log(`[NOTICE] ${message}`),
  warn: (message) => console.warn(`[WARNING] ${message}`),
  access: (entry) => console.log(formatJsonLog(entry)),
};

/**
 * workerd sends a stream body chunked unless the stream says its length: a
 * request that came with Content-Length leaves with it (as from HAProxy),
 * for servers that refuse chunked request bodies.
 */
function withKnownLength(head: RequestHead, body: ReadableStream<Uint8Array> | null): ReadableStream<Uint8Array> | null {
  const declared = head.headers.find(([name]) => name.toLowerCase() === 'content-length')?.[1];
  if (!body || declared === undefined || !/^\d+$/.test(declared)) return body;
  const fixed = new FixedLengthStream(Number(declared));
  // A body shorter or longer than declared errors the stream, and with it the request to the server.
  body.pipeTo(fixed.writable).catch(() => {});
  return fixed.readable;
}

/**
 * `onConnectFailure` hears of servers that refused or timed out while
 * proxying (passive health), so the fleet's checker can look at them at once.
 */
export function createWorkersDeps(healthStore: HealthStore, onConnectFailure: (host: string, port: number) => void = () => {}): BalancerDeps {
  // The server's body as it sent it, compressed or not (see encoded-response.ts).
  const upstream = createFetchUpstream(fetch, (target) => (target.tls || target.port === 443 ? 'https' : 'http'), { encodeResponseBody: 'manual' });
  return {
    upstream: {
      async request(target, head, body, options) {
        try {
          return await upstream.request(target, head, withKnownLength(head, body), options);
        } catch (error) {
          if (error instanceof UpstreamError && (error.failure === 'refused' || error.failure === 'connect-timeout' || error.failure === 'tls-handshake')) {
            onConnectFailure(target.host, target.port);
          }
          throw error;
        }
      },
    },
    // `compression`: workerd encodes, as it alone sees the client's Accept-Encoding.
    platformEncodes: encodeOnPlatform,
    tcpProbe: workersTcpProbe,
    healthStore,
    clock: systemClock,
    timers: globalTimers,
    logger: consoleLogger,
  };
}
