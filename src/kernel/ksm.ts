/**
 * KSM (mm/ksm.c): ksmd merges an anonymous page into a stable KSM page with the same
 * content. try_to_merge_one_page() does it in two steps, each with a notifier range of
 * its own over the one page:
 * - write_protect_page(): clear the PTE and flush the CPU TLB first (so that
 *   get_user_pages_fast(), which takes no lock, cannot pin the page in the middle of
 *   the check), check that nobody but the mapping and KSM holds a reference, and put
 *   the entry back write-protected and clean;
 * - pages_identical(), then replace_page(): point the PTE at the KSM page, read-only,
 *   and drop the mapping's reference to the old page.
 * ksmd drops its own reference to the old page last, after both ranges have ended;
 * that put frees it.
 *
 * Neither step uses ptep_clear_flush_notify(). Both call plain ptep_clear_flush(), and
 * their comments point to Documentation/mm/mmu_notifier.rst: write_protect_page() only
 * takes write permission away from the same page, and replace_page() puts a read-only
 * page in place of a read-only page with the same content, which is not freed before
 * range_end. So in the RFC model secondary TLBs hear of both changes from range_end
 * (mn_hlist_invalidate_end), after the ptl is dropped; in the v6.6 model from the TLB
 * flush inside ptep_clear_flush(), under the ptl.
 */
import type { Kernel } from "./kernel";
import type { vm_area_struct } from "../mm/mm";
import { ProgramBuilder, DONE } from "../sim/program";
import { Cell } from "../sim/store";
import { ptep_clear_flush, set_pte_at } from "../mm/ops";
import { get_mapped_page } from "./rmap";
import { pte_present, pte_pfn, pte_write, pte_dirty, pte_mkclean, pte_wrprotect, pfn_pte } from "../mm/pte";
import { MMU_NOTIFIER_RANGE_BLOCKABLE, type mmu_notifier_range } from "../notifier/mmu_notifier";
import { PAGE_SIZE, hex } from "../mm/constants";

export interface KsmMergeOptions {
  /** The kernel thread's name (and the prefix of its store slots). */
  readonly name?: string;
  /**
   * Not the kernel: ksmd drops its own reference to the old page inside
   * replace_page(), under the ptl, so the page is freed before
   * invalidate_range_end. Tests use it to show that replace_page()'s plain
   * ptep_clear_flush() is right only because the kernel frees the old page after
   * range_end.
   */
  readonly putBeforeRangeEnd?: boolean;
}

/**
 * ksmd merging the page mapped at `addr` into the stable KSM page `kpage`, which must
 * already hold the same content: ksm_do_scan() -> cmp_and_merge_page() ->
 * try_to_merge_with_ksm_page() -> try_to_merge_one_page().
 */
export function ksmMergeProgram(k: Kernel, vma: vm_area_struct, addr: number, kpage: number, o: KsmMergeOptions = {}): ProgramBuilder {
  const name = o.name ?? "ksmd";
  const mm = vma.vm_mm;
  const ptl = mm.pgd.pte_lockptr(addr);
  const st = k.sim.store;
  /** The page being merged, which ksmd holds a reference to. */
  const page = new Cell(st, `${name}.page`);
  /** The PTE write_protect_page() left, which replace_page() expects to find. */
  const origPte = new Cell(st, `${name}.orig_pte`);
  /** 1 when the merge was given up (someone else holds the page, or it changed). */
  const failed = new Cell(st, `${name}.failed`);
  // write_protect_page() and replace_page() each set up the same one-page range.
  const range: mmu_notifier_range = { mm, start: addr, end: addr + PAGE_SIZE, event: "MMU_NOTIFY_CLEAR", flags: MMU_NOTIFIER_RANGE_BLOCKABLE };
  const early = o.putBeforeRangeEnd === true;
  const b = new ProgramBuilder(`${name}: merge ${hex(addr)} into the KSM page`);

  b.step(
    "scan_get_next_rmap_item: follow_page(FOLL_GET); stable_tree_search: get_ksm_page(kpage)",
    () => {
      // follow_page() runs under mmap_read_lock, taken and dropped around it.
      if (!get_mapped_page(k, mm, addr, page)) return DONE;
      k.phys.get_page(kpage);
      return undefined;
    },
    () => mm.mmap_lock.readAvailable(),
  );
  b.step("try_to_merge_with_ksm_page: mmap_read_lock; try_to_merge_one_page: trylock_page", () => mm.mmap_lock.down_read(), () => mm.mmap_lock.readAvailable());

  b.step("write_protect_page: mmu_notifier_invalidate_range_start", () => k.mn.mmu_notifier_invalidate_range_start(range));
  b.step("write_protect_page: page_vma_mapped_walk: lock ptl", () => ptl.spin_lock(), () => ptl.available());
  b.step("write_protect_page: ptep_clear_flush; set_pte_at(wrprotect)", () => {
    const pte = mm.pgd.get_pte(addr);
    if (!pte_present(pte) || pte_pfn(pte) !== page.value) {
      failed.value = 1; // page_vma_mapped_walk() found no mapping of the page
      return undefined;
    }
    // The kernel also takes this branch for an exclusive anonymous page or a pending
    // TLB flush, which the model does not track; a page the process wrote is writable.
    if (pte_write(pte) || pte_dirty(pte)) {
      // Plain ptep_clear_flush(): only write permission goes, the page stays.
      const entry = ptep_clear_flush(k, vma, addr, "protect");
      // mapcount + 1 (KSM's reference) + swap cache (never, here) must be all there
      // is: another reference (O_DIRECT, a GUP pin) could write the page behind KSM.
      if (k.phys.page_mapcount(page.value) + 1 !== k.phys.page_count(page.value)) {
        set_pte_at(k, mm, addr, entry);
        failed.value = 1;
        return undefined;
      }
      // The kernel moves a dirty bit to the page (set_page_dirty); pages have no dirty
      // flag in the model.
      set_pte_at(k, mm, addr, pte_mkclean(pte_wrprotect(entry)));
    }
    origPte.value = mm.pgd.get_pte(addr);
    return undefined;
  });
  b.step("write_protect_page: page_vma_mapped_walk_done: unlock ptl", () => ptl.spin_unlock());
  b.step("write_protect_page: mmu_notifier_invalidate_range_end", () => {
    k.mn.mmu_notifier_invalidate_range_end(range);
    return failed.value ? "out" : undefined;
  });

  // memcmp of the two pages: contents are write ids, so equal ids are equal pages.
  b.step("pages_identical(page, kpage)", () => (k.phys.read(page.value) === k.phys.read(kpage) ? undefined : "out"));

  b.step("replace_page: mmu_notifier_invalidate_range_start", () => k.mn.mmu_notifier_invalidate_range_start(range));
  b.step("replace_page: pte_offset_map_lock", () => ptl.spin_lock(), () => ptl.available());
  b.step(
    "replace_page: pte_same; ptep_clear_flush; set_pte_at(kpage, read-only); page_remove_rmap; put_page(page)" +
      (early ? "; put_page(page) for ksmd too: frees it before range_end (not the kernel's order)" : ""),
    () => {
      if (mm.pgd.get_pte(addr) !== origPte.value) {
        failed.value = 1; // the PTE changed since write_protect_page(): give up
        return undefined;
      }
      k.phys.get_page(kpage);
      k.phys.page_add_rmap(kpage);
      // Plain ptep_clear_flush() again: a read-only page is replaced by a read-only
      // page with the same content (the "same-content" fate, see oracle.ts).
      ptep_clear_flush(k, vma, addr, "same-content");
      // mk_pte(kpage, vma->vm_page_prot): a private writable mapping's default
      // protection is read-only, so a later write breaks COW (wp_page_copy). The kernel
      // of the RFC installs it with set_pte_at_notify(), whose change_pte op only KVM
      // implemented; secondary TLBs are not told there.
      set_pte_at(k, mm, addr, pfn_pte(kpage, { write: false }));
      k.phys.page_remove_rmap(page.value);
      k.phys.put_page(page.value); // the mapping's reference; ksmd still holds one
      if (early) k.phys.put_page(page.value);
      return undefined;
    },
  );
  b.step("replace_page: pte_unmap_unlock", () => ptl.spin_unlock());
  b.step("replace_page: mmu_notifier_invalidate_range_end", () => k.mn.mmu_notifier_invalidate_range_end(range));

  b.label("out").step(`unlock_page; mmap_read_unlock; put_page(kpage)${early ? "" : "; ksm_do_scan: put_page(page) (frees it once merged)"}`, () => {
    mm.mmap_lock.up_read();
    k.phys.put_page(kpage);
    if (!early || failed.value) k.phys.put_page(page.value);
  });
  return b;
}
