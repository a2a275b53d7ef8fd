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

const LEVELS: readonly Level[] = ["pte", "pmd", "pud"];
const LEVEL_SIZE: Record<Level, number> = { pte: PAGE_SIZE, pmd: PMD_SIZE, pud: PUD_SIZE };
const LEVEL_CODE: Record<Level, number> = { pte: 0, pmd: 1, pud: 2 };
/** Keys: tag (< 2^20), level (2 bits), page index at that level (< 2^28). */
const IDX_SPACE = 2 ** 28;

export interface TlbEntry {
  readonly tag: number;
  /** First virtual address the entry covers. */
  readonly va: number;
  readonly size: number;
  /** First frame of the mapping. */
  readonly pfn: number;
  readonly write: boolean;
  /** Frame generation when the entry was filled. */
  readonly gen: number;
}

export interface TlbHit {
  /** The base-page frame that `addr` translates to. */
  readonly pfn: number;
  readonly write: boolean;
  readonly gen: number;
  readonly entry: TlbEntry;
}

export class Tlb {
  private readonly val: SlotMap;
  private readonly gens: SlotMap;
  /** Every key ever filled, per tag: lets invalidation visit only real entries. */
  private readonly keysByTag = new Map<number, Set<number>>();

  constructor(
    private readonly sim: Sim,
    readonly name: string,
    /** "cpu" TLBs are flushed by the CPU paths; "secondary" ones only by notifiers. */
    readonly kind: "cpu" | "secondary",
  ) {
    this.val = new SlotMap(sim.store, `${name}`);
    this.gens = new SlotMap(sim.store, `${name}.gen`);
  }

  private key(tag: number, level: Level, va: number): number {
    return (tag * 4 + LEVEL_CODE[level]) * IDX_SPACE + Math.floor(va / LEVEL_SIZE[level]);
  }

  private decode(key: number, v: number): TlbEntry {
    const idx = key % IDX_SPACE;
    const hi = Math.floor(key / IDX_SPACE);
    const level = LEVELS[hi % 4]!;
    const size = LEVEL_SIZE[level];
    return { tag: Math.floor(hi / 4), va: idx * size, size, pfn: v >>> 2, write: (v & 2) !== 0, gen: this.gens.get(key) };
  }

  lookup(tag: number, addr: number): TlbHit | null {
    for (const level of LEVELS) {
      const k = this.key(tag, level, addr);
      const v = this.val.get(k);
      if (v !== 0) {
        const e = this.decode(k, v);
        return { pfn: e.pfn + Math.floor((addr - e.va) / PAGE_SIZE), write: e.write, gen: e.gen, entry: e };
      }
    }
    return null;
  }

  fill(tag: number, addr: number, level: Level, pfn: number, write: boolean, gen: number): void {
    const k = this.key(tag, level, addr);
    this.val.set(k, (pfn << 2) | (write ? 2 : 0) | 1);
    this.gens.set(k, gen);
    let keys = this.keysByTag.get(tag);
    if (!keys) this.keysByTag.set(tag, (keys = new Set()));
    keys.add(k);
    this.sim.log(() => `${this.name}: fill tag ${tag} ${hex(addr)} -> pfn ${pfn} ${write ? "rw" : "ro"}${level !== "pte" ? ` (${level})` : ""}`);
  }

  /** Drop entries of `tag` overlapping [start, end); returns how many were dropped. */
  invalidateRange(tag: number, start: number, end: number): number {
    const keys = this.keysByTag.get(tag);
    if (!keys) return 0;
    let n = 0;
    for (const k of keys) {
      const v = this.val.get(k);
      if (v === 0) continue;
      const e = this.decode(k, v);
      if (e.va < end && e.va + e.size > start) {
        this.val.set(k, 0);
        this.gens.set(k, 0);
        n++;
      }
    }
    if (n) this.sim.log(() => `${this.name}: invalidated ${n} entr${n === 1 ? "y" : "ies"} of tag ${tag} in [${hex(start)}, ${hex(end)})`);
    return n;
  }

  /** Drop every entry of `tag` (a whole-ASID / whole-PASID flush). */
  invalidateTag(tag: number): number {
    return this.invalidateRange(tag, 0, Number.POSITIVE_INFINITY);
  }

  invalidateAll(): number {
    let n = 0;
    for (const tag of this.keysByTag.keys()) n += this.invalidateTag(tag);
    return n;
  }

  /** Live entries, optionally only those of one tag. */
  *entries(tag?: number): IterableIterator<TlbEntry> {
    for (const [t, keys] of this.keysByTag) {
      if (tag !== undefined && t !== tag) continue;
      for (const k of keys) {
        const v = this.val.get(k);
        if (v !== 0) yield this.decode(k, v);
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
}
