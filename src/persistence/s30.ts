/**
 * HAProxy's 30-bit "base64" time stamps, used by `cookie … maxidle/maxlife`
 * (`s30tob64` / `b64tos30` in HAProxy's src/base64.c). Five characters of the
 * standard base64 alphabet, most significant 6 bits first, no padding. HAProxy
 * stores dates in 4-second units (seconds >> 2), so a stamp covers ~136 years.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

const REVERSE: ReadonlyMap<string, number> = new Map([...ALPHABET].map((c, i) => [c, i]));

/** Encodes the low 30 bits of `value` into 5 characters (`s30tob64`). */
export function encodeS30(value: number): string {
  let v = value | 0;
  let out = '';
  for (let i = 0; i < 5; i++) {
    out += ALPHABET[(v >> 24) & 0x3f];
    v = (v << 6) | 0;
  }
  return out;
}

/**
 * Decodes the 5 characters of `text` starting at `offset` (`b64tos30`);
 * -1 when one is outside the alphabet or missing, as HAProxy does.
 */
export function decodeS30(text: string, offset = 0): number {
  let out = 0;
  for (let i = 0; i < 5; i++) {
    const d = REVERSE.get(text.charAt(offset + i));
    if (d === undefined) return -1;
    out = out * 64 + d;
  }
  return out;
}
