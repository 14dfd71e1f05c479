/**
 * HTTP/1 heads as text, one character per byte, for the raw front
 * (./raw-connection.ts, ./raw-response.ts). TextDecoder's `latin1` is
 * windows-1252 (bytes 0x80–0x9F become other characters) and TextEncoder
 * writes UTF-8, so both are used only where the text is ASCII.
 */
const ascii = new TextDecoder('latin1');
const encoder = new TextEncoder();

/** Bytes as text, one character per byte; remembers whether all it read was ASCII. */
export class Latin1Reader {
  ascii = true;

  decode(bytes: Uint8Array): string {
    for (let i = 0; i < bytes.length && this.ascii; i++) if (bytes[i]! > 127) this.ascii = false;
    if (this.ascii) return ascii.decode(bytes);
    let text = '';
    for (let i = 0; i < bytes.length; i += 4096) text += String.fromCharCode(...bytes.subarray(i, i + 4096));
    return text;
  }
}

/** Writes `text` at `at`, one byte per character. */
export function latin1Into(text: string, out: Uint8Array, at: number): void {
  // All of it read into as many bytes as characters: it was ASCII.
  if (encoder.encodeInto(text, out.subarray(at, at + text.length)).read === text.length) return;
  for (let i = 0; i < text.length; i++) out[at + i] = text.charCodeAt(i);
}

export function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  latin1Into(text, out, 0);
  return out;
}
