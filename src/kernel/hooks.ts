/**
 * Kernel helpers a kata can replace with a learner's version: pass them as
 * `KernelOptions.hooks`. A helper left out is the kernel's own implementation, so an
 * empty table (the default) changes nothing.
 *
 * A replacement is called instead of the built-in helper by every kernel path, with
 * the same arguments and locks held. It must not call the helper it replaces (that
 * would call itself): it is built from the primitives below it (ptep_clear_flush,
 * flush_tlb_mm_range, mmu_notifier_invalidate_secondary_tlbs, ...).
 */
import type { Kernel } from "./kernel";
import type { vm_area_struct } from "../mm/mm";
import type { pte_t } from "../mm/pte";
import type { PteFate } from "../oracle/oracle";
import type { mmu_gather } from "./mmu_gather";

/** Clear a leaf entry and flush it, CPU and secondary TLBs; returns the old entry. */
export type ClearFlushNotify = (k: Kernel, vma: vm_area_struct, address: number, fate: PteFate) => pte_t;

export interface KernelHooks {
  /** ptep_clear_flush_notify(): one base page (mm/ops.ts). */
  readonly ptep_clear_flush_notify: ClearFlushNotify;
  /** pmdp_huge_clear_flush_notify(): the PMD-sized page containing address. */
  readonly pmdp_huge_clear_flush_notify: ClearFlushNotify;
  /** pudp_huge_clear_flush_notify(): the PUD-sized page containing address. */
  readonly pudp_huge_clear_flush_notify: ClearFlushNotify;
  /** tlb_flush_mmu_tlbonly(): flush what the gather collected (kernel/mmu_gather.ts). */
  readonly tlb_flush_mmu_tlbonly: (k: Kernel, tlb: mmu_gather) => void;
  /** tlb_flush_mmu(): flush, then free the gathered pages (tlb_finish_mmu calls it). */
  readonly tlb_flush_mmu: (k: Kernel, tlb: mmu_gather) => void;
  /**
   * ptep_set_access_flags() for a write fault on a read-only PTE whose page has one
   * user: install `entry` (the same page, writable, young and dirty) in place
   * (kernel/memory.ts). Called with the ptl held.
   */
  readonly ptep_set_access_flags: (k: Kernel, vma: vm_area_struct, address: number, entry: pte_t) => void;
}
