/**
 * `maxconn` for the Deno raw fronts, as HAProxy applies it: a listener stops
 * accepting while the process is at its global `maxconn` or its frontend at
 * the frontend's own, so the next clients wait in the kernel's listen queue
 * (connected, not refused) and are accepted as soon as a connection closes.
 * A connection counts until it is closed, handed over to Deno.serve or not.
 * (Deno.serve, on TLS binds, cannot pause accepting: there the limits are
 * not enforced, and the command says so at start.)
 */
export interface FrontendSlots {
  readonly limit: number;
  open: number;
}

export class AcceptGate {
  readonly #limit: number;
  #open = 0;
  #waiting: (() => void)[] = [];

  /** `limit`: the global `maxconn` (Infinity when unset). */
  constructor(limit = Infinity) {
    this.#limit = limit;
  }

  /** A frontend's share; `limit` is its own `maxconn`. */
  slots(limit = Infinity): FrontendSlots {
    return { limit, open: 0 };
  }

  /** Resolves when `slots`' frontend may accept one more connection. */
  async room(slots: FrontendSlots): Promise<void> {
    while (this.#open >= this.#limit || slots.open >= slots.limit) await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  opened(slots: FrontendSlots): void {
    this.#open++;
    slots.open++;
  }

  closed(slots: FrontendSlots): void {
    this.#open--;
    slots.open--;
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const wake of waiting) wake();
  }
}
