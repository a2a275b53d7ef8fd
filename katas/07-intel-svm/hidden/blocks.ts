/**
 * Hidden tests, kata 07: the exact descriptors of ranges whose block is known in
 * advance. A power-of-two count of pages, aligned to its size, is one naturally aligned
 * block: order_base_2 of a power of two is itself, so the driver sends one page-selective
 * descriptor of exactly that many pages per cache, even at cap_max_amask_val (AM may
 * equal it: VT-d specification, "Max Address Mask Value"). Only (0, ULONG_MAX) is the
 * whole address space (the fix e7ad6c2a4b1a tests start and end:
 * v6.8:drivers/iommu/intel/svm.c:219-254, docs/KERNEL-FACTS.md#intel-v66-wrap), and a
 * device without ATS gets no device-TLB invalidation, whole-PASID ones included.
 */
import {
  defineSuite,
  require_,
  KataFailure,
  StepAbort,
  intelSvmDriver,
  baseScenario,
  ungradedRules,
  page,
  hex,
  describe_qi_desc,
  IntelIommu,
  QI_EIOTLB_TYPE,
  QI_DEIOTLB_TYPE,
  QI_GRAN_PSI_PASID,
  QI_DEV_EIOTLB_ALL_ORDER,
  PAGE_SIZE,
  ULONG_MAX,
  type IntelSvmModule,
  type IntelDriverOptions,
  type qi_desc,
  type p_iotlb_inv_dsc,
  type dev_tlb_pasid_inv_dsc,
} from "tlbkata";

/** [start, end) addresses. */
type Range = readonly [number, number];

/**
 * Bind a device to 16 faulted-in pages, let it cache every one, then call
 * invalidate_secondary_tlbs for each range with no lock held: the descriptors sent for
 * each. These tests read the descriptors themselves: no oracle rule is theirs.
 */
function sent(impl: IntelSvmModule, ranges: readonly Range[], o: IntelDriverOptions): qi_desc[][] {
  const p = baseScenario(intelSvmDriver(impl, "intel", "", o), { pages: 16 });
  const w = p.w;
  for (const r of ungradedRules([])) w.k.sim.disabledRules.add(r);
  const io = p.iommu as IntelIommu;
  const bad = w.setupViolations[0];
  if (bad) throw new KataFailure(`[${bad.rule}] binding failed: ${bad.message}`, bad.rule);
  return ranges.map(([start, end]) => {
    try {
      w.setup(() => {
        for (let i = 0; i < 16; i++) io.translate(p.pasid, page(i), false);
        io.submitted = [];
        w.k.mn.mmu_notifier_invalidate_secondary_tlbs(p.mm, start, end);
      });
    } catch (e) {
      if (e instanceof StepAbort) throw new KataFailure(`[${e.violation.rule}] invalidate_secondary_tlbs(${hex(start)}, ${hex(end)}): ${e.violation.message}`, e.violation.rule);
      throw e;
    }
    const got = io.submitted ?? [];
    io.submitted = null;
    return got;
  });
}

const show = (ds: readonly qi_desc[]): string => (ds.length ? ds.map(describe_qi_desc).join("; ") : "nothing");
const iotlbOf = (ds: readonly qi_desc[]) => ds.filter((d): d is p_iotlb_inv_dsc => d.type === QI_EIOTLB_TYPE);
const devOf = (ds: readonly qi_desc[]) => ds.filter((d): d is dev_tlb_pasid_inv_dsc => d.type === QI_DEIOTLB_TYPE);
const wholePasid = (ds: readonly qi_desc[]) => [...iotlbOf(ds).filter((d) => d.granu !== QI_GRAN_PSI_PASID), ...devOf(ds).filter((d) => d.size_order >= QI_DEV_EIOTLB_ALL_ORDER)];

/** Exactly one page-selective IOTLB descriptor, and with ATS one device-TLB descriptor, for the block [start, start + 2^am pages). */
function oneBlock(r: Range, ds: readonly qi_desc[], am: number, ats: boolean, why: string): void {
  const iotlb = iotlbOf(ds);
  const dev = devOf(ds);
  const ok =
    iotlb.length === 1 && iotlb[0]!.granu === QI_GRAN_PSI_PASID && iotlb[0]!.addr === r[0] && iotlb[0]!.am === am &&
    (ats ? dev.length === 1 && dev[0]!.addr === r[0] && dev[0]!.size_order === am : dev.length === 0);
  require_(ok, `invalidate_secondary_tlbs(${hex(r[0])}, ${hex(r[1])}), ${2 ** am} page(s) aligned to their size, sent ${show(ds)}; expected one page-selective IOTLB invalidation of 2^${am} pages at ${hex(r[0])}${ats ? " and one device-TLB invalidation of the same block" : ""}: ${why}`);
}

/** Aligned power-of-two blocks: 1, 2, 4, 8 and 16 pages. */
const BLOCKS: readonly (readonly [first: number, am: number])[] = [
  [0, 0],
  [5, 0],
  [2, 1],
  [4, 2],
  [8, 3],
  [0, 4],
];
const blockRange = ([first, am]: readonly [number, number]): Range => [page(first), page(first + 2 ** am)];

export default defineSuite<IntelSvmModule>("blocks", [
  {
    name: "a power-of-two range aligned to its size is one block of exactly that size in the IOTLB and the device-TLB (order_base_2 of 2^k is k)",
    points: 2,
    grades: [],
    run(impl) {
      const ranges = BLOCKS.map(blockRange);
      sent(impl, ranges, { ats: true }).forEach((ds, i) =>
        oneBlock(ranges[i]!, ds, BLOCKS[i]![1], true, "the page count (end - start + PAGE_SIZE - 1) >> VTD_PAGE_SHIFT is already a power of two, and a larger block invalidates translations that are still valid"),
      );
    },
  },
  {
    name: "a block of exactly 2^cap_max_amask_val pages is still one page-selective invalidation, not a whole-PASID flush",
    points: 1,
    grades: [],
    run(impl) {
      // A unit whose largest page-selective block is 16 pages (MAMV 4).
      const r = blockRange([0, 4]);
      const [ds] = sent(impl, [r], { ats: true, mamv: 4 });
      oneBlock(r, ds!, 4, true, "AM may equal cap_max_amask_val; only a larger block needs the whole PASID");
    },
  },
  {
    name: "a range that starts at address 0 is a range, not the whole address space: only (0, ULONG_MAX) is",
    points: 1,
    grades: [],
    run(impl) {
      const r: Range = [0, PAGE_SIZE];
      const [ds] = sent(impl, [r], { ats: true });
      const whole = wholePasid(ds!);
      require_(whole.length === 0, `invalidate_secondary_tlbs(0x0, ${hex(PAGE_SIZE)}) sent ${show(ds!)}: the whole-PASID flush is for (0, ULONG_MAX), start and end both; one page at address 0 is one page-selective block`);
      oneBlock(r, ds!, 0, true, "one page at address 0");
    },
  },
  {
    name: "without ATS the whole-PASID flush of (0, ULONG_MAX) sends no device-TLB invalidation either (and is not a loop over every page)",
    points: 1,
    // A per-page loop over the whole address space never ends: the flood is this test's to report.
    grades: ["invalidation-flood"],
    run(impl) {
      const [ds] = sent(impl, [[0, ULONG_MAX]], { ats: false });
      const dev = devOf(ds!);
      require_(iotlbOf(ds!).length > 0, `invalidate_secondary_tlbs(0, ULONG_MAX) sent ${show(ds!)}: the whole PASID must still be invalidated in the IOTLB`);
      require_(dev.length === 0, `invalidate_secondary_tlbs(0, ULONG_MAX) to a device without ATS sent ${show(dev)}: it has no device-TLB (check sdev.dev_iotlb on the whole-PASID path too)`);
    },
  },
]);
