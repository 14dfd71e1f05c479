/**
 * crypt(3)'s SHA-256 (`$5$`) and SHA-512 (`$6$`) schemes (Ulrich Drepper's
 * "Unix crypt using SHA-256 and SHA-512"), the hashes `userlist … password`
 * lines carry. Synchronous and pure, so `http_auth()` can run inside a rule
 * without I/O; SHA-2 itself is written out here because WebCrypto's digest
 * is asynchronous and the scheme needs thousands of rounds.
 */

const K256 = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/** SHA-512 round constants as high/low 32-bit halves. */
const K512 = (() => {
  const hex = [
    '428a2f98d728ae22', '7137449123ef65cd', 'b5c0fbcfec4d3b2f', 'e9b5dba58189dbbc', '3956c25bf348b538', '59f111f1b605d019', '923f82a4af194f9b', 'ab1c5ed5da6d8118',
    'd807aa98a3030242', '12835b0145706fbe', '243185be4ee4b28c', '550c7dc3d5ffb4e2', '72be5d74f27b896f', '80deb1fe3b1696b1', '9bdc06a725c71235', 'c19bf174cf692694',
    'e49b69c19ef14ad2', 'efbe4786384f25e3', '0fc19dc68b8cd5b5', '240ca1cc77ac9c65', '2de92c6f592b0275', '4a7484aa6ea6e483', '5cb0a9dcbd41fbd4', '76f988da831153b5',
    '983e5152ee66dfab', 'a831c66d2db43210', 'b00327c898fb213f', 'bf597fc7beef0ee4', 'c6e00bf33da88fc2', 'd5a79147930aa725', '06ca6351e003826f', '142929670a0e6e70',
    '27b70a8546d22ffc', '2e1b21385c26c926', '4d2c6dfc5ac42aed', '53380d139d95b3df', '650a73548baf63de', '766a0abb3c77b2a8', '81c2c92e47edaee6', '92722c851482353b',
    'a2bfe8a14cf10364', 'a81a664bbc423001', 'c24b8b70d0f89791', 'c76c51a30654be30', 'd192e819d6ef5218', 'd69906245565a910', 'f40e35855771202a', '106aa07032bbd1b8',
    '19a4c116b8d2d0c8', '1e376c085141ab53', '2748774cdf8eeb99', '34b0bcb5e19b48a8', '391c0cb3c5c95a63', '4ed8aa4ae3418acb', '5b9cca4f7763e373', '682e6ff3d6b2b8a3',
    '748f82ee5defb2fc', '78a5636f43172f60', '84c87814a1f0ab72', '8cc702081a6439ec', '90befffa23631e28', 'a4506cebde82bde9', 'bef9a3f7b2c67915', 'c67178f2e372532b',
    'ca273eceea26619c', 'd186b8c721c0c207', 'eada7dd6cde0eb1e', 'f57d4f7fee6ed178', '06f067aa72176fba', '0a637dc5a2c898a6', '113f9804bef90dae', '1b710b35131c471b',
    '28db77f523047d84', '32caab7b40c72493', '3c9ebe0a15c9bebc', '431d67c49c100d4c', '4cc5d4becb3e42b6', '597f299cfc657e2a', '5fcb6fab3ad6faec', '6c44198c4a475817',
  ];
  const out = new Uint32Array(160);
  hex.forEach((h, i) => {
    out[2 * i] = parseInt(h.slice(0, 8), 16);
    out[2 * i + 1] = parseInt(h.slice(8), 16);
  });
  return out;
})();

/** Pads a message as SHA-2 does: 0x80, zeros, then the bit length in `lengthBytes` big-endian bytes. */
function pad(message: Uint8Array, blockSize: number, lengthBytes: number): DataView {
  const total = Math.ceil((message.length + 1 + lengthBytes) / blockSize) * blockSize;
  const buffer = new Uint8Array(total);
  buffer.set(message);
  buffer[message.length] = 0x80;
  const view = new DataView(buffer.buffer);
  const bits = message.length * 8;
  view.setUint32(total - 4, bits >>> 0);
  view.setUint32(total - 8, Math.floor(bits / 0x100000000));
  return view;
}

export function sha256(message: Uint8Array): Uint8Array {
  const h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  const view = pad(message, 64, 8);
  const w = new Uint32Array(64);
  const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));
  for (let offset = 0; offset < view.byteLength; offset += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(offset + i * 4);
    for (let i = 16; i < 64; i++) {
      const s0 = rotr(w[i - 15]!, 7) ^ rotr(w[i - 15]!, 18) ^ (w[i - 15]! >>> 3);
      const s1 = rotr(w[i - 2]!, 17) ^ rotr(w[i - 2]!, 19) ^ (w[i - 2]! >>> 10);
      w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
    }
    let [a, b, c, d, e, f, g, hh] = h as unknown as number[] as [number, number, number, number, number, number, number, number];
    for (let i = 0; i < 64; i++) {
      const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K256[i]! + w[i]!) | 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    h[0]! += a; h[1]! += b; h[2]! += c; h[3]! += d; h[4]! += e; h[5]! += f; h[6]! += g; h[7]! += hh;
  }
  const out = new Uint8Array(32);
  const outView = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) outView.setUint32(i * 4, h[i]!);
  return out;
}

export function sha512(message: Uint8Array): Uint8Array {
  const h = new Uint32Array([
    0x6a09e667, 0xf3bcc908, 0xbb67ae85, 0x84caa73b, 0x3c6ef372, 0xfe94f82b, 0xa54ff53a, 0x5f1d36f1,
    0x510e527f, 0xade682d1, 0x9b05688c, 0x2b3e6c1f, 0x1f83d9ab, 0xfb41bd6b, 0x5be0cd19, 0x137e2179,
  ]);
  const view = pad(message, 128, 16);
  const w = new Uint32Array(160);
  const v = new Uint32Array(16);
  for (let offset = 0; offset < view.byteLength; offset += 128) {
    for (let i = 0; i < 32; i++) w[i] = view.getUint32(offset + i * 4);
    for (let i = 16; i < 80; i++) {
      // σ0 = rotr1 ^ rotr8 ^ shr7 ; σ1 = rotr19 ^ rotr61 ^ shr6
      const xh = w[2 * (i - 15)]!, xl = w[2 * (i - 15) + 1]!;
      const s0h = (xh >>> 1 | xl << 31) ^ (xh >>> 8 | xl << 24) ^ (xh >>> 7);
      const s0l = (xl >>> 1 | xh << 31) ^ (xl >>> 8 | xh << 24) ^ (xl >>> 7 | xh << 25);
      const yh = w[2 * (i - 2)]!, yl = w[2 * (i - 2) + 1]!;
      const s1h = (yh >>> 19 | yl << 13) ^ (yl >>> 29 | yh << 3) ^ (yh >>> 6);
      const s1l = (yl >>> 19 | yh << 13) ^ (yh >>> 29 | yl << 3) ^ (yl >>> 6 | yh << 26);
      let lo = (s0l >>> 0) + (s1l >>> 0) + w[2 * (i - 16) + 1]! + w[2 * (i - 7) + 1]!;
      const hi = s0h + s1h + w[2 * (i - 16)]! + w[2 * (i - 7)]! + Math.floor(lo / 0x100000000);
      lo >>>= 0;
      w[2 * i] = hi;
      w[2 * i + 1] = lo;
    }
    v.set(h);
    for (let i = 0; i < 80; i++) {
      const [ah, al, bh, bl, ch, cl, dh, dl, eh, el, fh, fl, gh, gl, hh, hl] = v as unknown as number[];
      // Σ1(e) = rotr14 ^ rotr18 ^ rotr41 ; Σ0(a) = rotr28 ^ rotr34 ^ rotr39
      const S1h = (eh! >>> 14 | el! << 18) ^ (eh! >>> 18 | el! << 14) ^ (el! >>> 9 | eh! << 23);
      const S1l = (el! >>> 14 | eh! << 18) ^ (el! >>> 18 | eh! << 14) ^ (eh! >>> 9 | el! << 23);
      const chh = (eh! & fh!) ^ (~eh! & gh!);
      const chl = (el! & fl!) ^ (~el! & gl!);
      let t1l = hl! + (S1l >>> 0) + (chl >>> 0) + K512[2 * i + 1]! + w[2 * i + 1]!;
      let t1h = hh! + S1h + chh + K512[2 * i]! + w[2 * i]! + Math.floor(t1l / 0x100000000);
      t1l >>>= 0;
      t1h >>>= 0;
      const S0h = (ah! >>> 28 | al! << 4) ^ (al! >>> 2 | ah! << 30) ^ (al! >>> 7 | ah! << 25);
      const S0l = (al! >>> 28 | ah! << 4) ^ (ah! >>> 2 | al! << 30) ^ (ah! >>> 7 | al! << 25);
      const majh = (ah! & bh!) ^ (ah! & ch!) ^ (bh! & ch!);
      const majl = (al! & bl!) ^ (al! & cl!) ^ (bl! & cl!);
      let t2l = (S0l >>> 0) + (majl >>> 0);
      const t2h = S0h + majh + Math.floor(t2l / 0x100000000);
      t2l >>>= 0;
      v[14] = gh!; v[15] = gl!; v[12] = fh!; v[13] = fl!; v[10] = eh!; v[11] = el!;
      const nel = dl! + t1l;
      v[8] = dh! + t1h + Math.floor(nel / 0x100000000); v[9] = nel;
      v[6] = ch!; v[7] = cl!; v[4] = bh!; v[5] = bl!; v[2] = ah!; v[3] = al!;
      const nal = t1l + t2l;
      v[0] = t1h + t2h + Math.floor(nal / 0x100000000); v[1] = nal;
    }
    for (let i = 0; i < 8; i++) {
      const lo = h[2 * i + 1]! + v[2 * i + 1]!;
      h[2 * i] = h[2 * i]! + v[2 * i]! + Math.floor(lo / 0x100000000);
      h[2 * i + 1] = lo;
    }
  }
  const out = new Uint8Array(64);
  const outView = new DataView(out.buffer);
  for (let i = 0; i < 16; i++) outView.setUint32(i * 4, h[i]!);
  return out;
}

const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** The byte triples of each scheme's final encoding, from the specification. */
const ORDER_512 = [[0, 21, 42], [22, 43, 1], [44, 2, 23], [3, 24, 45], [25, 46, 4], [47, 5, 26], [6, 27, 48], [28, 49, 7], [50, 8, 29], [9, 30, 51], [31, 52, 10],
  [53, 11, 32], [12, 33, 54], [34, 55, 13], [56, 14, 35], [15, 36, 57], [37, 58, 16], [59, 17, 38], [18, 39, 60], [40, 61, 19], [62, 20, 41]];
const ORDER_256 = [[0, 10, 20], [21, 1, 11], [12, 22, 2], [3, 13, 23], [24, 4, 14], [15, 25, 5], [6, 16, 26], [27, 7, 17], [18, 28, 8], [9, 19, 29]];

function encode24(b2: number, b1: number, b0: number, n: number): string {
  let w = (b2 << 16) | (b1 << 8) | b0;
  let out = '';
  for (let i = 0; i < n; i++) {
    out += ITOA64[w & 0x3f];
    w >>>= 6;
  }
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** `len` bytes of `block` repeated. */
function repeatTo(block: Uint8Array, len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = block[i % block.length]!;
  return out;
}

/** True when `hash` is a `$5$`/`$6$` crypt(3) string this module can check. */
export function isShaCrypt(hash: string): boolean {
  return /^\$[56]\$(rounds=\d+\$)?[^$]{0,16}\$[./0-9A-Za-z]+$/.test(hash);
}

/** Computes crypt(password, setting) for a `$5$…`/`$6$…` setting; undefined for other schemes. */
export function shaCrypt(password: string, setting: string): string | undefined {
  const match = /^\$([56])\$(?:rounds=(\d+)\$)?([^$]{0,16})/.exec(setting);
  if (!match) return undefined;
  const is512 = match[1] === '6';
  const hash = is512 ? sha512 : sha256;
  const size = is512 ? 64 : 32;
  const customRounds = match[2] !== undefined;
  const rounds = customRounds ? Math.min(999_999_999, Math.max(1000, Number(match[2]))) : 5000;
  const encoder = new TextEncoder();
  const p = encoder.encode(password);
  const s = encoder.encode(match[3]!);

  const b = hash(concat([p, s, p]));
  const aParts: Uint8Array[] = [p, s, repeatTo(b, p.length)];
  for (let n = p.length; n > 0; n >>>= 1) aParts.push(n & 1 ? b : p);
  let c = hash(concat(aParts));
  const dp = hash(concat(Array<Uint8Array>(p.length).fill(p)));
  const pBytes = repeatTo(dp, p.length);
  const ds = hash(concat(Array<Uint8Array>(16 + c[0]!).fill(s)));
  const sBytes = repeatTo(ds, s.length);
  for (let i = 0; i < rounds; i++) {
    const parts: Uint8Array[] = [i & 1 ? pBytes : c];
    if (i % 3) parts.push(sBytes);
    if (i % 7) parts.push(pBytes);
    parts.push(i & 1 ? c : pBytes);
    c = hash(concat(parts));
  }
  let encoded = '';
  for (const [x, y, z] of is512 ? ORDER_512 : ORDER_256) encoded += encode24(c[x!]!, c[y!]!, c[z!]!, 4);
  encoded += is512 ? encode24(0, 0, c[63]!, 2) : encode24(0, c[31]!, c[30]!, 3);
  void size;
  return `$${match[1]}$${customRounds ? `rounds=${rounds}$` : ''}${match[3]}$${encoded}`;
}
