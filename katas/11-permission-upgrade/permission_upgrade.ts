/**
 * Kata 11-permission-upgrade: reproduce the SMMU livelock after a permission upgrade,
 * then write arm64's ptep_set_access_flags with RFC patch 2/2's notification. Read
 * README.md first; check with `npx tlbkata check 11-permission-upgrade`.
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
 */
export function ptep_set_access_flags(k: Kernel, vma: vm_area_struct, address: number, entry: pte_t): void {
  // TODO: install the entry; on arm64, tell the secondary TLBs about this page.
}
