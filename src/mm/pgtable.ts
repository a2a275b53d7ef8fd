/**
 * A process's page tables: PUD, PMD and PTE levels (the PGD/P4D levels add nothing to
 * the story and are left out). Each PTE table has its own lock (split ptlocks), each
 * PMD table its own pmd lock, and PUD entries use mm->page_table_lock.
 */
import type { Sim } from "../sim/sim";
import { SlotMap } from "../sim/store";
import { SpinLock, type LockRegistry } from "../locking/lock";
import { PAGE_SIZE, PMD_SIZE, PUD_SIZE, hex } from "./constants";
import { type pte_t, pte_huge, pmd_table, mk_table_entry, PTE_PFN_SHIFT, MAX_PFN } from "./pte";

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

  /** Make sure the upper levels point to tables down to `level` (setup and faults). */
  populate(addr: number, level: Level): void {
    if (level === "pud") return;
    if (!pmd_table(this.get_pud(addr))) this.write_pud(addr, mk_table_entry());
    if (level === "pmd") return;
    if (!pmd_table(this.get_pmd(addr))) this.write_pmd(addr, mk_table_entry());
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
