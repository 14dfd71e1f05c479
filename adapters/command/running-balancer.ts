/** What starting a balancer gives back, on every runtime that listens itself (Node, Deno). */

export interface ListenerAddress {
  readonly frontend: string;
  readonly host: string;
  readonly port: number;
}

export interface RunningBalancer {
  readonly listeners: readonly ListenerAddress[];
  /** Stops accepting, waits up to `graceMs` for in-flight requests, then closes everything. */
  close(graceMs?: number): Promise<void>;
}
