/**
 * Hidden tests, kata 04-clear-flush-notify: the ranges the helpers notify, recorded by
 * the driver in straight runs, against the pages the kernel paths clear.
 */
import {
  defineSuite,
  runScenarioStraight,
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

export default defineSuite<ClearFlushNotifyModule>("ranges", [
  {
    name: "COW: ptep_clear_flush_notify invalidates exactly the one page, once",
    points: 1,
    grades: [],
    run: (impl) => expectUnderPtl(recorded(impl, "cow"), [[page(0), page(1)]], "wp_page_copy of A"),
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
]);
