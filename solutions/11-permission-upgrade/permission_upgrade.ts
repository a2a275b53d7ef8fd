/**
 * Kata 11-permission-upgrade, reference solution: the livelock found with the
 * explorer, and arm64's ptep_set_access_flags notifying secondary TLBs (RFC 2/2).
 */
import {
  set_pte_at,
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
 * Install the upgraded entry (same page, now writable). arm64 does no TLB
 * invalidation for an upgrade, so tell secondary TLBs: an SMMU keeping the old
 * read-only entry would fault on it forever.
 */
export function ptep_set_access_flags(k: Kernel, vma: vm_area_struct, address: number, entry: pte_t): void {
  const addr = address - (address % PAGE_SIZE);
  set_pte_at(k, vma.vm_mm, addr, entry);
  if (k.arch.arch === "arm64") k.mn.mmu_notifier_invalidate_secondary_tlbs(vma.vm_mm, addr, addr + PAGE_SIZE);
}
