/**
 * Kata 11-permission-upgrade: reproduce the SMMU livelock after a permission upgrade,
 * then add RFC patch 2/2's notification to arm64's ptep_set_access_flags. Read
 * README.md first; check with `npx tlbkata check 11-permission-upgrade`.
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

/**
 * Search the upgrade scenario on arm64 with the SMMU and the unpatched kernel, and
 * return the counterexample the explorer finds (the livelock).
 */
export function reproduce_livelock(): Counterexample | undefined {
  // TODO: upgradeScenario.build(upgradeDriver(...), upgradeKernel(...)), then explore(...).
  return undefined;
}

/**
 * ptep_set_access_flags() for a write fault on a read-only PTE whose page has one
 * user: `entry` is the same page, writable, young and dirty. Called with the ptl held.
 * Below the first line, this is the kernel before patch 2/2.
 */
export function ptep_set_access_flags(k: Kernel, vma: vm_area_struct, address: number, entry: pte_t): void {
  throw new Error("ptep_set_access_flags: patch 2/2 not written yet: add it at the TODO below, then delete this line");
  const addr = address - (address % PAGE_SIZE);
  set_pte_at(k, vma.vm_mm, addr, entry);
  if (k.arch.arch !== "arm64") return; // x86: a fault drops the stale entry, nothing to flush
  // arm64 may cache permissions: an upgrade to writable flushes the CPU TLB for the page.
  flush_tlb_page(k, vma, addr);
  // TODO (patch 2/2): the SMMU did not see that flush. Tell the secondary TLBs here.
}
