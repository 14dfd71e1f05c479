/**
 * The fast path reads the server's head from undici's raw lines; it must give
 * the client exactly the lines undici's request() API gave before (names
 * lower-cased, repeated names grouped as a plain object's keys are).
 */
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { responseLines } from '../../adapters/node/upstream-body.ts';

const { parseHeaders } = createRequire(import.meta.url)('undici/lib/core/util.js') as {
  parseHeaders(raw: Buffer[]): Record<string, string | string[]>;
};

function viaRequestApi(raw: Buffer[]): [string, string][] {
  const lines: [string, string][] = [];
  for (const [name, value] of Object.entries(parseHeaders(raw))) {
    if (Array.isArray(value)) for (const v of value) lines.push([name, v]);
    else lines.push([name, value]);
  }
  return lines;
}

const name = fc.oneof(
  fc.constantFrom('Set-Cookie', 'set-cookie', 'Content-Length', 'X-A', 'x-a', '__proto__', 'constructor', '1', '10', '2x', 'toString'),
  fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}$/),
);
const value = fc.stringMatching(/^[\x20-\x7e\x80-\xff]{0,20}$/);

describe('responseLines', () => {
  it('gives the lines request() gave, in the same order', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(name, value), { maxLength: 12 }), (pairs) => {
        const raw = pairs.flatMap(([n, v]) => [Buffer.from(n, 'latin1'), Buffer.from(v, 'latin1')]);
        expect(responseLines(raw)).toEqual(viaRequestApi(raw));
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps the server order when no name repeats', () => {
    const raw = ['Server', 'nginx', 'Content-Type', 'text/plain', 'Set-Cookie', 'a=1'].map((s) => Buffer.from(s));
    expect(responseLines(raw)).toEqual([
      ['server', 'nginx'],
      ['content-type', 'text/plain'],
      ['set-cookie', 'a=1'],
    ]);
  });
});
