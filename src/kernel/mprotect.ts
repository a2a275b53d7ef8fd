/**
 * mprotect(PROT_READ) -> change_protection(): write-protect every PTE of the range
 * under its ptl, flush the CPU TLB, then range_end. Same pages, less permission: by
 * the kernel's documented reasoning the secondary flush may come from range_end.
 */
import type { Kernel } from "./kernel";
import type { vm_area_struct } from "../mm/mm";
import { ProgramBuilder } from "../sim/program";
import { set_entry, flush_tlb_range } from "../mm/ops";
import { pte_present, pte_write, pte_wrprotect } from "../mm/pte";
import { MMU_NOTIFIER_RANGE_BLOCKABLE, type mmu_notifier_range } from "../notifier/mmu_notifier";
import { PAGE_SIZE, PMD_SIZE, hex } from "../mm/constants";

export function mprotectProgram(k: Kernel, vma: vm_area_struct, start: number, end: number, name = "mprotect"): ProgramBuilder {
  const mm = vma.vm_mm;
  const range: mmu_notifier_range = { mm, start, end, event: "MMU_NOTIFY_PROTECTION_VMA", flags: MMU_NOTIFIER_RANGE_BLOCKABLE };
  const callSite = k.hooks.secondary_tlbs_call_site;
  const b = new ProgramBuilder(`${name} [${hex(start)}, ${hex(end)}) PROT_READ`);
  b.step("mmap_write_lock", () => mm.mmap_lock.down_write(), () => mm.mmap_lock.available());
  b.step("mprotect_fixup: clear VM_WRITE; change_protection: mmu_notifier_invalidate_range_start", () => {
    vma.vm_write = false;
    k.mn.mmu_notifier_invalidate_range_start(range);
  });
  for (let region = Math.floor(start / PMD_SIZE) * PMD_SIZE; region < end; region += PMD_SIZE) {
    const ptl = mm.pgd.pte_lockptr(region);
    const rs = Math.max(start, region);
    const re = Math.min(end, region + PMD_SIZE);
    b.step(`change_pte_range ${hex(rs)}: lock ptl`, () => ptl.spin_lock(), () => ptl.available());
    b.step(`ptep_modify_prot_start/commit: write-protect the ptes${callSite ? "; [change_pte_range call site]" : ""}`, () => {
      for (let a = rs; a < re; a += PAGE_SIZE) {
        const pte = mm.pgd.get_pte(a);
        if (pte_present(pte) && pte_write(pte)) set_entry(k, mm, a, "pte", pte_wrprotect(pte), "protect");
      }
      callSite?.("change_pte_range", { k, mm, vma, address: rs, size: re - rs });
    });
    b.step("pte_unmap_unlock", () => ptl.spin_unlock());
  }
  b.step("flush_tlb_range", () => flush_tlb_range(k, vma, start, end));
  b.step("mmu_notifier_invalidate_range_end", () => k.mn.mmu_notifier_invalidate_range_end(range));
  b.step("mmap_write_unlock", () => {
    mm.mmap_lock.up_write();
  });
  return b;
}
