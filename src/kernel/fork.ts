/**
 * fork() -> dup_mmap(): for a private anonymous VMA, copy_page_range() write-protects
 * the parent's PTEs so that both processes share the pages copy-on-write, inside a
 * notifier range of its own (MMU_NOTIFY_PROTECTION_PAGE); the child's PTEs map the
 * same pages read-only. The parent's CPU TLB is flushed once, with flush_tlb_mm(),
 * after every VMA is copied: after that range_end. In v6.6 that whole-mm flush is what
 * tells secondary TLBs, as (0, ULONG_MAX) (v6.6:arch/x86/mm/tlb.c:957,1040).
 */
import type { Kernel } from "./kernel";
import type { mm_struct, vm_area_struct } from "../mm/mm";
import { ProgramBuilder } from "../sim/program";
import { set_entry, flush_tlb_mm } from "../mm/ops";
import { pte_present, pte_write, pte_wrprotect, pte_pfn } from "../mm/pte";
import { MMU_NOTIFIER_RANGE_BLOCKABLE, type mmu_notifier_range } from "../notifier/mmu_notifier";
import { PAGE_SIZE, PMD_SIZE, hex } from "../mm/constants";

/**
 * fork() of the process owning `vma` (private anonymous) into `child`, which already
 * has the same VMA and no PTEs: the parent's pages become COW-shared.
 */
export function forkProgram(k: Kernel, vma: vm_area_struct, child: mm_struct, name = "fork"): ProgramBuilder {
  const mm = vma.vm_mm;
  const { vm_start: start, vm_end: end } = vma;
  const range: mmu_notifier_range = { mm, start, end, event: "MMU_NOTIFY_PROTECTION_PAGE", flags: MMU_NOTIFIER_RANGE_BLOCKABLE };
  const b = new ProgramBuilder(`${name} ${mm.name} -> ${child.name}`);
  b.step("dup_mmap: mmap_write_lock(oldmm)", () => mm.mmap_lock.down_write(), () => mm.mmap_lock.available());
  b.step("copy_page_range: mmu_notifier_invalidate_range_start", () => k.mn.mmu_notifier_invalidate_range_start(range));
  for (let region = Math.floor(start / PMD_SIZE) * PMD_SIZE; region < end; region += PMD_SIZE) {
    const src = mm.pgd.pte_lockptr(region);
    const rs = Math.max(start, region);
    const re = Math.min(end, region + PMD_SIZE);
    b.step(`copy_pte_range ${hex(rs)}: lock dst and src ptl`, () => {
      child.pgd.populate(rs, "pte");
      child.pgd.pte_lockptr(rs).spin_lock();
      src.spin_lock();
    }, () => src.available());
    b.step("copy_present_pte: ptep_set_wrprotect(parent); set_pte_at(child, read-only); get_page", () => {
      for (let a = rs; a < re; a += PAGE_SIZE) {
        const pte = mm.pgd.get_pte(a);
        if (!pte_present(pte)) continue;
        // No CPU flush here: fork flushes the parent's TLB once, at the end.
        if (pte_write(pte)) set_entry(k, mm, a, "pte", pte_wrprotect(pte), "protect");
        set_entry(k, child, a, "pte", pte_wrprotect(pte), "remap");
        k.phys.get_page(pte_pfn(pte));
        k.phys.page_add_rmap(pte_pfn(pte));
      }
    });
    b.step("pte_unmap_unlock(src, dst)", () => {
      src.spin_unlock();
      child.pgd.pte_lockptr(rs).spin_unlock();
    });
  }
  b.step("copy_page_range: mmu_notifier_invalidate_range_end", () => k.mn.mmu_notifier_invalidate_range_end(range));
  b.step("dup_mmap: flush_tlb_mm(oldmm)", () => flush_tlb_mm(k, mm));
  b.step("mmap_write_unlock(oldmm)", () => mm.mmap_lock.up_write());
  return b;
}
