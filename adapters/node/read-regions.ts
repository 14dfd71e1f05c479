/**
 * Where a socket read with `onread` puts its bytes (adapters/node/server-connection.ts):
 * regions one connection owns, read after read until a region is nearly
 * full, instead of the Readable stream's new buffer per read. A region is
 * never written twice, so the chunks handed on (views into it) stay valid
 * however long the client takes them. Measured (bench/ab.ts): 1 MiB
 * responses 1.31× req/s, and connections to 200 servers, each used once in a
 * while, 3–5 % cheaper; 100 B responses unchanged.
 */

/** A region; one read that fills it means a large body is streaming, and the next region is bigger. */
const REGION_BYTES = 16 * 1024;
const LARGE_REGION_BYTES = 64 * 1024;
/** With less than this left in its region, the next read gets a new one. */
const MIN_READ_BYTES = 4 * 1024;

export class ReadRegions {
  #readInto: Buffer | undefined;
  #lastRead = 0;

  /** `onread.buffer`: called before each read, the rest of the last region or a new one. */
  next(): Buffer {
    const last = this.#readInto;
    const used = this.#lastRead;
    const next =
      last && last.length - used >= MIN_READ_BYTES
        ? last.subarray(used)
        : Buffer.allocUnsafe(last && used === last.length ? LARGE_REGION_BYTES : REGION_BYTES);
    this.#readInto = next;
    this.#lastRead = 0;
    return next;
  }

  /** The bytes a read put into `region` (the buffer `next` gave). */
  read(bytes: number, region: Uint8Array): Buffer {
    this.#lastRead = bytes;
    return (region as Buffer).subarray(0, bytes);
  }
}
