/**
 * Many waits with a time limit on one timer. Each wait says when it is due
 * (`at`, moved later as it makes progress) and what happens then; the timer
 * is set for the earliest wait and, when it fires, expires the waits that
 * are due and is set again for the next one. A timer per wait cost Deno's
 * HTTP/1.1 client a tenth of its CPU per request (2.9: a Node-compatible
 * Timeout object set and cleared for every exchange), although nearly every
 * wait ends long before its limit.
 */

export interface Deadline {
  /** When the wait is due (ms since the epoch, as Date.now()). */
  at: number;
  /** Runs once when the wait is due and still pending. */
  expire(): void;
}

export class Deadlines {
  readonly #pending = new Set<Deadline>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** When the timer fires (Infinity: not set). */
  #timerAt = Infinity;

  add(deadline: Deadline): void {
    this.#pending.add(deadline);
    if (deadline.at < this.#timerAt) this.#set(deadline.at);
  }

  /** The wait ended in time. */
  delete(deadline: Deadline): void {
    this.#pending.delete(deadline);
    // Nothing left to wait for: no timer keeps the process alive.
    if (this.#pending.size === 0 && this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#timerAt = Infinity;
    }
  }

  #set(at: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(this.#fire, Math.max(0, at - Date.now()));
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = Date.now();
    let next = Infinity;
    for (const deadline of this.#pending) {
      if (deadline.at <= now) {
        this.#pending.delete(deadline);
        deadline.expire();
      } else if (deadline.at < next) next = deadline.at;
    }
    // `expire` may have added waits (and set the timer) meanwhile.
    if (next < this.#timerAt && this.#pending.size > 0) this.#set(next);
  };
}
