/**
 * Page faults: the CPU's (as steps on a user thread, so a COW break can interleave
 * with a device) and the IOMMU's page requests (handled whole by a kernel thread).
 */
import type { Kernel } from "./kernel";
import type { mm_struct, vm_area_struct } from "../mm/mm";
import type { Cpu } from "../hw/cpu";
import { ProgramBuilder, DONE } from "../sim/program";
import { Cell } from "../sim/store";
import { set_entry, ptep_clear_flush_notify, pmdp_huge_clear_flush, flush_tlb_page } from "../mm/ops";
import {
  pte_present, pte_pfn, pte_write, pte_mkwrite, pte_mkdirty, pte_mkyoung, pfn_pte, is_swap_pte, swp_slot, is_migration_entry,
} from "../mm/pte";
import { MMU_NOTIFIER_RANGE_BLOCKABLE, type mmu_notifier_range } from "../notifier/mmu_notifier";
import { PAGE_SIZE, PMD_SIZE, HPAGE_PMD_NR, hex } from "../mm/constants";
import type { SwapSpace } from "./rmap";

export type FaultResult = "done" | "sigsegv";

/**
 * ptep_set_access_flags() for a permission upgrade (read-only to writable, same page).
 * x86 flushes nothing: a fault drops the stale entry. arm64 may cache permissions, so
 * on an upgrade to writable (dirty) it flushes the CPU TLB for the page
 * (v6.5:arch/arm64/mm/fault.c:241-243). Whether a secondary TLB hears of it depends on
 * the notifier model: in the RFC that flush notifies nobody, and an SMMU (mainline
 * never enables BTM) that faults from its cached read-only entry livelocks the device
 * unless patch 2/2 (notifyOnUpgrade) adds the notifier call in that block; in v6.6
 * flush_tlb_page() itself calls the notifier (v6.6:arch/arm64/include/asm/tlbflush.h:259-283).
 */
export function ptep_set_access_flags_upgrade(k: Kernel, mm: mm_struct, addr: number): void {
  const pte = mm.pgd.get_pte(addr);
  const vma = mm.find_vma(addr)!;
  const hook = k.hooks.ptep_set_access_flags;
  if (hook) return hook(k, vma, addr, pte_mkdirty(pte_mkyoung(pte_mkwrite(pte))));
  set_entry(k, mm, addr, "pte", pte_mkdirty(pte_mkyoung(pte_mkwrite(pte))), "remap");
  if (k.arch.arch === "arm64") {
    flush_tlb_page(k, vma, addr);
    if (k.arch.notifyOnUpgrade && k.arch.notifierModel === "rfc") k.mn.mmu_notifier_invalidate_secondary_tlbs(mm, addr, addr + PAGE_SIZE);
  }
}

/** wp_page_copy() done in one go (the page-request handler's path). */
function wp_page_copy_atomic(k: Kernel, vma: vm_area_struct, addr: number): void {
  const mm = vma.vm_mm;
  const old = mm.pgd.get_pte(addr);
  const oldPfn = pte_pfn(old);
  const np = k.phys.alloc_page(mm.name);
  k.phys.copy(np, oldPfn);
  const range: mmu_notifier_range = { mm, start: addr, end: addr + PAGE_SIZE, event: "MMU_NOTIFY_CLEAR", flags: MMU_NOTIFIER_RANGE_BLOCKABLE };
  k.mn.mmu_notifier_invalidate_range_start(range);
  const ptl = mm.pgd.pte_lockptr(addr);
  ptl.spin_lock();
  ptep_clear_flush_notify(k, vma, addr, "remap");
  set_entry(k, mm, addr, "pte", pte_mkdirty(pfn_pte(np, { write: true })), "remap");
  k.phys.page_add_rmap(np);
  k.phys.page_remove_rmap(oldPfn);
  ptl.spin_unlock();
  k.mn.mmu_notifier_invalidate_range_only_end(range);
  k.phys.put_page(oldPfn);
}

/**
 * handle_mm_fault() in one step: anonymous fault, swap-in, write fault on a
 * read-only PTE (reuse or COW), or a spurious fault where the PTE is already fine.
 */
export function handle_mm_fault(k: Kernel, mm: mm_struct, addr: number, write: boolean, swap?: SwapSpace): FaultResult {
  const vma = mm.find_vma(addr);
  if (!vma || (write && !vma.vm_write)) return "sigsegv";
  const ptl = mm.pgd.pte_lockptr(addr);
  const pte = mm.pgd.get_pte(addr);
  if (pte === 0 || is_swap_pte(pte)) {
    const np = k.phys.alloc_page(mm.name);
    if (is_swap_pte(pte) && swap) {
      // do_swap_page(): read the contents back.
      k.phys.restore(np, swap.slots.get(swp_slot(pte)));
    }
    mm.pgd.populate(addr, "pte");
    ptl.spin_lock();
    set_entry(k, mm, addr, "pte", pfn_pte(np, { write: vma.vm_write && (write || pte === 0) }), "remap");
    k.phys.page_add_rmap(np);
    ptl.spin_unlock();
    return "done";
  }
  if (is_migration_entry(pte)) return "done"; // the caller waits for migration first
  if (write && !pte_write(pte)) {
    if (k.phys.page_count(pte_pfn(pte)) === 1) {
      ptl.spin_lock();
      ptep_set_access_flags_upgrade(k, mm, addr);
      ptl.spin_unlock();
    } else {
      wp_page_copy_atomic(k, vma, addr);
    }
  }
  return "done";
}

/**
 * A user thread on a CPU doing loads and stores. A fault is handled on the same
 * thread; a COW break runs as separate steps in wp_page_copy()'s order:
 * allocate and copy, range_start, lock, ptep_clear_flush_notify + set the new PTE,
 * unlock, range_only_end, drop the old page.
 */
export function userProgram(
  k: Kernel,
  cpu: Cpu,
  mm: mm_struct,
  accesses: readonly { op: "read" | "write"; addr: number; name?: string }[],
  name: string,
): ProgramBuilder {
  const b = new ProgramBuilder(name);
  const seen = accesses.map((_, i) => new Cell(k.sim.store, `${name}.read[${i}]`));
  accesses.forEach((acc, i) => {
    const write = acc.op === "write";
    const where = acc.name ? `${acc.name} (${hex(acc.addr)})` : hex(acc.addr);
    const L = `a${i}`;
    const next = i + 1 < accesses.length ? `a${i + 1}` : DONE;
    const newPfn = new Cell(k.sim.store, `${name}.cow${i}.new`);
    const oldPfn = new Cell(k.sim.store, `${name}.cow${i}.old`);
    const vma = mm.find_vma(acc.addr);
    if (!vma) throw new Error(`${name}: no VMA at ${hex(acc.addr)}`);
    const ptl = mm.pgd.pte_lockptr(acc.addr);
    const range: mmu_notifier_range = { mm, start: acc.addr, end: acc.addr + PAGE_SIZE, event: "MMU_NOTIFY_CLEAR", flags: MMU_NOTIFIER_RANGE_BLOCKABLE };
    b.label(L).step(`cpu${cpu.id}: ${acc.op} ${where}`, () => {
      const hit = cpu.tlb.lookup(mm.id, acc.addr);
      let pfn = -1;
      if (hit && (!write || hit.write)) pfn = hit.pfn;
      else {
        if (hit) cpu.tlb.invalidateRange(mm.id, acc.addr, acc.addr + PAGE_SIZE);
        const e = mm.pgd.leaf(acc.addr);
        const level = mm.pgd.leafLevel;
        if (pte_present(e) && (!write || pte_write(e))) {
          const size = level === "pte" ? PAGE_SIZE : PMD_SIZE;
          const base = Math.floor(acc.addr / size) * size;
          pfn = pte_pfn(e) + Math.floor((acc.addr - base) / PAGE_SIZE);
          cpu.tlb.fill(mm.id, base, level, pte_pfn(e), pte_write(e), k.phys.generation(pfn));
        }
      }
      if (pfn < 0) return `${L}:fault`;
      if (write) {
        const id = k.phys.write(pfn);
        if (k.sim.tracing) k.sim.log(() => `cpu${cpu.id}: wrote ${where} in pfn ${pfn} (write #${id})`);
      } else {
        seen[i]!.value = k.phys.read(pfn);
      }
      return next;
    });
    b.label(`${L}:fault`).step("page fault: mmap_read_lock", () => mm.mmap_lock.down_read(), () => mm.mmap_lock.readAvailable());
    b.step(
      "handle_mm_fault",
      () => {
        const pte = mm.pgd.get_pte(acc.addr);
        const cow = write && pte_present(pte) && !pte_write(pte) && vma.vm_write && k.phys.page_count(pte_pfn(pte)) > 1;
        if (!cow) {
          handle_mm_fault(k, mm, acc.addr, write);
          return `${L}:unlock`;
        }
        // do_wp_page() -> wp_page_copy(): allocate and copy outside any lock.
        oldPfn.value = pte_pfn(pte);
        newPfn.value = k.phys.alloc_page(mm.name);
        k.phys.copy(newPfn.value, oldPfn.value);
        return undefined;
      },
      () => ptl.available() && !is_migration_entry(mm.pgd.get_pte(acc.addr)),
    );
    b.step("wp_page_copy: mmu_notifier_invalidate_range_start", () => k.mn.mmu_notifier_invalidate_range_start(range));
    b.step("wp_page_copy: pte_offset_map_lock", () => ptl.spin_lock(), () => ptl.available());
    b.step("wp_page_copy: ptep_clear_flush_notify; set_pte_at(new page, writable)", () => {
      const pte = mm.pgd.get_pte(acc.addr);
      if (!pte_present(pte) || pte_pfn(pte) !== oldPfn.value) {
        // Someone else changed the PTE: back out, the access will fault again.
        k.phys.put_page(newPfn.value);
        newPfn.value = 0;
        return undefined;
      }
      ptep_clear_flush_notify(k, vma, acc.addr, "remap");
      set_entry(k, mm, acc.addr, "pte", pte_mkdirty(pfn_pte(newPfn.value, { write: true })), "remap");
      k.phys.page_add_rmap(newPfn.value);
      k.phys.page_remove_rmap(oldPfn.value);
      return undefined;
    });
    b.step("wp_page_copy: pte_unmap_unlock", () => ptl.spin_unlock());
    b.step("wp_page_copy: mmu_notifier_invalidate_range_only_end", () => k.mn.mmu_notifier_invalidate_range_only_end(range));
    b.step("wp_page_copy: put_page(old page)", () => {
      if (newPfn.value) k.phys.put_page(oldPfn.value);
    });
    b.label(`${L}:unlock`).step("mmap_read_unlock; retry the access", () => {
      mm.mmap_lock.up_read();
      return L;
    });
  });
  return b;
}

/**
 * hugetlb_wp(): break COW on a PMD-sized hugetlb page: copy, range_start, lock,
 * clear and flush the huge entry (huge_ptep_clear_flush), notify for the whole huge
 * page, install the copy, unlock, a full range_end, then drop the old page.
 */
export function hugetlbWpProgram(k: Kernel, vma: vm_area_struct, addr: number, reservedPfn: number, name = "hugetlb_wp"): ProgramBuilder {
  const mm = vma.vm_mm;
  const haddr = Math.floor(addr / PMD_SIZE) * PMD_SIZE;
  const ptl = mm.pgd.pmd_lockptr(haddr);
  const oldPfn = new Cell(k.sim.store, `${name}.old`);
  const range: mmu_notifier_range = { mm, start: haddr, end: haddr + PMD_SIZE, event: "MMU_NOTIFY_CLEAR", flags: MMU_NOTIFIER_RANGE_BLOCKABLE };
  const callSite = k.hooks.secondary_tlbs_call_site;
  const b = new ProgramBuilder(`${name} ${hex(haddr)}`);
  b.step("mmap_read_lock", () => mm.mmap_lock.down_read(), () => mm.mmap_lock.readAvailable());
  b.step("alloc_hugetlb_folio; copy_user_large_folio", () => {
    oldPfn.value = pte_pfn(mm.pgd.get_pmd(haddr));
    k.phys.claim(reservedPfn, `${mm.name} (hugetlb copy)`, HPAGE_PMD_NR);
    k.phys.copy_range(reservedPfn, oldPfn.value, HPAGE_PMD_NR);
  });
  b.step("mmu_notifier_invalidate_range_start", () => k.mn.mmu_notifier_invalidate_range_start(range));
  b.step("huge_pte_lock", () => ptl.spin_lock(), () => ptl.available());
  // huge_ptep_clear_flush(), then an explicit notifier call for the huge range (not
  // the PMD notify helper), then a full range_end (v6.5:mm/hugetlb.c:5719-5731).
  const notify = callSite ? "; [hugetlb_wp call site]" : k.arch.notifierModel === "rfc" ? "; mmu_notifier_invalidate_secondary_tlbs(huge range)" : "";
  b.step(`huge_ptep_clear_flush${notify}; set_huge_pte_at(new page)`, () => {
    pmdp_huge_clear_flush(k, vma, haddr, "remap");
    if (callSite) callSite("hugetlb_wp", { k, mm, vma, address: haddr, size: PMD_SIZE });
    else if (k.arch.notifierModel === "rfc") k.mn.mmu_notifier_invalidate_secondary_tlbs(mm, haddr, haddr + PMD_SIZE);
    set_entry(k, mm, haddr, "pmd", pte_mkdirty(pfn_pte(reservedPfn, { write: true, huge: true })), "remap");
    k.phys.page_add_rmap(reservedPfn);
    k.phys.page_remove_rmap(oldPfn.value);
  });
  b.step("spin_unlock", () => ptl.spin_unlock());
  b.step("mmu_notifier_invalidate_range_end", () => k.mn.mmu_notifier_invalidate_range_end(range));
  b.step("put_page(old huge page); mmap_read_unlock", () => {
    k.phys.put_page(oldPfn.value, HPAGE_PMD_NR);
    mm.mmap_lock.up_read();
  });
  return b;
}
