/**
 * An open-addressing hash table from state fingerprints to two int32 values (sleep
 * mask and depth for the explorer). A Map keyed by 53-bit numbers boxes every key and
 * entry; this keeps them in typed arrays, which matters at a few hundred thousand
 * states per second.
 */

const LO = 2097152; // 2^21: Store.fingerprint() is h1 * 2^21 + (h2 >>> 11)

export class StateTable {
  // Placeholders, replaced in the constructor: written twice, V8 never treats these
  // fields as constants, so grow() does not deoptimise the explorer.
  private hi = new Int32Array(0);
  /** Low 21 bits of the fingerprint plus one; 0 marks an empty slot. */
  private lo = new Int32Array(0);
  a = new Int32Array(0);
  b = new Int32Array(0);
  private mask = 0;
  size = 0;
  /** Whether the last probe() found its fingerprint. */
  found = false;

  constructor(capacity = 1 << 12) {
    let cap = 16;
    while (cap < capacity * 2) cap *= 2;
    this.hi = new Int32Array(cap);
    this.lo = new Int32Array(cap);
    this.a = new Int32Array(cap);
    this.b = new Int32Array(cap);
    this.mask = cap - 1;
  }

  /** The entry of `fp`, or the empty slot where it would go (then found is false). */
  probe(fp: number): number {
    const lo = fp % LO;
    return this.probeParts(((fp - lo) / LO) | 0, lo);
  }

  /** probe() of the fingerprint hi * 2^21 + lo (Store.fingerprintHigh/Low). */
  probeParts(hi: number, lo21: number): number {
    const lo = lo21 + 1;
    const mask = this.mask;
    let i = (hi ^ Math.imul(lo, 0x9e3779b1)) & mask;
    for (;;) {
      const l = this.lo[i]!;
      if (l === 0) {
        this.found = false;
        return i;
      }
      if (l === lo && this.hi[i] === hi) {
        this.found = true;
        return i;
      }
      i = (i + 1) & mask;
    }
  }

  /** Store `fp` in the empty slot `i` from probe(); returns its index, which moves if the table grows. */
  claim(i: number, fp: number): number {
    const lo = fp % LO;
    return this.claimParts(i, ((fp - lo) / LO) | 0, lo);
  }

  /** claim() of the fingerprint hi * 2^21 + lo. */
  claimParts(i: number, hi: number, lo21: number): number {
    this.lo[i] = lo21 + 1;
    this.hi[i] = hi;
    if (++this.size * 2 > this.mask + 1) {
      this.grow();
      return this.probeParts(hi, lo21);
    }
    return i;
  }

  private grow(): void {
    const { hi, lo, a, b } = this;
    const cap = (this.mask + 1) * 2;
    this.hi = new Int32Array(cap);
    this.lo = new Int32Array(cap);
    this.a = new Int32Array(cap);
    this.b = new Int32Array(cap);
    this.mask = cap - 1;
    for (let j = 0; j < lo.length; j++) {
      const l = lo[j]!;
      if (l === 0) continue;
      let i = (hi[j]! ^ Math.imul(l, 0x9e3779b1)) & this.mask;
      while (this.lo[i] !== 0) i = (i + 1) & this.mask;
      this.lo[i] = l;
      this.hi[i] = hi[j]!;
      this.a[i] = a[j]!;
      this.b[i] = b[j]!;
    }
  }
}
