/**
 * HAProxy's weight constants (include/haproxy/backend-t.h and server-t.h,
 * 2.6). The dynamic algorithms work on "effective weights" scaled by
 * BE_WEIGHT_SCALE so that slow-start can modulate them finely; we have no
 * slow-start but keep the scale because fwrr's positions and tie-breaking
 * keys depend on it.
 */
export const BE_WEIGHT_SCALE = 16;
export const SRV_UWGHT_RANGE = 256;
export const SRV_UWGHT_MAX = SRV_UWGHT_RANGE;
export const SRV_EWGHT_MAX = SRV_UWGHT_MAX * BE_WEIGHT_SCALE;

/** C's `int / int`: truncates toward zero (JS `%` already matches C's `%`). */
export function cdiv(a: number, b: number): number {
  return Math.trunc(a / b);
}

/**
 * `srv->next_eweight = (uweight * wdiv + wmult - 1) / wmult`: the effective
 * weight of a user weight. The dynamic algorithms use wdiv = BE_WEIGHT_SCALE,
 * wmult = 1; static-rr uses wdiv = 1, wmult = GCD of the weights.
 */
export function effectiveWeight(userWeight: number, wdiv: number, wmult: number): number {
  return cdiv(userWeight * wdiv + wmult - 1, wmult);
}
