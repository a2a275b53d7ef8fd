/**
 * A process's page tables: PUD, PMD and PTE levels (the PGD/P4D levels add nothing to
 * the story and are left out). Each PTE table has its own lock (split ptlocks), each
 * PMD table its own pmd lock, and PUD entries use mm->page_table_lock.
 */
import type { Sim } from "../sim/sim";
import { SlotMap } from "../sim/store";
import { SpinLock, type LockRegistry } from "../locking/lock";
import { PAGE_SIZE, PMD_SIZE, PUD_SIZE, hex } from "./constants";
import { type pte_t, pte_huge, pmd_table, pte_pfn, mk_table_entry, PTE_PFN_SHIFT, MAX_PFN } from "./pte";

/** Where page-table pages come from (the frame allocator), when tables have frames. */
export interface TableFrames {
  alloc_table_page(owner: string): number;
}

export type Level = "pte" | "pmd" | "pud";

/** Where a hardware walk ended: the leaf entry and its level, or nothing mapped. */
export interface WalkResult {
  readonly entry: pte_t;
  readonly level: Level;
}

export class PageTable {
  private readonly pud: SlotMap;
  private readonly pmd: SlotMap;
  private readonly pte: SlotMap;
  private readonly ptlocks = new Map<number, SpinLock>();
  private readonly pmdlocks = new Map<number, SpinLock>();
  /**
   * With model.freePageTables: PMD and PTE tables are page frames from here, named in
   * the entry above them, and free_pgtables gives them back. Null: tables have no frame.
   */
  private frames: TableFrames | null = null;

  constructor(
    private readonly sim: Sim,
    private readonly locks: LockRegistry,
    private readonly mmName: string,
    /** mm->page_table_lock: guards PUD entries. */
    readonly page_table_lock: SpinLock,
  ) {
    this.pud = new SlotMap(sim.store, `${mmName}.pud`);
    this.pmd = new SlotMap(sim.store, `${mmName}.pmd`);
    this.pte = new SlotMap(sim.store, `${mmName}.pte`);
  }

  /** pte_lockptr(): the lock of the PTE table that maps `addr`. */
  pte_lockptr(addr: number): SpinLock {
    const key = Math.floor(addr / PMD_SIZE);
    let l = this.ptlocks.get(key);
    if (!l) {
      l = new SpinLock(this.locks, `${this.mmName}.ptl[${hex(key * PMD_SIZE)}]`, "ptl");
      this.ptlocks.set(key, l);
    }
    return l;
  }

  /** pmd_lockptr(): the lock of the PMD table that maps `addr`. */
  pmd_lockptr(addr: number): SpinLock {
    const key = Math.floor(addr / PUD_SIZE);
    let l = this.pmdlocks.get(key);
    if (!l) {
      l = new SpinLock(this.locks, `${this.mmName}.pmd_lock[${hex(key * PUD_SIZE)}]`, "ptl");
      this.pmdlocks.set(key, l);
    }
    return l;
  }

  get_pte(addr: number): pte_t {
    return this.pte.get(Math.floor(addr / PAGE_SIZE));
  }
  get_pmd(addr: number): pte_t {
    return this.pmd.get(Math.floor(addr / PMD_SIZE));
  }
  get_pud(addr: number): pte_t {
    return this.pud.get(Math.floor(addr / PUD_SIZE));
  }

  /** Raw writes. Kernel paths use the helpers in mm/ops.ts, which also tell the oracle. */
  write_pte(addr: number, v: pte_t): void {
    this.pte.set(Math.floor(addr / PAGE_SIZE), v);
  }
  write_pmd(addr: number, v: pte_t): void {
    this.pmd.set(Math.floor(addr / PMD_SIZE), v);
  }
  write_pud(addr: number, v: pte_t): void {
    this.pud.set(Math.floor(addr / PUD_SIZE), v);
  }

  /**
   * set_ptes() without the oracle (raw, like write_pte): `nr` PTEs from addr, mapping
   * consecutive frames from the one `pte` maps (same bits otherwise).
   */
  set_ptes(addr: number, pte: pte_t, nr: number): void {
    if ((pte >>> PTE_PFN_SHIFT) + nr - 1 > MAX_PFN) throw new RangeError(`pfn ${(pte >>> PTE_PFN_SHIFT) + nr - 1} out of range`);
    const first = Math.floor(addr / PAGE_SIZE);
    const st = this.sim.store;
    for (let i = 0; i < nr; ) {
      const s = this.pte.run(first + i, nr - i);
      const len = this.pte.runLength;
      st.setRange(s, len, pte + (i << PTE_PFN_SHIFT), 1 << PTE_PFN_SHIFT);
      i += len;
    }
  }

  /** Give page-table pages frames from `frames` (set up by the Kernel, before any populate). */
  useTableFrames(frames: TableFrames): void {
    this.frames = frames;
  }

  /** A new table's entry: in a frame of its own when tables have frames (pmd_alloc_one, pte_alloc_one). */
  private newTable(what: string): pte_t {
    return mk_table_entry(this.frames ? this.frames.alloc_table_page(`${this.mmName} ${what} table`) : 0);
  }

  /** Make sure the upper levels point to tables down to `level` (setup and faults). */
  populate(addr: number, level: Level): void {
    if (level === "pud") return;
    if (!pmd_table(this.get_pud(addr))) this.write_pud(addr, this.newTable("PMD"));
    if (level === "pmd") return;
    if (!pmd_table(this.get_pmd(addr))) this.write_pmd(addr, this.newTable("PTE"));
  }

  /** The frame of the PTE table that maps `addr`, 0 if that table has none, -1 if there is no PTE table. */
  pte_table_pfn(addr: number): number {
    if (!pmd_table(this.get_pud(addr))) return -1;
    const pmd = this.get_pmd(addr);
    return pmd_table(pmd) ? pte_pfn(pmd) : -1;
  }

  /**
   * free_pgtables() (mm/memory.c): unlink the PTE tables of the PMD regions `regions`,
   * and the PMD tables above them, that no address still in use needs (`inUse(lo, hi)`:
   * some VMA still maps part of [lo, hi)), and hand each table's frame to `free`
   * (pte_free_tlb / pmd_free_tlb: the mmu_gather frees it after the TLB flush).
   * Called after the range's PTEs have all been zapped, so an unlinked table is empty.
   */
  free_pgtables(regions: readonly number[], inUse: (lo: number, hi: number) => boolean, free: (addr: number, pfn: number) => void): void {
    let lastPud = -1;
    const puds: number[] = [];
    for (const r of regions) {
      const pudStart = Math.floor(r / PUD_SIZE) * PUD_SIZE;
      if (pudStart !== lastPud) {
        lastPud = pudStart;
        if (!pmd_table(this.get_pud(r))) continue;
        puds.push(pudStart);
      } else if (puds[puds.length - 1] !== pudStart) continue;
      const pmd = this.get_pmd(r);
      if (!pmd_table(pmd) || inUse(r, r + PMD_SIZE)) continue;
      this.write_pmd(r, 0);
      if (pte_pfn(pmd)) free(r, pte_pfn(pmd));
    }
    for (const p of puds) {
      const pud = this.get_pud(p);
      if (inUse(p, p + PUD_SIZE) || !this.pmdTableEmpty(p)) continue;
      this.write_pud(p, 0);
      if (pte_pfn(pud)) free(p, pte_pfn(pud));
    }
  }

  /** Whether every entry of the PMD table under the PUD entry at `pudStart` is none. */
  private pmdTableEmpty(pudStart: number): boolean {
    for (let a = pudStart; a < pudStart + PUD_SIZE; a += PMD_SIZE) if (this.get_pmd(a) !== 0) return false;
    return true;
  }

  /**
   * What a hardware walker (CPU MMU or IOMMU) sees for `addr`: it takes no lock,
   * it reads whatever the entries hold at this instant.
   */
  walk(addr: number): WalkResult | null {
    const e = this.leaf(addr);
    return e === 0 ? null : { entry: e, level: this.leafLevel };
  }

  /** Level of the entry the last leaf() returned. */
  leafLevel: Level = "pte";

  /** walk() without a result object: the leaf entry, or 0; its level goes to leafLevel. */
  leaf(addr: number): pte_t {
    const pud = this.get_pud(addr);
    if (pud === 0) return 0;
    if (pte_huge(pud) || !pmd_table(pud)) {
      this.leafLevel = "pud";
      return pud;
    }
    const pmd = this.get_pmd(addr);
    if (pmd === 0) return 0;
    if (!pmd_table(pmd)) {
      this.leafLevel = "pmd";
      return pmd;
    }
    this.leafLevel = "pte";
    return this.get_pte(addr);
  }
}
