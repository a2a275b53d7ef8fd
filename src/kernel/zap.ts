/**
 * zap_pte_range() and friends as steps: clear each PTE under the ptl, gather its page,
 * and when the batch fills flush (TLB and secondary TLBs) under the ptl, unlock, free
 * the batch and carry on. Shared by munmap and exit.
 */
import type { Kernel } from "./kernel";
import type { vm_area_struct } from "../mm/mm";
import { ProgramBuilder } from "../sim/program";
import type { SpinLock } from "../locking/lock";
import { mmu_gather, tlb_flush_mmu_tlbonly, tlb_flush_mmu_free } from "./mmu_gather";
import { set_entry } from "../mm/ops";
import { pte_present, pte_pfn, pte_huge, pmd_table } from "../mm/pte";
import { PAGE_SIZE, PMD_SIZE, HPAGE_PMD_NR, hex } from "../mm/constants";
import { pmdRegions, nextRegionInUse, WideCell } from "../mm/sparse";

/**
 * Steps that zap [start, end) of `vma` into `tlb`. `tag` keeps labels unique when a
 * program zaps more than one range.
 */
export function zapSteps(k: Kernel, vma: vm_area_struct, start: number, end: number, tlb: mmu_gather, tag: string): ProgramBuilder {
  const mm = vma.vm_mm;
  const b = new ProgramBuilder(`zap ${tag}`);
  /** The next page to zap (a page number: two slots, for addresses past 8 TiB). */
  const addr = new WideCell(k.sim.store, `${tag}.addr`);
  const regions = pmdRegions(start, end);
  const labelOf = (i: number): string => (i < regions.length ? `${tag}@${hex(regions[i]!)}` : `${tag}:done`);
  regions.forEach((region, i) => {
    const rs = Math.max(start, region);
    const re = Math.min(end, region + PMD_SIZE);
    const L = labelOf(i);
    // zap_pud_range/zap_pmd_range skip empty entries: the next step is the next table in use.
    const next = (): string => labelOf(nextRegionInUse(mm, regions, i + 1));
    // Locks are objects with state: made here, at build time, never inside a step.
    const pmdlock = mm.pgd.pmd_lockptr(region);
    const ptlock = mm.pgd.pte_lockptr(region);
    const pmdl = (): SpinLock => pmdlock;
    const ptl = (): SpinLock => ptlock;
    b.label(L).step(
      `zap_pmd_range ${hex(rs)}: lock the pmd or the pte table`,
      () => {
        addr.value = rs / PAGE_SIZE;
        const pmd = mm.pgd.get_pmd(region);
        if (pte_present(pmd) && pte_huge(pmd)) {
          // zap_huge_pmd(): one entry maps the whole 2 MiB.
          pmdl().spin_lock();
          return `${L}:huge`;
        }
        if (!pmd_table(pmd)) return next();
        ptl().spin_lock();
        return undefined;
      },
      () => pmdl().available() && ptl().available(),
    );
    b.label(`${L}:zap`).step(`zap_pte_range: clear ptes in [${hex(rs)}, ${hex(re)})`, () => {
      // Clear PTEs until the batch fills or the table's range ends.
      for (let a = addr.value * PAGE_SIZE; a < re; a += PAGE_SIZE) {
        const pte = mm.pgd.get_pte(a);
        if (!pte_present(pte)) continue;
        set_entry(k, mm, a, "pte", 0, "unmap");
        tlb.tlb_remove_tlb_entry(a);
        k.phys.page_remove_rmap(pte_pfn(pte));
        if (tlb.__tlb_remove_page(pte_pfn(pte))) {
          addr.value = (a + PAGE_SIZE) / PAGE_SIZE;
          return `${L}:force_flush`;
        }
      }
      return `${L}:unlock`;
    });
    b.label(`${L}:force_flush`).step("batch full: tlb_flush_mmu_tlbonly under the ptl", () => {
      tlb_flush_mmu_tlbonly(k, tlb);
    });
    b.step("pte_unmap_unlock", () => {
      ptl().spin_unlock();
    });
    b.step("tlb_flush_mmu_free: free the batch", () => {
      tlb_flush_mmu_free(k, tlb);
      if (addr.value * PAGE_SIZE < re) return `${L}:relock`;
      return next();
    });
    b.label(`${L}:relock`).step(
      "pte_offset_map_lock again",
      () => {
        ptl().spin_lock();
        return `${L}:zap`;
      },
      () => ptl().available(),
    );
    b.label(`${L}:unlock`).step("pte_unmap_unlock", () => {
      ptl().spin_unlock();
      return next();
    });
    b.label(`${L}:huge`).step("zap_huge_pmd: clear the huge pmd, gather the huge page", () => {
      const pmd = mm.pgd.get_pmd(region);
      set_entry(k, mm, region, "pmd", 0, "unmap");
      tlb.tlb_remove_tlb_entry(region, PMD_SIZE);
      k.phys.page_remove_rmap(pte_pfn(pmd));
      tlb.__tlb_remove_page(pte_pfn(pmd), HPAGE_PMD_NR);
      pmdl().spin_unlock();
      return next();
    });
  });
  b.label(`${tag}:done`);
  return b;
}
