/**
 * hugetlb_unshare_pmds(): the PMD page table of a PUD-sized, PUD-aligned range of a
 * hugetlb mapping is shared with another process mapping the same file (the other
 * process is not simulated). Splitting the VMA unshares it: this mm's PUD entry stops
 * pointing at the shared table. The hugetlb pages stay in their file and the next
 * fault finds them again, so the secondary flush is left to range_end.
 */
import type { Kernel } from "./kernel";
import type { vm_area_struct } from "../mm/mm";
import { ProgramBuilder } from "../sim/program";
import { flush_tlb_range } from "../mm/ops";
import { MMU_NOTIFIER_RANGE_BLOCKABLE, type mmu_notifier_range } from "../notifier/mmu_notifier";
import { PUD_SIZE, hex } from "../mm/constants";

export function hugetlbUnshareProgram(k: Kernel, vma: vm_area_struct, name = "unshare"): ProgramBuilder {
  const mm = vma.vm_mm;
  const start = Math.floor(vma.vm_start / PUD_SIZE) * PUD_SIZE;
  const end = start + PUD_SIZE;
  const range: mmu_notifier_range = { mm, start, end, event: "MMU_NOTIFY_CLEAR", flags: MMU_NOTIFIER_RANGE_BLOCKABLE };
  const ptl = mm.page_table_lock;
  const callSite = k.hooks.secondary_tlbs_call_site;
  const b = new ProgramBuilder(`${name} [${hex(start)}, ${hex(end)})`);
  b.step("mmap_write_lock (vma split)", () => mm.mmap_lock.down_write(), () => mm.mmap_lock.available());
  b.step("hugetlb_unshare_pmds: mmu_notifier_invalidate_range_start; i_mmap_lock_write", () => k.mn.mmu_notifier_invalidate_range_start(range));
  b.step("huge_pte_lock", () => ptl.spin_lock(), () => ptl.available());
  b.step(`huge_pmd_unshare: clear the PUD entry that points at the shared PMD table${callSite ? "; [hugetlb_unshare_pmds call site]" : ""}`, () => {
    // A page table is dropped, not a leaf: the pages it maps stay where they are.
    mm.pgd.write_pud(start, 0);
    k.sim.log(() => `pud ${hex(start)}: table -> none (shared PMD table unshared)`);
    callSite?.("hugetlb_unshare_pmds", { k, mm, vma, address: start, size: PUD_SIZE });
  });
  b.step("spin_unlock", () => ptl.spin_unlock());
  b.step("flush_hugetlb_tlb_range; i_mmap_unlock_write", () => flush_tlb_range(k, vma, start, end));
  b.step("mmu_notifier_invalidate_range_end", () => k.mn.mmu_notifier_invalidate_range_end(range));
  b.step("mmap_write_unlock", () => mm.mmap_lock.up_write());
  return b;
}
