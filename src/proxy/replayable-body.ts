/**
 * A request body that can be offered to the server again after a failed
 * connection attempt. HAProxy retries only failures that happened before the
 * request was sent (connection refused, connect timeout); the body it holds
 * has not left the proxy then. We keep what an attempt pulled, up to a bound,
 * so the next attempt replays exactly those bytes and then continues with the
 * rest: a retry never sends the body twice and never loses any of it. Past the
 * bound the body is streamed without a copy and a failure is final.
 */
const REPLAY_LIMIT_BYTES = 64 * 1024;

export class ReplayableBody {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  #pulled: Uint8Array[] = [];
  #pulledBytes = 0;
  #overflowed = false;
  /** Bytes read from the client so far (stats' bin). */
  bytesRead = 0;

  constructor(body: ReadableStream<Uint8Array> | null) {
    this.#reader = body?.getReader();
  }

  /** True while everything pulled so far is still held, so another attempt may be made. */
  get replayable(): boolean {
    return !this.#overflowed;
  }

  /** The body stream for one attempt (null when the request has none). */
  forAttempt(): ReadableStream<Uint8Array> | null {
    const reader = this.#reader;
    if (!reader) return null;
    const replay = this.#pulled.slice();
    // highWaterMark 0: nothing is pulled until the upstream client reads, so an
    // attempt that never connects pulls nothing.
    return new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          const next = replay.shift();
          if (next) return controller.enqueue(next);
          const { done, value } = await reader.read();
          if (done) return controller.close();
          this.bytesRead += value.byteLength;
          this.#remember(value);
          controller.enqueue(value);
        },
        // An abandoned attempt must not cancel the client's body: a retry needs it.
        cancel: () => {},
      },
      { highWaterMark: 0 },
    );
  }

  /** The server answered: nothing will be replayed, drop the copy. */
  release(): void {
    this.#pulled = [];
    this.#overflowed = true;
  }

  /** Stop reading the client's body (the request is over without it). */
  async discard(): Promise<void> {
    this.release();
    await this.#reader?.cancel().catch(() => {});
  }

  #remember(chunk: Uint8Array): void {
    if (this.#overflowed) return;
    this.#pulledBytes += chunk.byteLength;
    if (this.#pulledBytes > REPLAY_LIMIT_BYTES) {
      this.#pulled = [];
      this.#overflowed = true;
    } else {
      this.#pulled.push(chunk);
    }
  }
}
