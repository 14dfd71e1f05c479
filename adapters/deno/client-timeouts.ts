/**
 * The client side's timeouts of the Deno raw front, as Node's raw front
 * applies them (src/http1/client-limits.ts): a head must be whole within
 * `timeout http-request` from its first byte (from the accept for a
 * connection's first request, from the previous answer for a pipelined
 * one), or it gets HAProxy's 408 page; a connection that makes no progress
 * for `timeout client` while its head or its answer is on the way is closed,
 * and so is a kept-alive one idle for the keep-alive limit. While the server
 * prepares the answer, `timeout server` rules instead. Deno.serve applies
 * none of these (a partial head waits forever: measured), so connections
 * the raw front handed over keep Deno.serve's behaviour.
 */
import type { ClientLimits } from '../../src/http1/client-limits.ts';
import type { ByteWriter } from './raw-response.ts';

export type Phase = 'head' | 'server' | 'sending' | 'idle';

/** Where a raw connection is in its exchange, and since when: what the sweep reads. */
export class ExchangeClock {
  phase: Phase = 'head';
  headSince: number;
  progressAt: number;

  constructor(now = Date.now()) {
    this.headSince = this.progressAt = now;
  }

  read(): void {
    const now = Date.now();
    this.progressAt = now;
    if (this.phase !== 'idle') return;
    this.phase = 'head';
    this.headSince = now;
  }

  /** A write of the answer completed, or the answer began. */
  wrote(): void {
    this.progressAt = Date.now();
  }

  /** `conn`'s writes, each marking progress. */
  writerOf(conn: ByteWriter): ByteWriter {
    return {
      write: async (bytes) => {
        const count = await conn.write(bytes);
        this.progressAt = Date.now();
        return count;
      },
    };
  }

  /** The answer is written; `pipelined`: the next head has begun already. */
  answered(pipelined: boolean): void {
    const now = Date.now();
    this.progressAt = now;
    this.phase = pipelined ? 'head' : 'idle';
    if (pipelined) this.headSince = now;
  }
}

/** What a connection has earned at `now`: nothing, HAProxy's 408 page, or to be closed. */
export function overdue(clock: ExchangeClock, limits: ClientLimits, now: number): 'no' | '408' | 'close' {
  const { client = Infinity, httpRequest = Infinity, keepAlive = Infinity } = limits;
  switch (clock.phase) {
    case 'head':
      if (now - clock.headSince >= httpRequest) return '408';
      return now - clock.progressAt >= client ? 'close' : 'no';
    case 'sending':
      return now - clock.progressAt >= client ? 'close' : 'no';
    case 'idle':
      return now - clock.progressAt >= Math.min(client, keepAlive) ? 'close' : 'no';
    case 'server':
      return 'no';
  }
}

/** Ten sweeps per shortest limit, 10 ms – 1 s apart (a connection is cut at most two sweeps late); undefined: no limit. */
export function sweepInterval({ client = Infinity, httpRequest = Infinity, keepAlive = Infinity }: ClientLimits): number | undefined {
  const shortest = Math.min(client, httpRequest, keepAlive);
  return shortest === Infinity ? undefined : Math.max(10, Math.min(1000, shortest / 10));
}
