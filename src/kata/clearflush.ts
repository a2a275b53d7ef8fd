/**
 * Kata 04-clear-flush-notify: the learner writes the three `*_clear_flush_notify`
 * helpers and `tlb_flush_mmu_tlbonly` / `tlb_flush_mmu`; `clearFlushKernel(mod)` plugs
 * them into the simulated kernel (KernelOptions.hooks) so that every kernel path calls
 * them. The scenarios below add what the standard ones do not exercise: a device that
 * uses a huge page away from its first 4 KiB, a THP and a 1 GiB DAX mapping split with
 * the address of the fault (not aligned), and a CPU that still caches a page munmap
 * gathers.
 */
import type { KernelOptions } from "../kernel/kernel";
import type { KernelHooks } from "../kernel/hooks";
import type { DriverSpec } from "../drivers/driver";
import type { Scenario } from "../scenarios/index";
import type { World } from "../sim/world";
import { baseScenario, addDevice, addKernelThread, addUserThread, addVictim, page, BASE } from "../scenarios/builder";
import { hugetlbWpProgram } from "../kernel/memory";
import { munmapProgram } from "../kernel/munmap";
import { ProgramBuilder } from "../sim/program";
import { set_entry, pmdp_huge_clear_flush_notify, pudp_huge_clear_flush_notify } from "../mm/ops";
import { pfn_pte, pte_pfn, pte_present } from "../mm/pte";
import { MMU_NOTIFIER_RANGE_BLOCKABLE, type mmu_notifier_range } from "../notifier/mmu_notifier";
import type { mmu_gather } from "../kernel/mmu_gather";
import { PMD_SIZE, PUD_SIZE, HPAGE_PMD_NR, HPAGE_PUD_NR, hex } from "../mm/constants";

/** What a kata 04-clear-flush-notify file exports: the kernel's signatures, kernel first. */
export interface ClearFlushNotifyModule {
  readonly ptep_clear_flush_notify: KernelHooks["ptep_clear_flush_notify"];
  readonly pmdp_huge_clear_flush_notify: KernelHooks["pmdp_huge_clear_flush_notify"];
  readonly pudp_huge_clear_flush_notify: KernelHooks["pudp_huge_clear_flush_notify"];
  readonly tlb_flush_mmu_tlbonly: KernelHooks["tlb_flush_mmu_tlbonly"];
  readonly tlb_flush_mmu: KernelHooks["tlb_flush_mmu"];
}

/** Kernel options that make every kernel path use the learner's helpers. */
export function clearFlushKernel(mod: ClearFlushNotifyModule, extra: KernelOptions = {}): KernelOptions {
  return {
    ...extra,
    hooks: {
      ...extra.hooks,
      ptep_clear_flush_notify: mod.ptep_clear_flush_notify,
      pmdp_huge_clear_flush_notify: mod.pmdp_huge_clear_flush_notify,
      pudp_huge_clear_flush_notify: mod.pudp_huge_clear_flush_notify,
      tlb_flush_mmu_tlbonly: mod.tlb_flush_mmu_tlbonly,
      tlb_flush_mmu: mod.tlb_flush_mmu,
    },
  };
}

const range = (w: World, start: number, end: number, event: mmu_notifier_range["event"]): mmu_notifier_range => ({
  mm: w.k.mms[0]!,
  start,
  end,
  event,
  flags: MMU_NOTIFIER_RANGE_BLOCKABLE,
});

/** Offsets (in 4 KiB pages) into a huge page that the devices of these scenarios use. */
export const HUGE_OFFSETS = { near: 3, far: 300, farPud: 600 } as const;

/** hugetlb_wp on a 2 MiB page while the device reads two 4 KiB pieces of it, away from its start. */
export const hugetlbCowOffsetScenario: Scenario = {
  name: "hugetlb-cow-offset",
  summary: "hugetlb_wp breaks COW on a 2 MiB page while the device reads 4 KiB pieces 3 and 300 of it",
  build(driver: DriverSpec, kernel?: KernelOptions): World {
    const p = baseScenario(driver, { pages: 0, spare: HPAGE_PMD_NR, kernel });
    const k = p.w.k;
    let reserved = 0;
    p.w.setup(() => {
      const head = k.alloc_huge_page(HPAGE_PMD_NR, p.mm.name);
      k.phys.write(head + HUGE_OFFSETS.near);
      k.phys.write(head + HUGE_OFFSETS.far);
      k.phys.get_page(head); // the child's mapping
      p.mm.pgd.populate(BASE, "pmd");
      const l = p.mm.pgd.pmd_lockptr(BASE);
      l.spin_lock();
      set_entry(k, p.mm, BASE, "pmd", pfn_pte(head, { write: false, huge: true }), "remap");
      l.spin_unlock();
      reserved = k.alloc_huge_page(HPAGE_PMD_NR, "hugetlb pool");
      k.phys.put_page(reserved, HPAGE_PMD_NR);
    });
    addDevice(p, [
      { op: "read", addr: page(HUGE_OFFSETS.near), name: "A3" },
      { op: "read", addr: page(HUGE_OFFSETS.far), name: "A300" },
    ]);
    addKernelThread(p, "hugetlb_wp", hugetlbWpProgram(k, p.vma, page(HUGE_OFFSETS.far), reserved));
    return p.w;
  },
};

/**
 * __split_huge_pmd() of a file THP (page cache): the PMD is cleared with the fault's
 * address (not aligned), the page stays in the page cache; then truncate drops the
 * page cache's reference and frees it. Nothing maps it in this mm any more, so the
 * split's notification is the only one the device gets.
 */
export const fileThpSplitScenario: Scenario = {
  name: "file-thp-split",
  summary: "a file THP's PMD is split (cleared) at an unaligned address, then truncate frees the page, while the device reads pieces 3 and 300",
  build(driver: DriverSpec, kernel?: KernelOptions): World {
    const p = baseScenario(driver, { pages: 0, spare: HPAGE_PMD_NR, kernel });
    const k = p.w.k;
    const mm = p.mm;
    let head = 0;
    p.w.setup(() => {
      head = k.alloc_huge_page(HPAGE_PMD_NR, "page cache");
      mm.pgd.populate(BASE, "pmd");
      const l = mm.pgd.pmd_lockptr(BASE);
      l.spin_lock();
      set_entry(k, mm, BASE, "pmd", pfn_pte(head, { write: true, huge: true }), "remap");
      l.spin_unlock();
      k.phys.page_add_rmap(head);
    });
    addDevice(p, [
      { op: "read", addr: page(HUGE_OFFSETS.near), name: "P3" },
      { op: "read", addr: page(HUGE_OFFSETS.far), name: "P300" },
    ]);
    const fault = page(7) + 0x123;
    const pmdl = mm.pgd.pmd_lockptr(BASE);
    const r = range(p.w, BASE, BASE + PMD_SIZE, "MMU_NOTIFY_CLEAR");
    const b = new ProgramBuilder(`split file THP ${hex(BASE)}`);
    b.step("__split_huge_pmd: mmu_notifier_invalidate_range_start", () => k.mn.mmu_notifier_invalidate_range_start(r));
    b.step("pmd_lock", () => pmdl.spin_lock(), () => pmdl.available());
    b.step(`__split_huge_pmd_locked: pmdp_huge_clear_flush_notify(${hex(fault)}); page_remove_rmap`, () => {
      const old = mm.pgd.get_pmd(BASE);
      if (!pte_present(old)) return;
      pmdp_huge_clear_flush_notify(k, p.vma, fault, "unmap");
      k.phys.page_remove_rmap(pte_pfn(old));
    });
    b.step("spin_unlock", () => pmdl.spin_unlock());
    b.step("mmu_notifier_invalidate_range_only_end", () => k.mn.mmu_notifier_invalidate_range_only_end(r));
    b.step("truncate: delete the page from the page cache (frees it)", () => k.phys.put_page(head, HPAGE_PMD_NR));
    addKernelThread(p, "split", b);
    return p.w;
  },
};

/** First pfn of the 1 GiB of device memory (pmem) the DAX scenario maps. */
export const DAX_PFN = 4 * HPAGE_PUD_NR;

/**
 * __split_huge_pud() of a 1 GiB DAX mapping: the PUD is cleared (the next fault maps
 * smaller pieces), then the file is truncated and its blocks go back to the file
 * system. Only the 4 KiB blocks the device uses are tracked as frames.
 */
export const daxPudSplitScenario: Scenario = {
  name: "dax-pud-split",
  summary: "a 1 GiB DAX mapping's PUD is split (cleared) at an unaligned address, then truncate frees its blocks, while the device reads pieces 3 and 600",
  build(driver: DriverSpec, kernel?: KernelOptions): World {
    const p = baseScenario(driver, { pages: 0, spare: HPAGE_PUD_NR, kernel });
    const k = p.w.k;
    const mm = p.mm;
    const used = [HUGE_OFFSETS.near, HUGE_OFFSETS.farPud];
    p.w.setup(() => {
      for (const off of used) k.phys.claim(DAX_PFN + off, "pmem file");
      const l = mm.page_table_lock;
      l.spin_lock();
      set_entry(k, mm, BASE, "pud", pfn_pte(DAX_PFN, { write: true, huge: true }), "remap");
      l.spin_unlock();
    });
    addDevice(p, [
      { op: "read", addr: page(HUGE_OFFSETS.near), name: "D3" },
      { op: "read", addr: page(HUGE_OFFSETS.farPud), name: "D600" },
    ]);
    const fault = page(2 * HPAGE_PMD_NR + 5);
    const l = mm.page_table_lock;
    const r = range(p.w, BASE, BASE + PUD_SIZE, "MMU_NOTIFY_CLEAR");
    const b = new ProgramBuilder(`split DAX PUD ${hex(BASE)}`);
    b.step("__split_huge_pud: mmu_notifier_invalidate_range_start", () => k.mn.mmu_notifier_invalidate_range_start(r));
    b.step("pud_lock", () => l.spin_lock(), () => l.available());
    b.step(`__split_huge_pud_locked: pudp_huge_clear_flush_notify(${hex(fault)})`, () => {
      if (pte_present(mm.pgd.get_pud(BASE))) pudp_huge_clear_flush_notify(k, p.vma, fault, "unmap");
    });
    b.step("spin_unlock", () => l.spin_unlock());
    b.step("mmu_notifier_invalidate_range_only_end", () => k.mn.mmu_notifier_invalidate_range_only_end(r));
    b.step("truncate: the file system frees the blocks", () => {
      for (const off of used) k.phys.put_page(DAX_PFN + off);
    });
    addKernelThread(p, "split", b);
    return p.w;
  },
};

/** munmap of two pages, a batch that never fills, and a CPU that has page A in its TLB. */
export const munmapCpuScenario: Scenario = {
  name: "munmap-cpu",
  summary: "a thread reads A (the CPU caches it), then munmap of A and B with a batch that does not fill: tlb_finish_mmu flushes and frees",
  build(driver: DriverSpec, kernel?: KernelOptions): World {
    const p = baseScenario(driver, { pages: 2, kernel });
    addDevice(p, [{ op: "read", addr: page(1), name: "B" }]);
    addUserThread(p, "reader", 0, [{ op: "read", addr: page(0), name: "A" }]);
    addKernelThread(p, "munmap", munmapProgram(p.w.k, p.vma, page(0), page(2), 8));
    addVictim(p);
    return p.w;
  },
};

/** The standard munmap, with the device on page B: the second page of the first batch. */
export const munmapSecondPageScenario: Scenario = {
  name: "munmap-b",
  summary: "munmap of 4 pages with a batch of 2, the device reading and writing B (the second page of the first batch)",
  build(driver: DriverSpec, kernel?: KernelOptions): World {
    const p = baseScenario(driver, { pages: 4, kernel });
    addDevice(p, [
      { op: "read", addr: page(1), name: "B" },
      { op: "write", addr: page(1), name: "B" },
    ]);
    addKernelThread(p, "munmap", munmapProgram(p.w.k, p.vma, page(0), page(4), 2));
    addVictim(p);
    return p.w;
  },
};

export const clearFlushScenarios: readonly Scenario[] = [
  hugetlbCowOffsetScenario,
  fileThpSplitScenario,
  daxPudSplitScenario,
  munmapCpuScenario,
  munmapSecondPageScenario,
];

/** __tlb_reset_range(): nothing gathered is left to flush. */
export function __tlb_reset_range(tlb: mmu_gather): void {
  tlb.start.value = 0;
  tlb.end.value = 0;
}

/**
 * Whether entries were cleared since the last flush, i.e. [tlb.rangeStart,
 * tlb.rangeEnd) means something (the kernel tests tlb->cleared_ptes and friends).
 */
export function tlb_cleared_entries(tlb: mmu_gather): boolean {
  return tlb.start.value !== 0;
}
