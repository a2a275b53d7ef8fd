/**
 * Kata 11-permission-upgrade, reference solution: the livelock found with the
 * explorer, and arm64's ptep_set_access_flags with RFC 2/2's notifier call in its
 * CPU flush block.
 */
import {
  set_pte_at,
  flush_tlb_page,
  explore,
  upgradeScenario,
  upgradeDriver,
  upgradeKernel,
  PAGE_SIZE,
  type Kernel,
  type vm_area_struct,
  type pte_t,
  type Counterexample,
} from "tlbkata";

/** The kernel without the patch, on arm64 with an SMMU that faults from its TLB. */
export function reproduce_livelock(): Counterexample | undefined {
  const w = upgradeScenario.build(upgradeDriver("arm64"), upgradeKernel("arm64"));
  return explore(w, { shortest: true }).violation;
}

/**
 * Install the upgraded entry (same page, now writable). arm64 may cache permissions,
 * so its upgrade to writable flushes the CPU TLB for the page. In the RFC's kernel
 * that flush reaches no SMMU: patch 2/2 tells secondary TLBs in the same block.
 */
export function ptep_set_access_flags(k: Kernel, vma: vm_area_struct, address: number, entry: pte_t): void {
  const addr = address - (address % PAGE_SIZE);
  set_pte_at(k, vma.vm_mm, addr, entry);
  if (k.arch.arch !== "arm64") return; // x86: a fault drops the stale entry, nothing to flush
  flush_tlb_page(k, vma, addr);
  k.mn.mmu_notifier_invalidate_secondary_tlbs(vma.vm_mm, addr, addr + PAGE_SIZE);
}
