/**
 * Kata 04-clear-flush-notify: the learner writes the three `*_clear_flush_notify`
 * helpers and `tlb_flush_mmu_tlbonly` / `tlb_flush_mmu`; `clearFlushKernel(mod)` plugs
 * them into the simulated kernel (KernelOptions.hooks) so that every kernel path calls
 * them. The scenarios below add what the standard ones do not exercise: a device that
 * uses a huge page away from its first 4 KiB, a THP and a 1 GiB DAX mapping split
 * through helpers handed an address inside the huge page rather than its start (the
 * kernel's callers pass the aligned address, and its macros mask any: a check that the
 * helpers do too), and a CPU that still caches a page munmap
 * gathers.
 */
import type { KernelOptions } from "../../kernel/kernel";
import type { KernelHooks } from "../../kernel/hooks";
import type { DriverSpec } from "../../drivers/driver";
import type { Scenario } from "../../scenarios/index";
import type { World } from "../../sim/world";
import type { DmaAccess } from "../../hw/device";
import { baseScenario, addDevice, addKernelThread, addUserThread, munmapWorld, setupEntry, readPage, writePage, page, BASE, type ScenarioParts } from "../../scenarios/builder";
import { hugetlbWpProgram } from "../../kernel/memory";
import { ProgramBuilder } from "../../sim/program";
import { entry_lock, pmdp_huge_clear_flush_notify, pudp_huge_clear_flush_notify } from "../../mm/ops";
import { pte_pfn, pte_present } from "../../mm/pte";
import { MMU_NOTIFIER_RANGE_BLOCKABLE, type mmu_notifier_range } from "../../notifier/mmu_notifier";
import type { mmu_gather } from "../../kernel/mmu_gather";
import { PAGE_SIZE, PMD_SIZE, PUD_SIZE, HPAGE_PMD_NR, HPAGE_PUD_NR, hex } from "../../mm/constants";

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

/**
 * __split_huge_pmd() or __split_huge_pud() of the huge entry at BASE, as the notifier
 * sees it: range_start, the entry's lock, the clear (a *_clear_flush_notify, here given
 * an address inside the huge page), unlock, range_only_end; then truncate frees what was mapped.
 */
function splitThenTruncate(
  p: ScenarioParts,
  level: "pmd" | "pud",
  o: { readonly name: string; readonly clearLabel: string; readonly clear: () => void; readonly truncateLabel: string; readonly truncate: () => void; readonly base?: number },
): ProgramBuilder {
  const k = p.w.k;
  const base = o.base ?? BASE;
  const lock = entry_lock(p.mm, base, level);
  const r = range(p.w, base, base + (level === "pmd" ? PMD_SIZE : PUD_SIZE), "MMU_NOTIFY_CLEAR");
  const b = new ProgramBuilder(`${o.name} ${hex(base)}`);
  b.step(`__split_huge_${level}: mmu_notifier_invalidate_range_start`, () => k.mn.mmu_notifier_invalidate_range_start(r));
  b.step(`${level}_lock`, () => lock.spin_lock(), () => lock.available());
  b.step(`__split_huge_${level}_locked: ${o.clearLabel}`, o.clear);
  b.step("spin_unlock", () => lock.spin_unlock());
  b.step("mmu_notifier_invalidate_range_only_end", () => k.mn.mmu_notifier_invalidate_range_only_end(r));
  b.step(`truncate: ${o.truncateLabel}`, o.truncate);
  return b;
}

/** Offsets (in 4 KiB pages) into a huge page that the devices of these scenarios use. */
export const HUGE_OFFSETS = { near: 3, far: 300, farPud: 600 } as const;

/** The device reads the huge page's 4 KiB pieces `near` and `far`, named for traces as `${prefix}3`, ... */
const readPieces = (prefix: string, far: number, base = BASE): DmaAccess[] =>
  [HUGE_OFFSETS.near, far].map((off) => ({ op: "read", addr: base + page(off) - BASE, name: `${prefix}${off}` }));

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
      setupEntry(k, p.mm, BASE, "pmd", head, false);
      reserved = k.alloc_huge_page(HPAGE_PMD_NR, "hugetlb pool");
      k.phys.put_page(reserved, HPAGE_PMD_NR);
    });
    addDevice(p, readPieces("A", HUGE_OFFSETS.far));
    addKernelThread(p, "hugetlb_wp", hugetlbWpProgram(k, p.vma, page(HUGE_OFFSETS.far), reserved));
    return p.w;
  },
};

/**
 * __split_huge_pmd() of a file THP (page cache) mapped at `base`: the PMD is cleared
 * (the helper is handed an address inside the huge page), the page stays in the page cache; then
 * truncate drops the page cache's reference and frees it. Nothing maps it in this mm
 * any more, so the split's notification is the only one the device gets.
 */
function fileThpSplitAt(base: number, name: string, where: string): Scenario {
  return {
    name,
    summary: `a file THP's PMD${where} is split (cleared) at an unaligned address, then truncate frees the page, while the device reads pieces 3 and 300`,
    build(driver: DriverSpec, kernel?: KernelOptions): World {
      const p = baseScenario(driver, { pages: 0, spare: HPAGE_PMD_NR, vma: [base, base + PMD_SIZE], kernel });
      const k = p.w.k;
      const mm = p.mm;
      let head = 0;
      p.w.setup(() => {
        head = k.alloc_huge_page(HPAGE_PMD_NR, "page cache");
        setupEntry(k, mm, base, "pmd", head, true);
        k.phys.page_add_rmap(head);
      });
      addDevice(p, readPieces("P", HUGE_OFFSETS.far, base));
      const fault = base + 7 * PAGE_SIZE + 0x123;
      const split = splitThenTruncate(p, "pmd", {
        name: "split file THP",
        base,
        clearLabel: `pmdp_huge_clear_flush_notify(${hex(fault)}); page_remove_rmap`,
        clear: () => {
          const old = mm.pgd.get_pmd(base);
          if (!pte_present(old)) return;
          pmdp_huge_clear_flush_notify(k, p.vma, fault, "unmap");
          k.phys.page_remove_rmap(pte_pfn(old));
        },
        truncateLabel: "delete the page from the page cache (frees it)",
        truncate: () => k.phys.put_page(head, HPAGE_PMD_NR),
      });
      addKernelThread(p, "split", split);
      return p.w;
    },
  };
}

export const fileThpSplitScenario: Scenario = fileThpSplitAt(BASE, "file-thp-split", "");

/** Where the high file THP is mapped: 4 GiB + 2 MiB, which 32-bit arithmetic turns into 2 MiB. */
export const HIGH_THP_BASE = 2 ** 32 + PMD_SIZE;

/** The same split above 4 GiB, where a 32-bit mask or `| 0` loses the address's high bits. */
export const fileThpSplitHighScenario: Scenario = fileThpSplitAt(HIGH_THP_BASE, "file-thp-split-high", ` at ${hex(HIGH_THP_BASE)}`);

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
      setupEntry(k, mm, BASE, "pud", DAX_PFN, true);
    });
    addDevice(p, readPieces("D", HUGE_OFFSETS.farPud));
    const fault = page(2 * HPAGE_PMD_NR + 5);
    const split = splitThenTruncate(p, "pud", {
      name: "split DAX PUD",
      clearLabel: `pudp_huge_clear_flush_notify(${hex(fault)})`,
      clear: () => {
        if (pte_present(mm.pgd.get_pud(BASE))) pudp_huge_clear_flush_notify(k, p.vma, fault, "unmap");
      },
      truncateLabel: "the file system frees the blocks",
      truncate: () => {
        for (const off of used) k.phys.put_page(DAX_PFN + off);
      },
    });
    addKernelThread(p, "split", split);
    return p.w;
  },
};

/** munmap of two pages, a batch that never fills, and a CPU that has page A in its TLB. */
export const munmapCpuScenario: Scenario = {
  name: "munmap-cpu",
  summary: "a thread reads A (the CPU caches it), then munmap of A and B with a batch that does not fill: tlb_finish_mmu flushes and frees",
  build: (driver, kernel) =>
    munmapWorld(driver, kernel, { pages: 2, device: [readPage("B")], munmap: { from: 0, to: 2, batch: 8 } }, (p) =>
      addUserThread(p, "reader", 0, [readPage("A")]),
    ),
};

/** The standard munmap, with the device on page B: the second page of the first batch. */
export const munmapSecondPageScenario: Scenario = {
  name: "munmap-b",
  summary: "munmap of 4 pages with a batch of 2, the device reading and writing B (the second page of the first batch)",
  build: (driver, kernel) => munmapWorld(driver, kernel, { pages: 4, device: [readPage("B"), writePage("B")], munmap: { from: 0, to: 4, batch: 2 } }),
};

export const clearFlushScenarios: readonly Scenario[] = [
  hugetlbCowOffsetScenario,
  fileThpSplitScenario,
  fileThpSplitHighScenario,
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
