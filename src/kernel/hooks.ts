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
import type { mm_struct, vm_area_struct } from "../mm/mm";
import type { pte_t } from "../mm/pte";
import type { PteFate } from "../oracle/oracle";
import type { mmu_gather } from "./mmu_gather";

/**
 * A call site: where a path that changes entries on its own (reclaim, migration,
 * hugetlb COW, writeback, mprotect, hugetlb PMD unsharing) could notify secondary
 * TLBs, under the ptl, right after the entry changed (most paths have flushed the CPU
 * TLB by then; mprotect and hugetlb PMD unsharing flush it after dropping the lock).
 */
export interface CallSite {
  readonly k: Kernel;
  readonly mm: mm_struct;
  readonly vma: vm_area_struct;
  /** First address of what the entry (or entries) just changed map, aligned. */
  readonly address: number;
  /** Bytes covered from `address`: PAGE_SIZE, PMD_SIZE for a 2 MiB hugetlb page, more for a range. */
  readonly size: number;
}

/**
 * try_to_unmap_one()'s branches, after ptep_clear_flush():
 * - "swap": an anonymous page goes to swap; the PTE becomes a swap entry;
 * - "discard": a clean MADV_FREE (lazy-free) page is dropped; the PTE stays empty
 *   and the next access faults in a zero page;
 * - "redirtied": the MADV_FREE page was written again, so it cannot be dropped; the
 *   old PTE is put back, same page, same permissions.
 */
export type TryToUnmapBranch = "swap" | "discard" | "redirtied";

export interface UnmapCallSite extends CallSite {
  readonly branch: TryToUnmapBranch;
}

/** The call sites, by the kernel function they are in, and what each is told. */
export interface CallSiteArgs {
  readonly try_to_unmap_one: UnmapCallSite;
  readonly try_to_migrate_one: CallSite;
  readonly hugetlb_wp: CallSite;
  readonly page_vma_mkclean_one: CallSite;
  readonly change_pte_range: CallSite;
  readonly hugetlb_unshare_pmds: CallSite;
}

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
  /**
   * What a path does at its call site (see CallSite), instead of the RFC kernel's own
   * choice: mmu_notifier_invalidate_secondary_tlbs() of what changed where another page
   * (or none) can be used as soon as the ptl is dropped; nothing (range_end does it)
   * where every user stays on the same page until then: write-protection, a page-table
   * unshare, a migration entry (faulting CPUs wait; the copy comes after range_end).
   */
  readonly secondary_tlbs_call_site: <N extends keyof CallSiteArgs>(name: N, site: CallSiteArgs[N]) => void;
}
