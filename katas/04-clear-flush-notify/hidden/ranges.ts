/**
 * Hidden tests, kata 04-clear-flush-notify: the ranges the helpers notify, recorded by
 * the driver in straight runs, against the pages the kernel paths clear.
 */
import {
  defineSuite,
  runScenarioStraight,
  buildScenario,
  runBuiltStraight,
  pte_pfn,
  pte_present,
  eagerSvaDriver,
  clearFlushKernel,
  require_,
  hex,
  page,
  BASE,
  PMD_SIZE,
  PUD_SIZE,
  fileThpSplitScenario,
  fileThpSplitHighScenario,
  HIGH_THP_BASE,
  daxPudSplitScenario,
  munmapCpuScenario,
  baseScenario,
  entry_lock,
  ptep_clear_flush_notify,
  ungradedRules,
  KataFailure,
  type ClearFlushNotifyModule,
  type RecordedInvalidation,
  type ScenarioRef,
  type KernelOptions,
} from "tlbkata";

function recorded(impl: ClearFlushNotifyModule, scenario: ScenarioRef, extra: KernelOptions = {}): RecordedInvalidation[] {
  const record: RecordedInvalidation[] = [];
  // The ranges themselves are graded here; what stale entries they leave, in coherence.
  runScenarioStraight(scenario, eagerSvaDriver({ record }), { kernel: clearFlushKernel(impl, extra), grades: [] });
  return record;
}

const show = (rs: readonly RecordedInvalidation[]): string =>
  rs.length ? rs.map((r) => `[${hex(r.start)}, ${hex(r.end)})${r.atomic ? " under the ptl" : ""}`).join(", ") : "none";

/** The invalidations made with the ptl held must be exactly `want`, in order. */
function expectUnderPtl(rs: readonly RecordedInvalidation[], want: readonly [number, number][], what: string): void {
  const got = rs.filter((r) => r.atomic);
  const ok = got.length === want.length && got.every((r, i) => r.start === want[i]![0] && r.end === want[i]![1]);
  require_(ok, `${what}: expected ${want.map(([s, e]) => `[${hex(s)}, ${hex(e)})`).join(", ")} under the ptl, got ${show(got)} (all invalidations: ${show(rs)})`);
}

/**
 * ptep_clear_flush_notify(vma, address) called under A's ptl with an address inside A,
 * as the kernel's macro allows (it notifies for the address masked with PAGE_MASK:
 * RFC:include/linux/mmu_notifier.h:593, docs/KERNEL-FACTS.md#clear-flush-notify): what
 * it notified.
 */
function notifiedForOffset(impl: ClearFlushNotifyModule, at: number): RecordedInvalidation[] {
  const record: RecordedInvalidation[] = [];
  const p = baseScenario(eagerSvaDriver({ record }), { pages: 2, kernel: clearFlushKernel(impl) });
  const w = p.w;
  // The range is graded here, nothing else.
  for (const r of ungradedRules([])) w.k.sim.disabledRules.add(r);
  const ptl = entry_lock(p.mm, at, "pte");
  w.setup(() => {
    ptl.spin_lock();
    ptep_clear_flush_notify(w.k, p.vma, at, "unmap");
    ptl.spin_unlock();
  });
  const v = w.setupViolations[0];
  if (v) throw new KataFailure(`[${v.rule}] ptep_clear_flush_notify(${hex(at)}): ${v.message}`, v.rule);
  return record;
}

export default defineSuite<ClearFlushNotifyModule>("ranges", [
  {
    name: "COW: ptep_clear_flush_notify invalidates exactly the one page, once",
    points: 1,
    grades: [],
    run: (impl) => expectUnderPtl(recorded(impl, "cow"), [[page(0), page(1)]], "wp_page_copy of A"),
  },
  {
    name: "ptep_clear_flush_notify given an address inside the page invalidates exactly that page (the kernel's macro masks the address with PAGE_MASK)",
    points: 1,
    grades: [],
    run(impl) {
      const at = page(0) + 0x123;
      const rs = notifiedForOffset(impl, at);
      const ok = rs.length === 1 && rs[0]!.start === page(0) && rs[0]!.end === page(1);
      require_(ok, `ptep_clear_flush_notify(${hex(at)}) notified ${show(rs)}; expected [${hex(page(0))}, ${hex(page(1))}): the page that contains the address, address & PAGE_MASK`);
    },
  },
  {
    name: "file THP split at an unaligned address: the aligned 2 MiB page is invalidated",
    points: 1,
    grades: [],
    run: (impl) => expectUnderPtl(recorded(impl, fileThpSplitScenario), [[BASE, BASE + PMD_SIZE]], "__split_huge_pmd at piece 7 + 0x123"),
  },
  {
    name: "file THP split above 4 GiB: the aligned 2 MiB page is invalidated, all 64 bits of it",
    points: 1,
    grades: [],
    run: (impl) => expectUnderPtl(recorded(impl, fileThpSplitHighScenario), [[HIGH_THP_BASE, HIGH_THP_BASE + PMD_SIZE]], "__split_huge_pmd above 4 GiB (addresses are unsigned long)"),
  },
  {
    name: "DAX PUD split: pudp_huge_clear_flush_notify invalidates exactly the 1 GiB page",
    points: 2,
    grades: [],
    run(impl) {
      expectUnderPtl(recorded(impl, daxPudSplitScenario), [[BASE, BASE + PUD_SIZE]], "__split_huge_pud at piece 1029");
    },
  },
  {
    name: "munmap of 4 pages, batch of 2: each tlb_flush_mmu_tlbonly covers the pages cleared since the last one, and tlb_finish_mmu finds nothing left",
    points: 2,
    grades: [],
    run(impl) {
      // Page tables kept (model.freePageTables off): freeing the emptied PTE table would
      // give tlb_finish_mmu a range of its own to flush (pte_free_tlb widens the gather).
      const rs = recorded(impl, "munmap", { model: { freePageTables: false } });
      expectUnderPtl(rs, [[page(0), page(2)], [page(2), page(4)]], "the two full batches");
      const after = rs.filter((r) => !r.atomic);
      require_(
        after.length === 1 && after[0]!.start === page(0) && after[0]!.end === page(4),
        `outside the ptl only invalidate_range_end's [${hex(page(0))}, ${hex(page(4))}) was expected, got ${show(after)}: an empty gather has nothing to flush`,
      );
    },
  },
  {
    name: "munmap of A and B with a batch that never fills: tlb_finish_mmu's tlb_flush_mmu frees what was gathered, so no page munmap took out is still allocated",
    points: 1,
    grades: [],
    run(impl) {
      const w = buildScenario(munmapCpuScenario, eagerSvaDriver(), { kernel: clearFlushKernel(impl), grades: [] });
      const mm = w.k.mms[0]!;
      const pfns = [0, 1].map((i) => mm.pgd.get_pte(page(i))).filter(pte_present).map(pte_pfn);
      require_(pfns.length === 2, "the munmap-cpu scenario no longer maps A and B: the kata is broken");
      const generation = pfns.map((pfn) => w.k.phys.generation(pfn));
      runBuiltStraight(munmapCpuScenario, w);
      // Freed and allocated again (by the scenario's other process) counts as freed.
      const kept = pfns.filter((pfn, i) => w.k.phys.allocated(pfn) && w.k.phys.generation(pfn) === generation[i]);
      require_(
        kept.length === 0,
        `after munmap, page(s) pfn ${kept.join(", ")} are still allocated: tlb_flush_mmu flushes (tlb_flush_mmu_tlbonly) and then frees the gathered pages (tlb_flush_mmu_free), and tlb_finish_mmu relies on it for what the batch still holds`,
      );
    },
  },
]);
