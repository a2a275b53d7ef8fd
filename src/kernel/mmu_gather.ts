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

export class mmu_gather {
  /** Gathered pages: pfn + 1, and how many base pages each covers. */
  readonly pages: SlotMap;
  readonly sizes: SlotMap;
  readonly nr: Cell;
  /** The range with cleared PTEs not yet flushed (start = end = 0 when empty). */
  readonly start: Cell;
  readonly end: Cell;

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
  }

  /** tlb_remove_tlb_entry(): widen the range to flush. Stored in pages to fit 32 bits. */
  tlb_remove_tlb_entry(addr: number, size = PAGE_SIZE): void {
    const s = Math.floor(addr / PAGE_SIZE) + 1;
    const e = Math.floor((addr + size) / PAGE_SIZE) + 1;
    if (this.start.value === 0 || s < this.start.value) this.start.value = s;
    if (e > this.end.value) this.end.value = e;
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
    return (this.start.value - 1) * PAGE_SIZE;
  }
  get rangeEnd(): number {
    return (this.end.value - 1) * PAGE_SIZE;
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

/** tlb_flush_mmu_free(): drop the gathered pages' references (freeing them). */
export function tlb_flush_mmu_free(k: Kernel, tlb: mmu_gather): void {
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
