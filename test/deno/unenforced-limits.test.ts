/** Runtimes without accept control say, once, which limits they do not enforce. */
import { describe, expect, it } from 'vitest';
import { parseHaproxyConfig } from '../../src/config/index.ts';
import { singleProcessNotice, unenforcedLimitsNotice } from '../../adapters/command/unenforced-limits.ts';

const parse = (text: string) => parseHaproxyConfig([{ file: 't.cfg', text }], { env: {} }).config;
const LISTEN = 'defaults\n    mode http\nlisten app\n    bind :80\n    server s 127.0.0.1:1\n';

describe('unenforcedLimitsNotice', () => {
  it('names every limit that is set', () => {
    expect(unenforcedLimitsNotice(parse(`global\n    maxconn 40\n    ulimit-n 100\n${LISTEN}    maxconn 10\n`), 'Deno')).toBe(
      "global maxconn, global ulimit-n, maxconn of 'app': not enforced on Deno, which cannot pause accepting connections (the Node adapter enforces them)",
    );
  });

  it("with Deno's raw front: only the TLS binds' limits and ulimit-n", () => {
    const tls = 'frontend secure\n    bind :443 ssl crt /x.pem\n    maxconn 5\n    default_backend b\nbackend b\n    server s 127.0.0.1:1\n';
    expect(unenforcedLimitsNotice(parse(`global\n    maxconn 40\n${LISTEN}    maxconn 10\n`), 'Deno', 'plain binds')).toBeUndefined();
    expect(unenforcedLimitsNotice(parse(`global\n    maxconn 40\n    ulimit-n 100\n${LISTEN}    maxconn 10\n${tls}`), 'Deno', 'plain binds')).toBe(
      "global maxconn, global ulimit-n, maxconn of 'secure': not enforced on Deno's TLS binds, whose Deno.serve cannot pause accepting connections, nor ulimit-n, which it cannot apply (its plain binds enforce maxconn, as the Node adapter does)",
    );
  });

  it('says nothing when no limit is set', () => {
    expect(unenforcedLimitsNotice(parse(LISTEN), 'Deno')).toBeUndefined();
  });
});

describe('singleProcessNotice', () => {
  it('says that nbthread above 1 runs one process there', () => {
    expect(singleProcessNotice(parse(`global\n    nbthread 4\n${LISTEN}`), 'Deno')).toBe(
      'global nbthread 4: Deno serves from one process (the Node command runs worker processes)',
    );
    expect(singleProcessNotice(parse(`global\n    nbthread 1\n${LISTEN}`), 'Deno')).toBeUndefined();
    expect(singleProcessNotice(parse(LISTEN), 'Deno')).toBeUndefined();
  });
});
