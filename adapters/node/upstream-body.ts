/**
 * The body of a server's response on the Node fast path, written by
 * adapters/node/dispatch-handler.ts straight into the client's ServerResponse:
 * chunks that arrive before the proxy's decisions are made are held (up to
 * what undici's `request()` would buffer), then written and counted as they
 * come, with back-pressure through `drain` and the source's `resume`
 * (undici's, or adapters/node/raw-upstream.ts's connection).
 */
/**
 * Where a body is written: the client's ServerResponse, or a compressor in
 * front of it (compressed-body.ts).
 */
export interface BodySink {
  write(chunk: Buffer): boolean;
  end(chunk?: Buffer): unknown;
  destroy(): unknown;
  addTrailers(trailers: [string, string][]): void;
  on(event: 'drain', listener: () => void): unknown;
}

/** Where a body comes from: the upstream's connection, paused and resumed by the body's reader. */
export interface BodySource {
  /** Reads on after a `data()` that returned false. */
  resume(): void;
  /** Stops the body (the client went away): the connection is dropped, never reused. */
  abort(reason?: Error): void;
}

/** What undici's `request()` buffers before it stops reading a body nobody consumes yet. */
const UNREAD_LIMIT_BYTES = 64 * 1024;

/**
 * The body of one response. Chunks that arrive before the proxy's decisions
 * are made (a small response usually arrives whole with its head) are held
 * until `pipeTo` hands them on.
 */
export class UpstreamBody {
  readonly #source: BodySource;
  #held: Buffer[] = [];
  #heldBytes = 0;
  #ended = false;
  /** Trailer fields that came after the last chunk, written after the body. */
  #trailers: [string, string][] | undefined;
  #failed = false;
  #out: BodySink | undefined;
  #onChunk: ((bytes: number) => void) | undefined;
  #resumesOnDrain = false;

  constructor(source: BodySource) {
    this.#source = source;
  }

  /**
   * Writes the body to `out`, counting each chunk with `onChunk`; ends `out`
   * with the body, destroys it if the server's body fails.
   */
  pipeTo(out: BodySink, onChunk: (bytes: number) => void): void {
    this.#out = out;
    this.#onChunk = onChunk;
    const held = this.#held;
    this.#held = [];
    if (this.#failed) {
      out.destroy();
      return;
    }
    const last = held.length - 1;
    let flowing = true;
    for (let i = 0; i < last; i++) flowing = this.#write(held[i]!);
    if (this.#ended) {
      if (this.#trailers) out.addTrailers(this.#trailers);
      // The whole body is here: head and body leave in one write.
      if (last >= 0) {
        onChunk(held[last]!.byteLength);
        out.end(held[last]);
      } else out.end();
      return;
    }
    if (last >= 0) flowing = this.#write(held[last]!);
    // Holding the limit paused undici's parser: go on now, or once the client drained.
    if (this.#heldBytes >= UNREAD_LIMIT_BYTES) {
      if (flowing) this.#source.resume();
      else this.#resumeOnDrain();
    }
  }

  /** Stops the server's body (the client went away): undici drops that connection. */
  destroy(): void {
    if (this.#ended || this.#failed) return;
    this.#failed = true;
    this.#source.abort();
  }

  /** A chunk from the server; false pauses the source until it is resumed. */
  data(chunk: Buffer): boolean {
    if (this.#out) {
      if (this.#write(chunk)) return true;
      this.#resumeOnDrain();
      return false;
    }
    this.#held.push(chunk);
    this.#heldBytes += chunk.byteLength;
    return this.#heldBytes < UNREAD_LIMIT_BYTES;
  }

  end(trailers?: [string, string][]): void {
    this.#ended = true;
    this.#trailers = trailers;
    if (this.#out && trailers) this.#out.addTrailers(trailers);
    this.#out?.end();
  }

  /** The server's body failed (reset, `timeout server`): the client's response is cut. */
  fail(): void {
    if (this.#ended || this.#failed) return;
    this.#failed = true;
    this.#out?.destroy();
  }

  #write(chunk: Buffer): boolean {
    this.#onChunk!(chunk.byteLength);
    return this.#out!.write(chunk);
  }

  #resumeOnDrain(): void {
    if (this.#resumesOnDrain) return;
    this.#resumesOnDrain = true;
    // Resuming does nothing unless the source is paused, so one listener serves every pause.
    this.#out!.on('drain', () => this.#source.resume());
  }
}
