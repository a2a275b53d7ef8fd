/**
 * An open-addressing hash table from state fingerprints to two int32 values (sleep
 * mask and depth for the explorer). A Map keyed by 53-bit numbers boxes every key and
 * entry; this keeps them in one typed array, an entry's four words side by side, so
 * that a probe costs one cache line even when the table is far bigger than the cache.
 */

const LO = 2097152; // 2^21: Store.fingerprint() is h1 * 2^21 + (h2 >>> 11)

/** Words per entry: hi, lo + 1 (0 marks an empty entry), a, b. */
const W = 4;

export class StateTable {
  // A placeholder, replaced in the constructor: written twice, V8 never treats the
  // field as a constant, so grow() does not deoptimise the explorer.
  private cells = new Int32Array(0);
  /** Entries - 1 (a power of two minus one). */
  private mask = 0;
  size = 0;
  /** Whether the last probe() found its fingerprint. */
  found = false;

  constructor(capacity = 1 << 12) {
    let cap = 16;
    while (cap < capacity * 2) cap *= 2;
    this.cells = new Int32Array(cap * W);
    this.mask = cap - 1;
  }

  /** Bytes the table holds. */
  get bytes(): number {
    return this.cells.byteLength;
  }

  /** The entry of `fp`, or the empty entry where it would go (then found is false). */
  probe(fp: number): number {
    const lo = fp % LO;
    return this.probeParts(((fp - lo) / LO) | 0, lo);
  }

  /** probe() of the fingerprint hi * 2^21 + lo (Store.fingerprintHigh/Low). */
  probeParts(hi: number, lo21: number): number {
    const lo = lo21 + 1;
    const mask = this.mask;
    const c = this.cells;
    let i = (hi ^ Math.imul(lo, 0x9e3779b1)) & mask;
    for (;;) {
      const l = c[i * W + 1]!;
      if (l === 0) {
        this.found = false;
        return i;
      }
      if (l === lo && c[i * W] === hi) {
        this.found = true;
        return i;
      }
      i = (i + 1) & mask;
    }
  }

  /** First value of entry i. */
  a(i: number): number {
    return this.cells[i * W + 2]!;
  }
  /** Second value of entry i. */
  b(i: number): number {
    return this.cells[i * W + 3]!;
  }
  setA(i: number, v: number): void {
    this.cells[i * W + 2] = v;
  }
  setB(i: number, v: number): void {
    this.cells[i * W + 3] = v;
  }

  /** Store `fp` in the empty entry `i` from probe(); returns its index, which moves if the table grows. */
  claim(i: number, fp: number): number {
    const lo = fp % LO;
    return this.claimParts(i, ((fp - lo) / LO) | 0, lo);
  }

  /** claim() of the fingerprint hi * 2^21 + lo. */
  claimParts(i: number, hi: number, lo21: number): number {
    this.cells[i * W] = hi;
    this.cells[i * W + 1] = lo21 + 1;
    if (++this.size * 2 > this.mask + 1) {
      this.grow();
      return this.probeParts(hi, lo21);
    }
    return i;
  }

  private grow(): void {
    const old = this.cells;
    const cap = (this.mask + 1) * 2;
    const c = new Int32Array(cap * W);
    const mask = cap - 1;
    for (let j = 0; j < old.length; j += W) {
      const l = old[j + 1]!;
      if (l === 0) continue;
      const hi = old[j]!;
      let i = (hi ^ Math.imul(l, 0x9e3779b1)) & mask;
      while (c[i * W + 1] !== 0) i = (i + 1) & mask;
      const at = i * W;
      c[at] = hi;
      c[at + 1] = l;
      c[at + 2] = old[j + 2]!;
      c[at + 3] = old[j + 3]!;
    }
    this.cells = c;
    this.mask = mask;
  }
}
