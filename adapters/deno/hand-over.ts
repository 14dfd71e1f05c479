/**
 * The full server behind a Deno raw front (./raw-front.ts): Deno.serve on a
 * loopback port of its own, for the connections the raw front hands over
 * (a request with a body, HTTP/1.0, an upgrade, the stats page, a rule's
 * answer, anything malformed…). Deno cannot give a connection it has read
 * to Deno.serve, so the raw front relays it: the bytes it did not serve
 * first, then both directions as they come. Deno.serve answers as it always
 * did, with the facts of the client's own connection (`src`, `dst`…), which
 * it finds by the relay's port, and the raw front's decision about the first
 * request, so the rules run once.
 */
import type { Admission } from '../../src/admission/admit-request.ts';
import type { ConnectionFacts } from '../../src/rules/transaction.ts';
import type { Tunnel } from './raw-front.ts';
import { writeAll } from './raw-response.ts';

const RELAY_BYTES = 64 * 1024;

/** What a handed-over request's handler learns of its connection. */
export interface HandedOver {
  readonly facts: ConnectionFacts;
  /** The raw front's decision, for the first request read only. */
  readonly admission: Admission | undefined;
}

export class FullServer {
  readonly #connections = new Map<string, { facts: ConnectionFacts; admission: Admission | undefined }>();
  /** Each relay until both its ends are closed. */
  readonly #relays = new Set<Promise<void>>();
  #server: Deno.HttpServer<Deno.NetAddr> | undefined;

  /** Starts Deno.serve with `handler`, which asks `handedOver` (on this object) what each request's connection is. */
  listen(handler: Deno.ServeHandler<Deno.NetAddr>): void {
    this.#server = Deno.serve({ hostname: '127.0.0.1', port: 0, onListen() {} }, handler);
  }

  /** Undefined for a connection the raw front did not open (nobody else's requests are served). */
  handedOver(relay: Deno.NetAddr): HandedOver | undefined {
    const connection = this.#connections.get(keyOf(relay));
    if (!connection) return undefined;
    const { facts, admission } = connection;
    connection.admission = undefined;
    return { facts, admission };
  }

  /** Relays `client` to Deno.serve from now on, `unread` first; `closed` once both ends are. */
  relay(client: Deno.TcpConn, facts: ConnectionFacts, unread: Uint8Array, admission: Admission | undefined, closed: () => void): Tunnel {
    let over = false;
    const end = () => {
      if (over) return;
      over = true;
      closeQuietly(client);
      closed();
    };
    const opened = (async () => {
      const server = await Deno.connect({ hostname: '127.0.0.1', port: this.#server!.addr.port });
      const key = keyOf(server.localAddr);
      this.#connections.set(key, { facts, admission });
      const relayed = copy(server, client).finally(() => {
        this.#connections.delete(key);
        this.#relays.delete(relayed);
        closeQuietly(server);
        end();
      });
      this.#relays.add(relayed);
      if (unread.byteLength > 0) await writeAll(server, unread);
      return server;
    })();
    opened.catch(end);
    return {
      async fromClient(bytes) {
        const server = await opened;
        if (bytes === null) await server.closeWrite();
        else await writeAll(server, bytes);
      },
      abort() {
        end();
        void opened.then(closeQuietly, () => {});
      },
    };
  }

  /** Deno.serve's graceful shutdown, then the relays' last bytes: its answers have reached the clients. */
  async shutdown(): Promise<void> {
    await this.#server?.shutdown();
    await Promise.all(this.#relays);
  }
}

/** Deno.serve's answers to the client, until either side closes. */
async function copy(from: Deno.Conn, to: Deno.Conn): Promise<void> {
  const buffer = new Uint8Array(RELAY_BYTES);
  try {
    for (let count = await from.read(buffer); count !== null; count = await from.read(buffer)) await writeAll(to, buffer.subarray(0, count));
  } catch {
    // Either side closed or reset: both close.
  }
}

function keyOf(addr: Deno.NetAddr): string {
  return `${addr.hostname}:${addr.port}`;
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Closed already.
  }
}
