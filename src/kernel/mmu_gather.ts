/**
 * struct mmu_gather: munmap and exit clear PTEs, gather the pages, and free them only
 * after the TLBs are flushed. When the batch fills in the middle of a large unmap,
 * the gather flushes and frees right there, before invalidate_range_end: the reason
 * hardware TLBs cannot wait for range_end.
 */
import type { Kernel } from "./kernel";
import type { mm_struct } from "../mm/mm";
import { SlotMap, Cell } from "../sim/store";
import { flush_tlb_mm_range } from "../mm/ops";
import { hex, PAGE_SIZE } from "../mm/constants";

/** Page numbers are kept as (page % LOW) + 1 and floor(page / LOW). */
const LOW = 2 ** 30;
function setPage(lo: Cell, hi: Cell, page: number): void {
  const h = Math.floor(page / LOW);
  lo.value = page - h * LOW + 1;
  hi.value = h;
}

export class mmu_gather {
  /** Gathered pages: pfn + 1, and how many base pages each covers. */
  readonly pages: SlotMap;
  readonly sizes: SlotMap;
  readonly nr: Cell;
  /**
   * The range with cleared PTEs not yet flushed, as page numbers split in two slots (a
   * slot holds 32 bits; page numbers of user addresses need 36): `start`/`end` hold the
   * low 30 bits plus one (0 when nothing is gathered), `startHi`/`endHi` the rest.
   */
  readonly start: Cell;
  readonly end: Cell;
  readonly startHi: Cell;
  readonly endHi: Cell;
  /** Page-table pages unlinked by free_pgtables (pfn + 1), freed after the flush. */
  readonly tables: SlotMap;
  readonly nrTables: Cell;

  constructor(
    private readonly k: Kernel,
    readonly mm: mm_struct,
    /** Pages per batch; the kernel's is hundreds, scenarios use a few so it fills. */
    readonly batch: number,
    name: string,
  ) {
    const st = k.sim.store;
    this.pages = new SlotMap(st, `${name}.pages`);
    this.sizes = new SlotMap(st, `${name}.sizes`);
    this.nr = new Cell(st, `${name}.nr`);
    this.start = new Cell(st, `${name}.start`);
    this.end = new Cell(st, `${name}.end`);
    this.startHi = new Cell(st, `${name}.start.hi`);
    this.endHi = new Cell(st, `${name}.end.hi`);
    this.tables = new SlotMap(st, `${name}.tables`);
    this.nrTables = new Cell(st, `${name}.nr_tables`);
  }

  /**
   * pte_free_tlb() / pmd_free_tlb(): the table at `addr` was unlinked; widen the range
   * to flush over it (tlb_flush_pmd_range, so the flush, and the secondary TLBs'
   * notification, happen even when every PTE was flushed already) and keep the page
   * for tlb_remove_table, which frees it only after the flush. The kernel also sets
   * tlb->freed_tables so the CPU drops its paging-structure caches; the notifier call
   * carries no such flag, which is why SVA drivers always invalidate non-leaf.
   */
  pte_free_tlb(addr: number, pfn: number): void {
    this.tlb_remove_tlb_entry(addr);
    const n = this.nrTables.value;
    this.tables.set(n, pfn + 1);
    this.nrTables.value = n + 1;
  }

  /** tlb_remove_tlb_entry(): widen the range to flush. */
  tlb_remove_tlb_entry(addr: number, size = PAGE_SIZE): void {
    const s = Math.floor(addr / PAGE_SIZE);
    const e = Math.floor((addr + size) / PAGE_SIZE);
    if (this.start.value === 0 || s < this.firstPage) setPage(this.start, this.startHi, s);
    if (this.end.value === 0 || e > this.lastPage) setPage(this.end, this.endHi, e);
  }

  private get firstPage(): number {
    return this.startHi.value * LOW + this.start.value - 1;
  }
  private get lastPage(): number {
    return this.endHi.value * LOW + this.end.value - 1;
  }

  /** __tlb_remove_page(): add a page to the batch; true when the batch is now full. */
  __tlb_remove_page(pfn: number, nrPages = 1): boolean {
    const n = this.nr.value;
    this.pages.set(n, pfn + 1);
    this.sizes.set(n, nrPages);
    this.nr.value = n + 1;
    return n + 1 >= this.batch;
  }

  get rangeStart(): number {
    return this.firstPage * PAGE_SIZE;
  }
  get rangeEnd(): number {
    return this.lastPage * PAGE_SIZE;
  }
}

/**
 * tlb_flush_mmu_tlbonly(): flush the CPU TLB for the gathered range, tell secondary
 * TLBs about the same range, and reset the range.
 */
export function tlb_flush_mmu_tlbonly(k: Kernel, tlb: mmu_gather): void {
  const hook = k.hooks.tlb_flush_mmu_tlbonly;
  if (hook) return hook(k, tlb);
  if (tlb.start.value === 0) return;
  const start = tlb.rangeStart;
  const end = tlb.rangeEnd;
  flush_tlb_mm_range(k, tlb.mm, start, end);
  if (k.arch.notifierModel === "rfc") k.mn.mmu_notifier_invalidate_secondary_tlbs(tlb.mm, start, end);
  if (k.sim.tracing) k.sim.log(() => `tlb_flush_mmu_tlbonly [${hex(start)}, ${hex(end)})`);
  tlb.start.value = 0;
  tlb.end.value = 0;
}

/** tlb_table_flush(): free the gathered page-table pages (the flush has run). */
function tlb_table_flush(k: Kernel, tlb: mmu_gather): void {
  const n = tlb.nrTables.value;
  if (n === 0) return;
  for (let i = 0; i < n; i++) {
    const pfn = tlb.tables.get(i) - 1;
    tlb.tables.set(i, 0);
    k.phys.put_page(pfn);
  }
  tlb.nrTables.value = 0;
}

/** tlb_flush_mmu_free(): free the gathered page tables, then drop the gathered pages' references (freeing them). */
export function tlb_flush_mmu_free(k: Kernel, tlb: mmu_gather): void {
  tlb_table_flush(k, tlb);
  const n = tlb.nr.value;
  for (let i = 0; i < n; i++) {
    const pfn = tlb.pages.get(i) - 1;
    const sz = tlb.sizes.get(i);
    tlb.pages.set(i, 0);
    tlb.sizes.set(i, 0);
    k.phys.put_page(pfn, sz);
  }
  tlb.nr.value = 0;
}

/** tlb_flush_mmu(): flush, then free. */
export function tlb_flush_mmu(k: Kernel, tlb: mmu_gather): void {
  const hook = k.hooks.tlb_flush_mmu;
  if (hook) return hook(k, tlb);
  tlb_flush_mmu_tlbonly(k, tlb);
  tlb_flush_mmu_free(k, tlb);
}

/** tlb_finish_mmu(): the final flush and free at the end of an unmap. */
export function tlb_finish_mmu(k: Kernel, tlb: mmu_gather): void {
  tlb_flush_mmu(k, tlb);
}
