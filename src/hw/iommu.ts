/**
 * What every IOMMU / accelerator model offers the simulator: translation for a device
 * access (caches first, then a walk of the shared CPU page table, as hardware may do
 * at any moment), the caches the oracle must watch, and queued work the hardware
 * performs at steps of its own.
 *
 * Vendor models (AMD, ARM SMMUv3, Intel VT-d, OpenCAPI) extend this class.
 */
import type { Sim } from "../sim/sim";
import type { mm_struct } from "../mm/mm";
import type { PhysMem } from "../mm/frames";
import { Tlb, type TlbHit } from "./tlb";
import { type pte_t, pte_present, pte_write, pte_pfn, pte_mkyoung, pte_mkdirty, pte_dirty } from "../mm/pte";
import type { Level } from "../mm/pgtable";
import { PAGE_SIZE, PMD_SIZE, PUD_SIZE, hex } from "../mm/constants";
import type { WatchedTlb } from "../oracle/oracle";

export type TranslateResult = { readonly ok: true; readonly hit: TlbHit } | { readonly ok: false; readonly reason: "not-present" | "permission" };

/** Above this many commands in one step the watchdog would call it a soft lockup. */
export const FLOOD_LIMIT = 1 << 16;

export interface IommuOptions {
  /**
   * On a write through a cached read-only entry, re-walk the page table (x86 IOMMUs
   * do) or fault from the cached entry (an SMMU may, which is what makes the arm64
   * permission-upgrade livelock possible).
   */
  readonly rewalkOnPermissionFault?: boolean;
}

export abstract class IommuModel {
  /** Commands executed, by kind: the cost a notebook plots. */
  readonly cost: Record<string, number> = {};
  /** Commands issued during the running step (flood detection). */
  private issuedThisStep = 0;
  /**
   * The paging-structure cache (model.freePageTables): for each address-space tag, the
   * PMD entries walked, as pointers to their PTE table's page (a Tlb entry at PMD level
   * whose frame is the table). Only the IOMMU's: an ATS device caches leaf translations.
   * Null for hardware without one, and with the switch off; unused in worlds where no
   * kernel path frees page tables (PhysMem.pageTablesFreed), where it cannot matter.
   */
  protected walkCache: Tlb | null = null;
  /** Level of the entry the last walkTables() returned. */
  protected walkLevel: Level = "pte";

  constructor(
    protected readonly sim: Sim,
    protected readonly phys: PhysMem,
    readonly name: string,
    protected readonly opts: IommuOptions = {},
  ) {}

  /** Translation caches a device access looks in, nearest first (ATC, then IOTLB). */
  abstract caches(): readonly Tlb[];
  /** The cache tag and address space for a device access with this PASID, or null if unbound. */
  abstract context(pasid: number): { tag: number; mm: mm_struct } | null;
  /** Which mm a cache tag belongs to (for the oracle). */
  abstract mmOfTag(tag: number): mm_struct | null;
  /** Whether the hardware has queued work it can do now. */
  abstract hasPendingWork(): boolean;
  /** What the next unit of queued work is, for the trace ("execute CMD_SYNC"). */
  nextWork(): string {
    return "execute a queued command";
  }
  /** Do one unit of queued work (consume a command). */
  abstract doPendingWork(): string;

  /** Give this IOMMU a paging-structure cache (vendor constructors; only with model.freePageTables). */
  protected addWalkCache(): void {
    if (this.sim.model.freePageTables) this.walkCache = new Tlb(this.sim, `${this.name}.walk-cache`, "secondary", false);
  }

  /** The paging-structure cache, for tests and traces (null if there is none). */
  get pagingStructureCache(): Tlb | null {
    return this.walkCache;
  }

  /** Drop walk-cache entries of `tag` whose PMD span overlaps [start, end): a non-leaf invalidation. */
  protected invalidateWalks(tag: number, start: number, end: number): void {
    this.walkCache?.invalidateRange(tag, start, end);
  }

  /**
   * The hardware walk of mm's page table for `addr` (no lock taken): from the PTE table
   * the walk cache holds for (tag, addr's PMD entry) if it holds one, else from the top,
   * caching the PTE table it went through. Returns the leaf entry, or 0 for nothing
   * mapped; its level goes to walkLevel. A walk through a table page that has been
   * freed (or freed and reused) is device-walks-freed-page-table, and faults.
   */
  protected walkTables(tag: number, mm: mm_struct, addr: number): pte_t {
    const pgd = mm.pgd;
    // Only where some kernel path frees tables can a cached table pointer go stale.
    const wc = this.phys.pageTablesFreed ? this.walkCache : null;
    let cached = false;
    if (wc) {
      const st = this.sim.store;
      // The lookup is a fill-mode access (Store.beginFill) as long as what it finds is
      // what a walk would cache now: then the walk below gives the same answer either
      // way, and devices that share the entry commute.
      let hit;
      st.beginFill();
      try {
        hit = wc.lookup(tag, addr);
      } finally {
        st.endFill();
      }
      cached = hit !== null;
      if (hit && !(pgd.pte_table_pfn(addr) === hit.entry.pfn && this.phys.generation(hit.entry.pfn) === hit.entry.gen)) {
        wc.lookup(tag, addr); // a stale pointer: a plain read, whose value matters
        const table = hit.entry.pfn;
        if (this.freedTable(table, hit.entry.gen, addr, true)) return 0;
        this.walkLevel = "pte";
        // A table still allocated but no longer linked was unlinked by free_pgtables after
        // the zap emptied it (it waits in the mmu_gather for the flush): nothing is mapped.
        return pgd.pte_table_pfn(addr) === table ? pgd.get_pte(addr) : 0;
      }
    }
    const entry = pgd.leaf(addr);
    this.walkLevel = pgd.leafLevel;
    if (this.sim.model.freePageTables && pgd.leafLevel === "pte" && entry !== 0) {
      const table = pgd.pte_table_pfn(addr);
      if (table > 0) {
        if (this.freedTable(table, this.phys.generation(table), addr, false)) return 0;
        if (wc && !cached) {
          const st = this.sim.store;
          const gen = this.phys.generation(table);
          st.beginFill();
          try {
            wc.fill(tag, addr, "pmd", table, false, gen, false);
          } finally {
            st.endFill();
          }
        }
      }
    }
    return entry;
  }

  /** Report a walk through page-table page `pfn` (generation `gen` when it was cached) if it is free or reused. */
  private freedTable(pfn: number, gen: number, addr: number, cached: boolean): boolean {
    const freed = !this.phys.allocated(pfn);
    if (!freed && this.phys.generation(pfn) === gen) return false;
    const what = freed ? "which has been freed" : `which was freed and reused by ${this.phys.ownerOf(pfn)}`;
    this.sim.report(
      "device-walks-freed-page-table",
      cached
        ? `${this.name} walked ${hex(addr)} through its paging-structure cache to the PTE table in pfn ${pfn}, ${what}: free_pgtables frees a table only after the TLB flush, so that flush's secondary-TLB invalidation must drop cached table pointers too (not leaf-only: leaf=false on an SMMU, ih=0 on VT-d), and release must stop the device walking the mm`
        : `${this.name} walked ${hex(addr)} through the PTE table in pfn ${pfn}, ${what}: a page table is freed only after it is unlinked and the TLBs are flushed`,
      { address: addr, pfn },
    );
    return true;
  }

  watched(): WatchedTlb[] {
    return this.caches().map((tlb) => ({ tlb, mmOfTag: (t: number) => this.mmOfTag(t) }));
  }

  /** Count a command; a flood of them in one step is a soft lockup. */
  protected charge(kind: string, n = 1): void {
    // A resumed step replaying what it did before its wait queued nothing new.
    if (this.sim.store.replaying) return;
    this.cost[kind] = (this.cost[kind] ?? 0) + n;
    this.issuedThisStep += n;
    // A notifier callback never reschedules: this many commands in one go is a soft
    // lockup whether or not a spinlock is held (the reported one came from munmap).
    if (this.issuedThisStep > FLOOD_LIMIT) {
      const where = this.sim.inAtomic() ? " with the page-table lock held" : " without rescheduling";
      this.issuedThisStep = 0;
      this.sim.abort(
        "invalidation-flood",
        `soft lockup: ${this.name} was sent more than ${FLOOD_LIMIT} invalidation commands in one step${where}: invalidate a huge range with one whole-address-space command instead of one per page`,
      );
    }
  }

  /** Called by the model at the start of each step. */
  resetStepCounters(): void {
    this.issuedThisStep = 0;
  }

  totalCommands(): number {
    let n = 0;
    for (const v of Object.values(this.cost)) n += v;
    return n;
  }

  /**
   * Translate a device access. A cache hit is used as is, stale or not: that is the
   * point. A miss in the device's TLB that hits the IOMMU's fills the device's TLB
   * from it (the translation hierarchy). A miss everywhere walks the shared page table with no lock, sets the accessed/dirty
   * bits as x86 and SMMU hardware do, and fills the nearest caches.
   */
  translate(pasid: number, addr: number, write: boolean): TranslateResult {
    const ctx = this.context(pasid);
    if (!ctx) return { ok: false, reason: "not-present" };
    const caches = this.caches();
    for (let i = 0; i < caches.length; i++) {
      const hit = caches[i]!.lookup(ctx.tag, addr);
      if (!hit) continue;
      // A write through a writable entry the walker has not marked dirty goes back to
      // the page table to set the dirty bit: it faults if the PTE has changed since.
      if (write && hit.write && !hit.dirty && this.sim.model.dirtyBitWalk) break;
      if (!write || hit.write) {
        // A device-TLB miss is a translation request the IOMMU answers from its own
        // TLB: a stale IOMMU entry refills the device TLB. So the IOMMU TLB must be
        // invalidated before the device TLB, never after.
        if (i > 0 && this.sim.model.tlbHierarchy) {
          const e = hit.entry;
          const level = e.size === PAGE_SIZE ? "pte" : e.size === PMD_SIZE ? "pmd" : "pud";
          for (let j = 0; j < i; j++) caches[j]!.fill(ctx.tag, e.va, level, e.pfn, e.write, e.gen, e.dirty);
        }
        return { ok: true, hit };
      }
      if (!this.opts.rewalkOnPermissionFault) return { ok: false, reason: "permission" };
      break;
    }
    const pgd = ctx.mm.pgd;
    const entry = this.walkTables(ctx.tag, ctx.mm, addr);
    const level = this.walkLevel;
    if (!pte_present(entry)) return { ok: false, reason: "not-present" };
    if (write && !pte_write(entry)) return { ok: false, reason: "permission" };
    const size = level === "pte" ? PAGE_SIZE : level === "pmd" ? PMD_SIZE : PUD_SIZE;
    const base = Math.floor(addr / size) * size;
    const updated = write ? pte_mkdirty(pte_mkyoung(entry)) : pte_mkyoung(entry);
    if (updated !== entry) {
      if (level === "pte") pgd.write_pte(addr, updated);
      else if (level === "pmd") pgd.write_pmd(addr, updated);
      else pgd.write_pud(addr, updated);
    }
    const headPfn = pte_pfn(entry);
    const pfn = headPfn + Math.floor((addr - base) / PAGE_SIZE);
    const gen = this.phys.generation(pfn);
    const w = pte_write(entry);
    const dirty = pte_dirty(updated);
    for (let i = 0; i < caches.length; i++) caches[i]!.fill(ctx.tag, base, level, headPfn, w, gen, dirty);
    if (this.sim.tracing) this.sim.log(() => `${this.name}: page walk ${hex(addr)} -> pfn ${pfn}`);
    return { ok: true, hit: { pfn, write: w, dirty, gen, entry: { tag: ctx.tag, va: base, size, pfn: headPfn, write: w, dirty, gen } } };
  }
}

export { Tlb };
