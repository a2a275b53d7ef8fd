/**
 * Reverse-map walkers that take a page away from a mapping while the process keeps
 * using its memory: reclaim (try_to_unmap_one), migration (try_to_migrate_one) and
 * writeback's write-protect (page_vma_mkclean_one).
 */
import type { Kernel } from "./kernel";
import type { mm_struct, vm_area_struct } from "../mm/mm";
import { ProgramBuilder, DONE } from "../sim/program";
import { Cell, SlotMap } from "../sim/store";
import { set_entry, ptep_clear_flush, ptep_get_and_clear, flush_tlb_page, arch_tlbbatch_add_pending, arch_tlbbatch_flush } from "../mm/ops";
import { pte_present, pte_pfn, pte_write, pte_dirty, pte_mkclean, pte_wrprotect, swp_entry_to_pte, make_migration_entry, pfn_pte } from "../mm/pte";
import { MMU_NOTIFIER_RANGE_BLOCKABLE, type mmu_notifier_range } from "../notifier/mmu_notifier";
import { PAGE_SIZE, hex } from "../mm/constants";
import type { TryToUnmapBranch } from "./hooks";

/** Swap space: slot -> the write id the page held when it was written out. */
export class SwapSpace {
  readonly slots: SlotMap;
  private readonly next: Cell;
  constructor(k: Kernel) {
    this.slots = new SlotMap(k.sim.store, "swap");
    this.next = new Cell(k.sim.store, "swap.next");
  }
  /** Reserve a slot (swap entries are non-zero, so slots start at 1). */
  alloc(): number {
    const s = this.next.value + 1;
    this.next.value = s;
    return s;
  }
}

/**
 * Take a reference on the page mapped at `addr` and keep its pfn in `into`: reclaim's
 * and migration's isolation, KSM's follow_page(FOLL_GET). False if nothing is mapped.
 */
export function get_mapped_page(k: Kernel, mm: mm_struct, addr: number, into: Cell): boolean {
  const pte = mm.pgd.get_pte(addr);
  if (!pte_present(pte)) return false;
  into.value = pte_pfn(pte);
  k.phys.get_page(into.value);
  return true;
}

export interface ReclaimOptions {
  /**
   * TTU_BATCH_FLUSH: clear the PTE without flushing and queue the CPU flush
   * (arch_tlbbatch_add_pending), which try_to_unmap_flush() does before pageout. For
   * the swap and discard branches.
   */
  readonly batched?: boolean;
}

/**
 * Reclaim of the page mapped at `addr`: shrink_folio_list() has isolated it (holding
 * a reference), try_to_unmap_one() clears the PTE under the ptl and takes `branch`
 * (see TryToUnmapBranch); for swap, pageout writes the page out; the last reference
 * frees it.
 */
export function reclaimProgram(k: Kernel, vma: vm_area_struct, addr: number, swap: SwapSpace, branch: TryToUnmapBranch = "swap", name = "kswapd", o: ReclaimOptions = {}): ProgramBuilder {
  const batched = o.batched === true && branch !== "redirtied";
  const mm = vma.vm_mm;
  const ptl = mm.pgd.pte_lockptr(addr);
  const pfn = new Cell(k.sim.store, `${name}.pfn`);
  const slot = new Cell(k.sim.store, `${name}.slot`);
  const range: mmu_notifier_range = { mm, start: addr, end: addr + PAGE_SIZE, event: "MMU_NOTIFY_CLEAR", flags: MMU_NOTIFIER_RANGE_BLOCKABLE };
  const callSite = k.hooks.secondary_tlbs_call_site;
  const what = { swap: "set swap pte", discard: "clean lazy-free page: discard it", redirtied: "lazy-free page written again: set_pte_at(old pte)" }[branch];
  const notify = callSite ? "; [try_to_unmap_one call site]" : branch === "redirtied" || k.arch.notifierModel !== "rfc" ? "" : "; mmu_notifier_invalidate_secondary_tlbs";
  const b = new ProgramBuilder(`${name}: reclaim ${hex(addr)}${branch === "swap" ? "" : ` (${branch})`}`);
  b.step("isolate the folio; try_to_unmap_one: mmu_notifier_invalidate_range_start", () => {
    if (!get_mapped_page(k, mm, addr, pfn)) return DONE; // the isolation reference
    k.mn.mmu_notifier_invalidate_range_start(range);
    return undefined;
  });
  b.step("page_vma_mapped_walk: lock ptl", () => ptl.spin_lock(), () => ptl.available());
  const clear = batched ? "ptep_get_and_clear; set_tlb_ubc_flush_pending" : "ptep_clear_flush";
  b.step(`${clear}; ${what}${notify}${branch === "redirtied" ? "" : "; page_remove_rmap"}`, () => {
    const old = mm.pgd.get_pte(addr);
    if (!pte_present(old) || pte_pfn(old) !== pfn.value) return "unlock";
    if (branch === "redirtied") {
      // The same PTE goes back: a secondary TLB's entry is still right, so no notification.
      ptep_clear_flush(k, vma, addr, "unmap");
      set_entry(k, mm, addr, "pte", old, "remap");
      callSite?.("try_to_unmap_one", { k, mm, vma, address: addr, size: PAGE_SIZE, branch });
      return undefined;
    }
    if (batched) {
      ptep_get_and_clear(k, mm, addr, "remap");
      arch_tlbbatch_add_pending(k, mm, addr);
    } else ptep_clear_flush(k, vma, addr, "remap");
    if (branch === "swap") {
      slot.value = swap.alloc();
      set_entry(k, mm, addr, "pte", swp_entry_to_pte(slot.value), "remap");
    } else k.oracle.pageDiscarded(mm, addr, pfn.value);
    if (callSite) callSite("try_to_unmap_one", { k, mm, vma, address: addr, size: PAGE_SIZE, branch });
    else if (k.arch.notifierModel === "rfc") k.mn.mmu_notifier_invalidate_secondary_tlbs(mm, addr, addr + PAGE_SIZE);
    k.phys.page_remove_rmap(pfn.value);
    k.phys.put_page(pfn.value); // the mapping's reference
    return undefined;
  });
  b.label("unlock").step("page_vma_mapped_walk_done: unlock ptl", () => ptl.spin_unlock());
  b.step("mmu_notifier_invalidate_range_end", () => k.mn.mmu_notifier_invalidate_range_end(range));
  if (batched) b.step("try_to_unmap_flush: arch_tlbbatch_flush", () => arch_tlbbatch_flush(k, mm));
  b.step(branch === "swap" ? "pageout: write the page to swap; drop the isolation reference (frees it)" : "drop the isolation reference", () => {
    if (slot.value) swap.slots.set(slot.value, k.phys.read(pfn.value));
    k.phys.put_page(pfn.value);
  });
  return b;
}

/**
 * Migration of the page at `addr` to a new frame: try_to_migrate_one() installs a
 * migration entry under the ptl, without a notifier call (a "may defer" site: CPUs
 * that fault wait on the migration entry, and a device write to the old page before
 * the copy is copied with it); range_end flushes secondary TLBs (RFC) or the
 * ptep_clear_flush already did (v6.6); then the contents are copied,
 * remove_migration_ptes() maps the new page, and the old one is freed.
 */
export function migrateProgram(k: Kernel, vma: vm_area_struct, addr: number, name = "migrate"): ProgramBuilder {
  const mm = vma.vm_mm;
  const ptl = mm.pgd.pte_lockptr(addr);
  const oldPfn = new Cell(k.sim.store, `${name}.old`);
  const newPfn = new Cell(k.sim.store, `${name}.new`);
  const wasWrite = new Cell(k.sim.store, `${name}.write`);
  const range: mmu_notifier_range = { mm, start: addr, end: addr + PAGE_SIZE, event: "MMU_NOTIFY_CLEAR", flags: MMU_NOTIFIER_RANGE_BLOCKABLE };
  const callSite = k.hooks.secondary_tlbs_call_site;
  const b = new ProgramBuilder(`${name}: migrate ${hex(addr)}`);
  b.step("isolate; try_to_migrate_one: mmu_notifier_invalidate_range_start", () => {
    if (!get_mapped_page(k, mm, addr, oldPfn)) return DONE;
    k.mn.mmu_notifier_invalidate_range_start(range);
    return undefined;
  });
  b.step("page_vma_mapped_walk: lock ptl", () => ptl.spin_lock(), () => ptl.available());
  // The migration-entry branch makes no notifier call: the secondary flush is left to
  // range_end (v6.5:mm/rmap.c:2104-2107,2123), and the copy comes after it.
  b.step(`ptep_clear_flush; set migration entry${callSite ? "; [try_to_migrate_one call site]" : ""}`, () => {
    const old = ptep_clear_flush(k, vma, addr, "migrate");
    wasWrite.value = pte_write(old) ? 1 : 0;
    set_entry(k, mm, addr, "pte", make_migration_entry(oldPfn.value, pte_write(old)), "migrate");
    callSite?.("try_to_migrate_one", { k, mm, vma, address: addr, size: PAGE_SIZE });
    k.phys.page_remove_rmap(oldPfn.value);
    k.phys.put_page(oldPfn.value);
  });
  b.step("unlock ptl", () => ptl.spin_unlock());
  b.step("mmu_notifier_invalidate_range_end", () => k.mn.mmu_notifier_invalidate_range_end(range));
  b.step("alloc the new page; move_to_new_folio: copy contents", () => {
    newPfn.value = k.phys.alloc_page(`${mm.name} (migrated)`);
    k.oracle.migrationCopy(mm, addr, oldPfn.value);
    k.phys.copy(newPfn.value, oldPfn.value);
  });
  b.step("remove_migration_ptes: lock ptl", () => ptl.spin_lock(), () => ptl.available());
  b.step("remove_migration_ptes: map the new page", () => {
    set_entry(k, mm, addr, "pte", pfn_pte(newPfn.value, { write: wasWrite.value !== 0 }), "remap");
    k.phys.page_add_rmap(newPfn.value);
  });
  b.step("unlock ptl", () => ptl.spin_unlock());
  b.step("putback: drop the old page (frees it)", () => {
    k.phys.put_page(oldPfn.value);
  });
  return b;
}

/**
 * Writeback's folio_mkclean() -> page_vma_mkclean_one(): write-protect and clean the
 * PTE so the next write faults and redirties the page. Same page, less permission:
 * the secondary flush may wait for range_end.
 */
export function mkcleanProgram(k: Kernel, vma: vm_area_struct, addr: number, name = "writeback"): ProgramBuilder {
  const mm = vma.vm_mm;
  const ptl = mm.pgd.pte_lockptr(addr);
  const range: mmu_notifier_range = { mm, start: addr, end: addr + PAGE_SIZE, event: "MMU_NOTIFY_PROTECTION_PAGE", flags: MMU_NOTIFIER_RANGE_BLOCKABLE };
  const callSite = k.hooks.secondary_tlbs_call_site;
  const b = new ProgramBuilder(`${name}: mkclean ${hex(addr)}`);
  b.step("page_vma_mkclean_one: mmu_notifier_invalidate_range_start", () => k.mn.mmu_notifier_invalidate_range_start(range));
  b.step("lock ptl", () => ptl.spin_lock(), () => ptl.available());
  b.step(`ptep_clear_flush; pte_wrprotect; pte_mkclean; set_pte_at${callSite ? "; [page_vma_mkclean_one call site]" : ""}`, () => {
    const pte = mm.pgd.get_pte(addr);
    if (!pte_present(pte) || (!pte_write(pte) && !pte_dirty(pte))) return undefined;
    set_entry(k, mm, addr, "pte", pte_mkclean(pte_wrprotect(pte)), "protect");
    flush_tlb_page(k, vma, addr);
    callSite?.("page_vma_mkclean_one", { k, mm, vma, address: addr, size: PAGE_SIZE });
    return undefined;
  });
  b.step("unlock ptl", () => ptl.spin_unlock());
  b.step("mmu_notifier_invalidate_range_end", () => {
    k.mn.mmu_notifier_invalidate_range_end(range);
  });
  return b;
}
