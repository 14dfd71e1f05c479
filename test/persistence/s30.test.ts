import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeS30, encodeS30 } from '../../src/persistence/s30.ts';

describe('s30tob64 / b64tos30', () => {
  it('matches a stamp produced by haproxy 2.6.12', () => {
    // `cookie SRV insert maxidle 30m maxlife 8h`, first visit at 1795519660 s:
    // Set-Cookie: SRV=s1|awV0r|awV0r; path=/   ((now + 3) >> 2 encoded)
    expect(encodeS30((1795519660 + 3) >> 2)).toBe('awV0r');
    expect(decodeS30('awV0r') * 4).toBe(1795519660);
  });

  it('known values', () => {
    expect(encodeS30(0)).toBe('AAAAA');
    expect(encodeS30(2 ** 30 - 1)).toBe('/////');
    expect(encodeS30(63)).toBe('AAAA/');
    expect(decodeS30('AAAAB')).toBe(1);
  });

  it('round-trips every 30-bit value', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 30 - 1 }), (v) => decodeS30(encodeS30(v)) === v));
  });

  it('keeps only the low 30 bits, as the C does', () => {
    expect(decodeS30(encodeS30(2 ** 30 + 5))).toBe(5);
  });

  it('rejects characters outside the alphabet, padding and short input', () => {
    expect(decodeS30('AAAA=')).toBe(-1);
    expect(decodeS30('AA-AA')).toBe(-1);
    expect(decodeS30('AAA|A')).toBe(-1);
    expect(decodeS30('AAAA')).toBe(-1);
    expect(decodeS30('xxAAAAA', 2)).toBe(0);
  });
});
