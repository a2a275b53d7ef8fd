/**
 * A translation cache: a CPU TLB, an IOMMU's IOTLB or a device's ATC. Entries are
 * tagged (mm id for a CPU, PASID or ASID for an IOMMU) and may map a base page, a
 * PMD-sized or a PUD-sized page. Each entry remembers the frame's allocation
 * generation at fill time, so a later access can tell a reused frame from the same one.
 */
import type { Sim } from "../sim/sim";
import { SlotMap } from "../sim/store";
import { PAGE_SIZE, PMD_SIZE, PUD_SIZE, hex } from "../mm/constants";
import type { Level } from "../mm/pgtable";

/** Entry size by level code (0 pte, 1 pmd, 2 pud). */
const LEVEL_SIZE: readonly number[] = [PAGE_SIZE, PMD_SIZE, PUD_SIZE];
/**
 * Keys (one map per level): the tag's index in first-fill order, then the page index at
 * that level (< 2^36: user addresses up to 2^48, past x86-64's 2^47 and arm64's 48-bit
 * top). Tags are indexed, not used as they are, so a 20-bit PASID keeps keys in 53 bits.
 */
const IDX_SPACE = 2 ** 36;

const levelCode = (level: Level): number => (level === "pte" ? 0 : level === "pmd" ? 1 : 2);

/**
 * Frames per bucket of the by-frame counts, by level code: an entry's own size, so an
 * entry is counted in the buckets its frames fall in (two at most, were it not aligned).
 */
const FRAME_BUCKET: readonly number[] = LEVEL_SIZE.map((size) => size / PAGE_SIZE);

const levelOfSize = (size: number): number => (size === PAGE_SIZE ? 0 : size === PMD_SIZE ? 1 : 2);

export interface TlbEntry {
  readonly tag: number;
  /** First virtual address the entry covers. */
  readonly va: number;
  readonly size: number;
  /** First frame of the mapping. */
  readonly pfn: number;
  readonly write: boolean;
  /**
   * The walker had set the PTE's dirty bit (a write was granted). A write through a
   * writable entry that is not dirty goes back to the page table first, as x86 IOMMUs'
   * A/D updates, an SMMU's HTTU and ATS translation requests with write intent do.
   */
  readonly dirty: boolean;
  /** Frame generation when the entry was filled. */
  readonly gen: number;
}

export interface TlbHit {
  /** The base-page frame that `addr` translates to. */
  readonly pfn: number;
  readonly write: boolean;
  readonly dirty: boolean;
  readonly gen: number;
  readonly entry: TlbEntry;
}

/** Every key ever filled for one tag, in fill order, with its slots and geometry. */
class TagKeys {
  readonly keys: number[] = [];
  /** Each key's index in keys. */
  readonly indexOf = new Map<number, number>();
  readonly valSlots: number[] = [];
  readonly genSlots: number[] = [];
  readonly vas: number[] = [];
  readonly sizes: number[] = [];
  constructor(readonly tag: number) {}
}

/**
 * Live entries copied out of one or more TLBs (Tlb.liveEntriesInto), in entries()
 * order, into reusable arrays: the oracle scans these without allocating.
 */
export class TlbEntryList {
  n = 0;
  readonly tlbs: Tlb[] = [];
  readonly tags: number[] = [];
  readonly vas: number[] = [];
  readonly sizes: number[] = [];
  readonly pfns: number[] = [];
  readonly writes: boolean[] = [];
  readonly gens: number[] = [];
  clear(): void {
    this.n = 0;
  }
}

export class Tlb {
  /** Entry values and fill-time generations, one map per level (each keeps its own
   * last-used block, so the three probes of a lookup do not evict one another). */
  private readonly val: SlotMap[];
  private readonly gens: SlotMap[];
  /** Every key ever filled, per tag (tags in first-fill order): invalidation visits only these. */
  private readonly byTag = new Map<number, TagKeys>();
  private readonly tagList: TagKeys[] = [];
  /** Value slots of the keys above, to tell a new key from a known one. */
  private readonly known = new Set<number>();
  /**
   * Live entries by the frames they map, one map per level (FRAME_BUCKET frames per
   * key): asking whether a freed frame is still mapped reads these few counts, not
   * every entry, so a fill commutes with the free of a frame it does not map.
   */
  private readonly byFrame: SlotMap[] | null;

  constructor(
    private readonly sim: Sim,
    readonly name: string,
    /** "cpu" TLBs are flushed by the CPU paths; "secondary" ones only by notifiers. */
    readonly kind: "cpu" | "secondary",
    /**
     * Keep the by-frame counts. Off for a cache the oracle never asks about frames (an
     * IOMMU's walk cache, whose fills must write nothing but the entry: Store.beginFill).
     */
    countsFrames = true,
  ) {
    this.val = [0, 1, 2].map(() => new SlotMap(sim.store, `${name}`));
    this.gens = [0, 1, 2].map(() => new SlotMap(sim.store, `${name}.gen`));
    this.byFrame = countsFrames ? [0, 1, 2].map(() => new SlotMap(sim.store, `${name}.byframe`)) : null;
  }

  /** Add `delta` to the by-frame counts of a level-`code` entry whose first frame is `pfn`. */
  private countFrames(code: number, pfn: number, delta: number): void {
    if (this.byFrame === null) return;
    const st = this.sim.store;
    const b = FRAME_BUCKET[code]!;
    const last = Math.floor((pfn + b - 1) / b);
    for (let k = Math.floor(pfn / b); k <= last; k++) {
      const slot = this.byFrame[code]!.slotFor(k);
      st.set(slot, st.get(slot) + delta);
    }
  }

  /** Whether some live entry may map a frame in [pfn, pfn + nr): false means none does. */
  private mayMap(pfn: number, nr: number): boolean {
    if (this.byFrame === null) return true;
    for (let code = 0; code < 3; code++) {
      // An entry is counted in every bucket holding one of its frames.
      const b = FRAME_BUCKET[code]!;
      const to = Math.floor((pfn + nr - 1) / b);
      for (let k = Math.floor(pfn / b); k <= to; k++) if (this.byFrame[code]!.get(k) !== 0) return true;
    }
    return false;
  }

  /** Index of each tag ever filled (set-up data, not state: a lookup of an unknown tag misses). */
  private readonly tagIndex = new Map<number, number>();

  /** The key of `va` at level `code` for a tag, or -1 when the tag was never filled. */
  private key(tag: number, code: number, va: number, add = false): number {
    let i = this.tagIndex.get(tag);
    if (i === undefined) {
      if (!add) return -1;
      this.tagIndex.set(tag, (i = this.tagIndex.size));
    }
    return i * IDX_SPACE + Math.floor(va / LEVEL_SIZE[code]!);
  }

  /** Entry value: frame << 3 | dirty << 2 | write << 1 | valid. */
  private static entryOf(tag: number, va: number, size: number, v: number, gen: number): TlbEntry {
    return { tag, va, size, pfn: v >>> 3, write: (v & 2) !== 0, dirty: (v & 4) !== 0, gen };
  }

  lookup(tag: number, addr: number): TlbHit | null {
    for (let code = 0; code < 3; code++) {
      const k = this.key(tag, code, addr);
      if (k < 0) return null;
      const v = this.val[code]!.get(k);
      if (v !== 0) {
        const size = LEVEL_SIZE[code]!;
        const va = Math.floor(addr / size) * size;
        const e = Tlb.entryOf(tag, va, size, v, this.gens[code]!.get(k));
        return { pfn: e.pfn + Math.floor((addr - va) / PAGE_SIZE), write: e.write, dirty: e.dirty, gen: e.gen, entry: e };
      }
    }
    return null;
  }

  fill(tag: number, addr: number, level: Level, pfn: number, write: boolean, gen: number, dirty = write): void {
    const code = levelCode(level);
    const k = this.key(tag, code, addr, true);
    const vs = this.val[code]!.slotFor(k);
    const gs = this.gens[code]!.slotFor(k);
    const st = this.sim.store;
    if (this.byFrame !== null) {
      const old = st.get(vs);
      if (old !== 0) this.countFrames(code, old >>> 3, -1);
      this.countFrames(code, pfn, 1);
    }
    st.set(vs, (pfn << 3) | (write && dirty ? 4 : 0) | (write ? 2 : 0) | 1);
    st.set(gs, gen);
    if (!this.known.has(vs)) {
      this.known.add(vs);
      let t = this.byTag.get(tag);
      if (!t) {
        t = new TagKeys(tag);
        this.byTag.set(tag, t);
        this.tagList.push(t);
      }
      const size = LEVEL_SIZE[code]!;
      t.indexOf.set(k, t.keys.length);
      t.keys.push(k);
      t.valSlots.push(vs);
      t.genSlots.push(gs);
      t.vas.push((k % IDX_SPACE) * size);
      t.sizes.push(size);
    }
    if (this.sim.tracing) this.sim.log(() => `${this.name}: fill tag ${tag} ${hex(addr)} -> pfn ${pfn} ${write ? (dirty ? "rw" : "rw clean") : "ro"}${level !== "pte" ? ` (${level})` : ""}`);
  }

  /** Drop entries of `tag` overlapping [start, end); returns how many were dropped. */
  invalidateRange(tag: number, start: number, end: number): number {
    const t = this.byTag.get(tag);
    if (!t) return 0;
    const st = this.sim.store;
    let n = 0;
    for (let i = 0; i < t.keys.length; i++) {
      // Where a key's entry sits is fixed when it is first filled: an invalidation
      // reads only the entries in its range, and so commutes with fills outside it.
      const va = t.vas[i]!;
      if (va >= end || va + t.sizes[i]! <= start) continue;
      const v = st.get(t.valSlots[i]!);
      if (v === 0) continue;
      st.get(t.genSlots[i]!); // an entry is read whole
      st.set(t.valSlots[i]!, 0);
      st.set(t.genSlots[i]!, 0);
      this.countFrames(levelOfSize(t.sizes[i]!), v >>> 3, -1);
      n++;
    }
    if (n && this.sim.tracing) this.sim.log(() => `${this.name}: invalidated ${n} entr${n === 1 ? "y" : "ies"} of tag ${tag} in [${hex(start)}, ${hex(end)})`);
    return n;
  }

  /** Drop every entry of `tag` (a whole-ASID / whole-PASID flush). */
  invalidateTag(tag: number): number {
    return this.invalidateRange(tag, 0, Number.POSITIVE_INFINITY);
  }

  invalidateAll(): number {
    let n = 0;
    for (const t of this.tagList) n += this.invalidateTag(t.tag);
    return n;
  }

  /** Live entries, optionally only those of one tag. */
  *entries(tag?: number): IterableIterator<TlbEntry> {
    const st = this.sim.store;
    for (const t of this.tagList) {
      if (tag !== undefined && t.tag !== tag) continue;
      for (let i = 0; i < t.keys.length; i++) {
        const v = st.get(t.valSlots[i]!);
        if (v !== 0) yield Tlb.entryOf(t.tag, t.vas[i]!, t.sizes[i]!, v, st.get(t.genSlots[i]!));
      }
    }
  }

  /** Live entries that map any frame in [pfn, pfn + nr). */
  *entriesMapping(pfn: number, nr = 1): IterableIterator<TlbEntry> {
    for (const e of this.entries()) {
      const pages = e.size / PAGE_SIZE;
      if (e.pfn < pfn + nr && e.pfn + pages > pfn) yield e;
    }
  }

  /**
   * The first live entry that maps a frame in [pfn, pfn + nr), in entries() order, or
   * null. Reads the by-frame counts of those frames, and only if one is not zero what
   * entries() would read up to it; allocates only when it finds one.
   */
  firstEntryMapping(pfn: number, nr = 1): TlbEntry | null {
    if (!this.mayMap(pfn, nr)) return null;
    const st = this.sim.store;
    for (const t of this.tagList) {
      for (let i = 0; i < t.keys.length; i++) {
        const v = st.get(t.valSlots[i]!);
        if (v === 0) continue;
        const gen = st.get(t.genSlots[i]!);
        const first = v >>> 3;
        if (first < pfn + nr && first + t.sizes[i]! / PAGE_SIZE > pfn) return Tlb.entryOf(t.tag, t.vas[i]!, t.sizes[i]!, v, gen);
      }
    }
    return null;
  }

  /**
   * Append the live entries that cover `addr`, in entries() order, to `out` (which is
   * not cleared). Reads only the (at most three per tag) entries that can cover it, so
   * a check of one address commutes with fills of others.
   */
  liveEntriesCoveringInto(addr: number, out: TlbEntryList): void {
    const at = this.covering;
    for (const t of this.tagList) {
      let n = 0;
      for (let code = 0; code < 3; code++) {
        const i = t.indexOf.get(this.key(t.tag, code, addr));
        if (i !== undefined) at[n++] = i;
      }
      // At most three keys: put them in fill order without allocating.
      for (let j = 1; j < n; j++) {
        for (let k = j; k > 0 && at[k - 1]! > at[k]!; k--) {
          const x = at[k]!;
          at[k] = at[k - 1]!;
          at[k - 1] = x;
        }
      }
      for (let j = 0; j < n; j++) this.appendIfLive(t, at[j]!, out);
    }
  }
  private readonly covering = new Int32Array(3);

  /** Append every live entry, in entries() order, to `out` (which is not cleared). */
  liveEntriesInto(out: TlbEntryList): void {
    for (const t of this.tagList) for (let i = 0; i < t.keys.length; i++) this.appendIfLive(t, i, out);
  }

  /** Append key i of tag t to `out` if its entry is live (reading it whole). */
  private appendIfLive(t: TagKeys, i: number, out: TlbEntryList): void {
    const st = this.sim.store;
    const v = st.get(t.valSlots[i]!);
    if (v === 0) return;
    const o = out.n++;
    out.tlbs[o] = this;
    out.tags[o] = t.tag;
    out.vas[o] = t.vas[i]!;
    out.sizes[o] = t.sizes[i]!;
    out.pfns[o] = v >>> 3;
    out.writes[o] = (v & 2) !== 0;
    out.gens[o] = st.get(t.genSlots[i]!);
  }
}
