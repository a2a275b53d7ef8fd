/**
 * __split_huge_pmd(): replace a huge PMD by a PTE table mapping the same 512 pages.
 * The translations stay valid (a cached 2 MiB entry still points at the right frames),
 * so no secondary flush is needed here and the call site uses range_only_end; later
 * changes to single PTEs notify for their own page.
 */
import type { Kernel } from "./kernel";
import type { vm_area_struct } from "../mm/mm";
import { ProgramBuilder } from "../sim/program";
import { set_entry, flush_tlb_range } from "../mm/ops";
import { pte_present, pte_huge, pte_pfn, pte_write, pfn_pte, mk_table_entry } from "../mm/pte";
import { MMU_NOTIFIER_RANGE_BLOCKABLE, type mmu_notifier_range } from "../notifier/mmu_notifier";
import { PMD_SIZE, HPAGE_PMD_NR, hex } from "../mm/constants";

export function splitHugePmdProgram(k: Kernel, vma: vm_area_struct, addr: number, name = "split"): ProgramBuilder {
  const mm = vma.vm_mm;
  const haddr = Math.floor(addr / PMD_SIZE) * PMD_SIZE;
  const pmdl = mm.pgd.pmd_lockptr(haddr);
  const range: mmu_notifier_range = { mm, start: haddr, end: haddr + PMD_SIZE, event: "MMU_NOTIFY_CLEAR", flags: MMU_NOTIFIER_RANGE_BLOCKABLE };
  const b = new ProgramBuilder(`${name} ${hex(haddr)}`);
  b.step("__split_huge_pmd: mmu_notifier_invalidate_range_start", () => k.mn.mmu_notifier_invalidate_range_start(range));
  b.step("pmd_lock", () => pmdl.spin_lock(), () => pmdl.available());
  b.step("__split_huge_pmd_locked: pmdp_invalidate; populate a PTE table with the same pages; split the folio", () => {
    const pmd = mm.pgd.get_pmd(haddr);
    if (!pte_present(pmd) || !pte_huge(pmd)) return undefined;
    const head = pte_pfn(pmd);
    const write = pte_write(pmd);
    // The ptes are written first (the new table is not yet visible), then the pmd.
    mm.pgd.set_ptes(haddr, pfn_pte(head, { write }), HPAGE_PMD_NR);
    // The folio is split too (as split_huge_page() would), so that each 4 KiB page
    // carries its own reference and can be freed alone.
    k.phys.get_page_range(head + 1, HPAGE_PMD_NR - 1);
    k.phys.page_add_rmap_range(head + 1, HPAGE_PMD_NR - 1);
    set_entry(k, mm, haddr, "pmd", mk_table_entry(), "unmap");
    flush_tlb_range(k, vma, haddr, haddr + PMD_SIZE, PMD_SIZE);
    return undefined;
  });
  b.step("spin_unlock", () => pmdl.spin_unlock());
  b.step("mmu_notifier_invalidate_range_only_end", () => k.mn.mmu_notifier_invalidate_range_only_end(range));
  return b;
}
