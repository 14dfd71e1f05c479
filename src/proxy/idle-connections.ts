/**
 * Keep-alive connections to servers waiting for their next request, per
 * server, most recently used first (the ones left at the bottom are those
 * the server times out first). Bounded: past `maxPerServer` idle ones a
 * released connection is closed instead of kept.
 */

/** A connection the pool can keep: it tells when the server ends it while it waits. */
export interface KeptConnection {
  /**
   * Starts the idle connection's next read: `ended` runs when it completes
   * before the connection is taken again (the server closed it, or sent
   * bytes nobody asked for, which makes it unusable as well).
   */
  watchIdle(ended: () => void): void;
  close(): void;
}

export class IdleConnections<Connection extends KeptConnection> {
  readonly #byServer = new Map<string, Connection[]>();
  readonly #maxPerServer: number;

  constructor(maxPerServer: number) {
    this.#maxPerServer = maxPerServer;
  }

  take(server: string): Connection | undefined {
    return this.#byServer.get(server)?.pop();
  }

  keep(server: string, connection: Connection): void {
    let idle = this.#byServer.get(server);
    if (!idle) this.#byServer.set(server, (idle = []));
    if (idle.length >= this.#maxPerServer) return connection.close();
    idle.push(connection);
    connection.watchIdle(() => {
      // Not there: taken meanwhile, and the read's result is its next response's.
      const at = idle.indexOf(connection);
      if (at < 0) return;
      idle.splice(at, 1);
      connection.close();
    });
  }

  closeAll(): void {
    for (const idle of this.#byServer.values()) for (const connection of idle.splice(0)) connection.close();
  }
}
