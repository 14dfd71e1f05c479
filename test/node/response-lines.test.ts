/**
 * The fast path reads the server's head from undici's raw lines and hands the
 * client every line in the server's order, names lower-cased (what haproxy
 * does; test/differential/response-head compares the two on the wire).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { responseLines } from '../../adapters/node/dispatch-handler.ts';

const name = fc.oneof(
  fc.constantFrom('Set-Cookie', 'set-cookie', 'Content-Length', 'X-A', 'x-a', '__proto__', 'constructor', '1', '10', '2x', 'toString'),
  fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}$/),
);
const value = fc.stringMatching(/^[\x20-\x7e\x80-\xff]{0,20}$/);

describe('responseLines', () => {
  it('keeps every line in the server order, repeated and index-like names included', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(name, value), { maxLength: 12 }), (pairs) => {
        const raw = pairs.flatMap(([n, v]) => [Buffer.from(n, 'latin1'), Buffer.from(v, 'latin1')]);
        expect(responseLines(raw)).toEqual(pairs.map(([n, v]) => [n.toLowerCase(), v]));
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves repeated names where the server put them', () => {
    const raw = ['Set-Cookie', 'a=1', 'X-B', '2', 'Set-Cookie', 'c=3', '1', 'x'].map((s) => Buffer.from(s));
    expect(responseLines(raw)).toEqual([
      ['set-cookie', 'a=1'],
      ['x-b', '2'],
      ['set-cookie', 'c=3'],
      ['1', 'x'],
    ]);
  });
});
