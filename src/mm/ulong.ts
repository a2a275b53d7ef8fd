/**
 * C's `unsigned long` on a 64-bit kernel, as a bigint: arithmetic wraps modulo 2^64,
 * as the kernel's does. Driver code that computes page counts from (start, end) uses
 * these helpers so that a computation that wraps in C wraps here too (v6.6's Intel
 * driver turned (0, -1UL) into a count of 0 pages: v6.6:drivers/iommu/intel/svm.c:226-227,
 * docs/KERNEL-FACTS.md#intel-v66-wrap).
 *
 * A bigint cannot be shifted with `>>>` and cannot be mixed with a number by accident
 * (TypeScript and the runtime both refuse), so a 64-bit value is not silently cut to
 * 32 bits, as `x >>> 12` on a JS number would do.
 */
import { ULONG_MAX } from "./constants";

export type unsigned_long = bigint;

const BITS = 64;
/** -1UL: every bit set. */
export const ULONG_MAX_UL: unsigned_long = (1n << 64n) - 1n;

/**
 * The unsigned long a simulation number stands for. The simulation's ULONG_MAX (2^64
 * as a JS number, which cannot hold 2^64 - 1) is -1UL; other values must be
 * non-negative integers and wrap modulo 2^64 like a C conversion.
 */
export function ULONG(n: number | bigint): unsigned_long {
  if (typeof n === "bigint") return BigInt.asUintN(BITS, n);
  if (!Number.isInteger(n)) throw new RangeError(`ULONG(${n}): not an integer`);
  if (n >= ULONG_MAX) return ULONG_MAX_UL;
  return BigInt.asUintN(BITS, BigInt(n));
}

/**
 * The u64 argument `what` of `fn` (a hardware helper that takes `unsigned long`/`u64`),
 * wrapped to 64 bits as a C conversion does. TypeScript already refuses a number there;
 * a kata file run without type checks gets a one-line oops naming the fix, not a value
 * silently rounded above 2^53.
 */
export function u64_arg(fn: string, what: string, v: unsigned_long): unsigned_long {
  if (typeof v !== "bigint") throw new TypeError(`${fn}: ${what} ${String(v)} is a ${typeof v}, not an unsigned long: pass an unsigned_long (ULONG(x))`);
  return BigInt.asUintN(BITS, v);
}

/** a + b, wrapping as unsigned long does. */
export const ul_add = (a: unsigned_long, b: unsigned_long): unsigned_long => BigInt.asUintN(BITS, a + b);
/** a - b, wrapping as unsigned long does. */
export const ul_sub = (a: unsigned_long, b: unsigned_long): unsigned_long => BigInt.asUintN(BITS, a - b);
/** a << n, dropping the bits shifted out above bit 63. */
export const ul_shl = (a: unsigned_long, n: number): unsigned_long => BigInt.asUintN(BITS, a << BigInt(n));
/** a >> n (logical: unsigned long has no sign). */
export const ul_shr = (a: unsigned_long, n: number): unsigned_long => BigInt.asUintN(BITS, a) >> BigInt(n);

/**
 * The value as a JS number, for the hardware model's descriptors. Refuses values a
 * number cannot hold exactly (above 2^53), instead of rounding them.
 */
export function ul_to_number(a: unsigned_long): number {
  if (a > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`unsigned long 0x${a.toString(16)} does not fit a JS number exactly`);
  return Number(a);
}

/**
 * Refuse a number that cannot be the unsigned long a hardware helper takes: negative or
 * fractional. (Values past 2^53 are kept: a range command covering (0, ULONG_MAX) walks
 * addresses up there, where only whole-address-space meaning matters.) JavaScript's
 * bitwise operators (| & ^ ~ << >> >>>) compute in 32 bits: an address above 2 GiB comes
 * out of `| 0` or `& ~0xfff` negative, and is refused here; one above 4 GiB loses its
 * high bits instead, which the scenarios above 4 GiB show as a stale translation.
 */
export function check_ulong_arg(fn: string, what: string, v: number): void {
  if (Number.isInteger(v) && v >= 0) return;
  const cut = Number.isInteger(v) && v >= -(2 ** 31);
  throw new RangeError(
    `${fn}: ${what} ${v} is not an unsigned long` +
      (cut ? " (a JavaScript bitwise operator, | & ^ ~ << >>, cut it to a signed 32-bit integer: use Math.floor(x / PAGE_SIZE) * PAGE_SIZE, or the ul_* helpers on ULONG(x))" : ""),
  );
}
