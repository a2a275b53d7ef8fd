/**
 * mprotect(PROT_READ) -> change_protection(), in the kernel's order: range_start,
 * write-protect every PTE of the range under its ptl (adding it to the mmu_gather),
 * range_end (v6.6:mm/mprotect.c:430), and only then the gather's CPU TLB flush
 * (tlb_end_vma, or tlb_finish_mmu where the arch merges VMAs: v6.6:mm/mprotect.c:508,827).
 * Same pages, less permission: the secondary flush may wait. In the RFC it comes at
 * range_end, and again from tlb_flush_mmu_tlbonly; in v6.6 range_end flushes nothing,
 * so a device keeps write permission until the gather's flush.
 */
import type { Kernel } from "./kernel";
import type { vm_area_struct } from "../mm/mm";
import { ProgramBuilder } from "../sim/program";
import { set_entry } from "../mm/ops";
import { mmu_gather, tlb_finish_mmu } from "./mmu_gather";
import { pte_present, pte_write, pte_wrprotect } from "../mm/pte";
import { MMU_NOTIFIER_RANGE_BLOCKABLE, type mmu_notifier_range } from "../notifier/mmu_notifier";
import { PAGE_SIZE, PMD_SIZE, hex } from "../mm/constants";
import { pmdRegions, nextRegionInUse } from "../mm/sparse";
import type { SpinLock } from "../locking/lock";

export function mprotectProgram(k: Kernel, vma: vm_area_struct, start: number, end: number, name = "mprotect"): ProgramBuilder {
  const mm = vma.vm_mm;
  const range: mmu_notifier_range = { mm, start, end, event: "MMU_NOTIFY_PROTECTION_VMA", flags: MMU_NOTIFIER_RANGE_BLOCKABLE };
  const callSite = k.hooks.secondary_tlbs_call_site;
  // No pages are gathered, only the range to flush; the batch size does not matter.
  const tlb = new mmu_gather(k, mm, 1, `${name}.tlb`);
  const b = new ProgramBuilder(`${name} [${hex(start)}, ${hex(end)}) PROT_READ`);
  b.step("mmap_write_lock", () => mm.mmap_lock.down_write(), () => mm.mmap_lock.available());
  const regions = pmdRegions(start, end);
  const labelOf = (i: number): string => (i < regions.length ? `${name}@${hex(regions[i]!)}` : `${name}:range_end`);
  // change_pmd_range skips none entries: each step goes on to the next table in use.
  const next = (from: number): string => labelOf(nextRegionInUse(mm, regions, from));
  b.step("mprotect_fixup: clear VM_WRITE; change_protection: mmu_notifier_invalidate_range_start", () => {
    vma.vm_write = false;
    k.mn.mmu_notifier_invalidate_range_start(range);
    return next(0);
  });
  regions.forEach((region, i) => {
    // Locks are objects with state: made at build time, never inside a step.
    const lock = mm.pgd.pte_lockptr(region);
    const ptl = (): SpinLock => lock;
    const rs = Math.max(start, region);
    const re = Math.min(end, region + PMD_SIZE);
    b.label(labelOf(i)).step(`change_pte_range ${hex(rs)}: lock ptl`, () => ptl().spin_lock(), () => ptl().available());
    b.step(`ptep_modify_prot_start/commit: write-protect the ptes; tlb_flush_pte_range${callSite ? "; [change_pte_range call site]" : ""}`, () => {
      for (let a = rs; a < re; a += PAGE_SIZE) {
        const pte = mm.pgd.get_pte(a);
        if (pte_present(pte) && pte_write(pte)) {
          set_entry(k, mm, a, "pte", pte_wrprotect(pte), "protect");
          tlb.tlb_remove_tlb_entry(a); // tlb_flush_pte_range()
        }
      }
      callSite?.("change_pte_range", { k, mm, vma, address: rs, size: re - rs });
    });
    b.step("pte_unmap_unlock", () => {
      ptl().spin_unlock();
      return next(i + 1);
    });
  });
  b.label(`${name}:range_end`);
  b.step("mmu_notifier_invalidate_range_end", () => k.mn.mmu_notifier_invalidate_range_end(range));
  b.step("tlb_finish_mmu: flush the gathered range (tlb_flush_mmu_tlbonly)", () => tlb_finish_mmu(k, tlb));
  b.step("mmap_write_unlock", () => {
    mm.mmap_lock.up_write();
  });
  return b;
}
