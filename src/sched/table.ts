/**
 * An open-addressing hash table from state fingerprints to two int32 values (sleep
 * mask and depth for the explorer). A Map keyed by 53-bit numbers boxes every key and
 * entry; this keeps them in typed arrays, which matters at a few hundred thousand
 * states per second.
 */

const LO = 2097152; // 2^21: Store.fingerprint() is h1 * 2^21 + (h2 >>> 11)

export class StateTable {
  private hi: Int32Array;
  /** Low 21 bits of the fingerprint plus one; 0 marks an empty slot. */
  private lo: Int32Array;
  a: Int32Array;
  b: Int32Array;
  private mask: number;
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
    const lo = (fp % LO) + 1;
    const hi = ((fp - lo + 1) / LO) | 0;
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
    const lo = (fp % LO) + 1;
    this.lo[i] = lo;
    this.hi[i] = ((fp - lo + 1) / LO) | 0;
    if (++this.size * 2 > this.mask + 1) {
      this.grow();
      return this.probe(fp);
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
