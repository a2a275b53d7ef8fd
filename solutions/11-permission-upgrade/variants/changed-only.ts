/**
 * Kata 11, a variant: arm64's shape (do nothing if the entry is unchanged; flush and
 * notify only after a change), and the reproduction through exploreScenario.
 */
import {
  set_pte_at,
  flush_tlb_page,
  exploreScenario,
  upgradeScenario,
  upgradeDriver,
  upgradeKernel,
  PAGE_SIZE,
  type Kernel,
  type vm_area_struct,
  type pte_t,
  type Counterexample,
} from "tlbkata";

export function reproduce_livelock(): Counterexample | undefined {
  return exploreScenario(upgradeScenario, upgradeDriver("arm64"), { kernel: upgradeKernel("arm64") }).violation;
}

export function ptep_set_access_flags(k: Kernel, vma: vm_area_struct, address: number, entry: pte_t): void {
  const mm = vma.vm_mm;
  const start = Math.floor(address / PAGE_SIZE) * PAGE_SIZE;
  if (mm.pgd.get_pte(start) === entry) return;
  set_pte_at(k, mm, start, entry);
  if (k.arch.arch === "arm64") {
    flush_tlb_page(k, vma, start);
    k.mn.mmu_notifier_invalidate_secondary_tlbs(mm, start, start + PAGE_SIZE);
  }
}
