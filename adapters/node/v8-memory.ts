/**
 * V8 settings for the `edge-balancer` command while it serves (the library
 * leaves its host application's V8 alone). They keep the peak and steady RSS
 * under load near the idle figure; bench/NOTES.md ("Memory under load") has
 * the measurements.
 *
 * - WebAssembly is left to V8's tiering. Staying on Liftoff, V8's baseline
 *   compiler (`--liftoff-only`), avoids the ~40 MB that TurboFan's
 *   recompilation of undici's HTTP parser (llhttp, one huge function) takes
 *   for a moment early under load, but measured on a quiet machine it cost
 *   20–28 % of the CPU per proxied request (bench/NOTES.md, "Memory under
 *   load"); a user who prefers the lower peak can run node with it
 *   (NODE_OPTIONS=--liftoff-only).
 * - The young generation stops growing at two 8 MiB semi-spaces (V8's default
 *   lets it reach two 16 MiB ones under load). `--max-semi-space-size` is read
 *   only when the heap is created (a node flag or NODE_OPTIONS, which a
 *   package's `bin` cannot set), but `--semi-space-growth-factor` is read at
 *   each growth, so after every GC the factor is set to 1 once the young
 *   generation reached the cap, and back to V8's 2 if V8 shrank it.
 * - The old generation is collected once it grew by half of what was live
 *   after the last full GC (V8 lets it grow up to four times). Under load
 *   100–250 bytes per request reach the old generation and die there; without
 *   the limit they piled up for a minute and more before the first full GC,
 *   and at twice the live heap the peak still touched 100 MB. A full GC of
 *   the balancer's ~12 MB live heap takes a few milliseconds.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/** Both semi-spaces together, as V8 reports `new_space`. */
const YOUNG_GENERATION_CAP_BYTES = 16 * 1024 * 1024;
/** V8's default growth factor, restored when the young generation is below the cap. */
const DEFAULT_GROWTH_FACTOR = 2;

/** Applies the two heap settings; the returned function stops watching the young generation. */
export function limitServingMemory(): () => void {
  // Heap sizes given to node itself are the user's choice.
  const nodeFlags = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`;
  if (/semi[-_]space|heap[-_]size|old[-_]space|heap[-_]growing/.test(nodeFlags)) return () => {};
  setFlagsFromString('--heap-growing-percent=50');

  let growthFactor = DEFAULT_GROWTH_FACTOR;
  const adjust = () => {
    const young = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;
    const wanted = young >= YOUNG_GENERATION_CAP_BYTES ? 1 : DEFAULT_GROWTH_FACTOR;
    if (wanted === growthFactor) return;
    setFlagsFromString(`--semi-space-growth-factor=${wanted}`);
    growthFactor = wanted;
  };
  const observer = new PerformanceObserver(adjust);
  observer.observe({ entryTypes: ['gc'] });
  adjust();
  return () => observer.disconnect();
}
