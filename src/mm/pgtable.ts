/**
 * A process's page tables: PUD, PMD and PTE levels (the PGD/P4D levels add nothing to
 * the story and are left out). Each PTE table has its own lock (split ptlocks), each
 * PMD table its own pmd lock, and PUD entries use mm->page_table_lock.
 */
import type { Sim } from "../sim/sim";
import { SlotMap } from "../sim/store";
import { SpinLock, type LockRegistry } from "../locking/lock";
import { PAGE_SHIFT, PMD_SHIFT, PUD_SHIFT, hex } from "./constants";
import { type pte_t, pte_huge, pmd_table, mk_table_entry } from "./pte";

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
    const key = Math.floor(addr / 2 ** PMD_SHIFT);
    let l = this.ptlocks.get(key);
    if (!l) {
      l = new SpinLock(this.locks, `${this.mmName}.ptl[${hex(key * 2 ** PMD_SHIFT)}]`, "ptl");
      this.ptlocks.set(key, l);
    }
    return l;
  }

  /** pmd_lockptr(): the lock of the PMD table that maps `addr`. */
  pmd_lockptr(addr: number): SpinLock {
    const key = Math.floor(addr / 2 ** PUD_SHIFT);
    let l = this.pmdlocks.get(key);
    if (!l) {
      l = new SpinLock(this.locks, `${this.mmName}.pmd_lock[${hex(key * 2 ** PUD_SHIFT)}]`, "ptl");
      this.pmdlocks.set(key, l);
    }
    return l;
  }

  get_pte(addr: number): pte_t {
    return this.pte.get(Math.floor(addr / 2 ** PAGE_SHIFT));
  }
  get_pmd(addr: number): pte_t {
    return this.pmd.get(Math.floor(addr / 2 ** PMD_SHIFT));
  }
  get_pud(addr: number): pte_t {
    return this.pud.get(Math.floor(addr / 2 ** PUD_SHIFT));
  }

  /** Raw writes. Kernel paths use the helpers in mm/ops.ts, which also tell the oracle. */
  write_pte(addr: number, v: pte_t): void {
    this.pte.set(Math.floor(addr / 2 ** PAGE_SHIFT), v);
  }
  write_pmd(addr: number, v: pte_t): void {
    this.pmd.set(Math.floor(addr / 2 ** PMD_SHIFT), v);
  }
  write_pud(addr: number, v: pte_t): void {
    this.pud.set(Math.floor(addr / 2 ** PUD_SHIFT), v);
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
    const pud = this.get_pud(addr);
    if (pud === 0) return null;
    if (pte_huge(pud) || !pmd_table(pud)) return { entry: pud, level: "pud" };
    const pmd = this.get_pmd(addr);
    if (pmd === 0) return null;
    if (!pmd_table(pmd)) return { entry: pmd, level: "pmd" };
    const pte = this.get_pte(addr);
    return pte === 0 ? null : { entry: pte, level: "pte" };
  }
}
