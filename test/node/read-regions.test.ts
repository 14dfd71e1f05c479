import { describe, expect, it } from 'vitest';
import { ReadRegions } from '../../adapters/node/read-regions.ts';

/** What a socket does with `onread`: asks for a buffer, fills `bytes` of it, hands it back. */
function readInto(regions: ReadRegions, bytes: number, fill: number): Buffer {
  const region = regions.next();
  expect(region.length).toBeGreaterThanOrEqual(bytes);
  region.fill(fill, 0, bytes);
  return regions.read(bytes, region);
}

describe('ReadRegions', () => {
  it('never hands out bytes a chunk still being held is a view of', () => {
    const regions = new ReadRegions();
    const held: [Buffer, number][] = [];
    // Small reads, then reads that fill their region (a large body), then small ones again.
    const sizes = [...Array.from({ length: 120 }, (_, i) => 1 + ((i * 997) % 3000)), ...Array.from({ length: 5 }, () => 65536), 200, 300];
    sizes.forEach((size, i) => {
      const region = regions.next();
      const bytes = Math.min(size, region.length);
      region.fill(i % 251, 0, bytes);
      held.push([regions.read(bytes, region), i % 251]);
    });
    for (const [chunk, fill] of held) expect(chunk.every((b) => b === fill)).toBe(true);
  });

  it('continues in its region while 4 KiB are left, and reads a large body into bigger regions', () => {
    const regions = new ReadRegions();
    const first = readInto(regions, 100, 1);
    const second = readInto(regions, 100, 2);
    expect(second.buffer).toBe(first.buffer);
    expect(second.byteOffset).toBe(first.byteOffset + 100);
    const whole = regions.next();
    expect(whole.length).toBe(16 * 1024 - 200);
    regions.read(whole.length, whole); // the read filled it
    expect(regions.next().length).toBe(64 * 1024);
  });
});
