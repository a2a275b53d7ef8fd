/**
 * Hidden tests, kata 07: what the driver asks of the VT-d hardware. The probe binds a
 * device to 16 faulted-in pages, lets it cache a translation of every one, then calls
 * invalidate_secondary_tlbs for one range at a time and looks at the caches and the
 * descriptors the unit was sent.
 */
import {
  defineSuite,
  require_,
  KataFailure,
  StepAbort,
  runScenarioStraight,
  expectCoherent,
  intelSvmDriver,
  baseScenario,
  page,
  hex,
  IntelIommu,
  QI_EIOTLB_TYPE,
  QI_DEIOTLB_TYPE,
  QI_IWD_TYPE,
  QI_GRAN_PSI_PASID,
  QI_DEV_EIOTLB_ALL_ORDER,
  VTD_PAGE_SIZE,
  describe_qi_desc,
  ungradedRules,
  COHERENCE_RULES,
  type IntelSvmModule,
  type RuleId,
  type qi_desc,
} from "tlbkata";

const PAGES = 16;

/** [first, last) page ranges, most of them not naturally aligned. */
const RANGES: readonly (readonly [number, number])[] = [
  [0, 1],
  [3, 4],
  [0, 2],
  [1, 3],
  [3, 5],
  [3, 6],
  [1, 4],
  [5, 8],
  [6, 11],
  [7, 9],
  [2, 14],
  [4, 8],
  [0, 16],
  [15, 16],
];

interface Probe {
  readonly io: IntelIommu;
  /** Descriptors sent for each range, in order. */
  readonly sent: (readonly qi_desc[])[];
}

type Check = (range: readonly [number, number], sent: readonly qi_desc[], io: IntelIommu, pasid: number) => void;

function probe(impl: IntelSvmModule, ats: boolean, check: Check): Probe {
  const p = baseScenario(intelSvmDriver(impl, "intel", "", { ats }), { pages: PAGES });
  const w = p.w;
  // These tests read the descriptors and the caches themselves: no oracle rule is theirs.
  for (const r of ungradedRules([])) w.k.sim.disabledRules.add(r);
  const io = p.iommu as IntelIommu;
  if (w.setupViolations.length) throw new KataFailure(`[${w.setupViolations[0]!.rule}] binding failed: ${w.setupViolations[0]!.message}`, w.setupViolations[0]!.rule);
  const sent: qi_desc[][] = [];
  for (const r of RANGES) {
    const start = page(r[0]);
    const end = page(r[1]);
    try {
      w.setup(() => {
        for (let i = 0; i < PAGES; i++) io.translate(p.pasid, page(i), false);
        io.submitted = [];
        w.k.mn.mmu_notifier_invalidate_secondary_tlbs(p.mm, start, end);
      });
    } catch (e) {
      if (e instanceof StepAbort) throw new KataFailure(`[${e.violation.rule}] invalidate_secondary_tlbs(${hex(start)}, ${hex(end)}): ${e.violation.message}`, e.violation.rule);
      throw e;
    }
    const v = w.setupViolations[0];
    if (v) throw new KataFailure(`[${v.rule}] invalidate_secondary_tlbs(${hex(start)}, ${hex(end)}), called outside any spinlock (as from invalidate_range_end): ${v.message}`, v.rule);
    const got = io.submitted ?? [];
    io.submitted = null;
    sent.push(got);
    check(r, got, io, p.pasid);
  }
  return { io, sent };
}

const FLOOD: RuleId[] = ["invalidation-flood"];

const what = (r: readonly [number, number]) => `[${hex(page(r[0]))}, ${hex(page(r[1]))}) (${r[1] - r[0]} page${r[1] - r[0] > 1 ? "s" : ""} from page ${r[0]})`;

function covered(r: readonly [number, number], io: IntelIommu, pasid: number): void {
  for (let i = r[0]; i < r[1]; i++) {
    for (const c of io.caches()) {
      const hit = c.lookup(pasid, page(i));
      require_(!hit, `after invalidate_secondary_tlbs${what(r)} returned, ${c.name} still maps ${hex(page(i))}: the descriptors must cover every page of the range (each one names a naturally aligned block of 2^AM pages)`);
    }
  }
}

function aligned(r: readonly [number, number], sent: readonly qi_desc[], io: IntelIommu): void {
  for (const d of sent) {
    if (d.type === QI_EIOTLB_TYPE && d.granu === QI_GRAN_PSI_PASID) {
      const size = 2 ** d.am * VTD_PAGE_SIZE;
      require_(Number.isInteger(d.am) && d.am >= 0, `for ${what(r)} you sent ${describe_qi_desc(d)}: AM is a whole number of address bits`);
      require_(d.am <= io.mamv, `for ${what(r)} you sent ${describe_qi_desc(d)}: AM above cap_max_amask_val (${io.mamv}) is an invalid descriptor; flush the whole PASID instead`);
      require_(d.addr % size === 0, `for ${what(r)} you sent ${describe_qi_desc(d)}: the address is not aligned to the 2^${d.am}-page block it names, so the unit invalidates the block containing it, not the one you meant`);
    }
    if (d.type === QI_DEIOTLB_TYPE && d.size_order < QI_DEV_EIOTLB_ALL_ORDER) {
      const size = 2 ** d.size_order * VTD_PAGE_SIZE;
      require_(d.addr % size === 0, `for ${what(r)} you sent ${describe_qi_desc(d)}: the address is not aligned to the 2^${d.size_order}-page block it names`);
    }
  }
  require_(io.rejected.length === 0, `the unit rejected a descriptor: ${io.rejected[0]}`);
}

export default defineSuite<IntelSvmModule>("hardware", [
  {
    name: "unaligned ranges: every page of the range is gone from the IOTLB and the device-TLB when the callback returns",
    points: 3,
    grades: [],
    run: (impl) => void probe(impl, true, (r, _s, io, pasid) => covered(r, io, pasid)),
  },
  {
    name: "every page-selective descriptor names a naturally aligned block within cap_max_amask_val",
    points: 2,
    grades: [],
    run: (impl) => void probe(impl, true, aligned),
  },
  {
    name: "a range of a few pages is invalidated page-selectively, in the IOTLB and the device-TLB, not by flushing the whole PASID",
    points: 2,
    grades: [],
    run: (impl) =>
      void probe(impl, true, (r, sent) => {
        const whole = sent.find((d) => (d.type === QI_EIOTLB_TYPE && d.granu !== QI_GRAN_PSI_PASID) || (d.type === QI_DEIOTLB_TYPE && d.size_order >= QI_DEV_EIOTLB_ALL_ORDER));
        require_(!whole, `for ${what(r)} you sent ${whole ? describe_qi_desc(whole) : ""}: a few pages are flushed with page-selective descriptors (QI_GRAN_PSI_PASID), so the rest of the PASID stays cached`);
      }),
  },
  {
    name: "each range costs a few descriptors per device (aligned power-of-two chunks, not one per page), and ends with a wait",
    points: 2,
    grades: [],
    run: (impl) =>
      void probe(impl, true, (r, sent, io) => {
        const n = r[1] - r[0];
        const psi = sent.filter((d) => d.type === QI_EIOTLB_TYPE).length;
        const bound = 2 * (Math.ceil(Math.log2(n)) + 1);
        require_(psi >= 1, `for ${what(r)} no PASID-based IOTLB invalidation was sent`);
        require_(psi <= bound, `for ${what(r)} you sent ${psi} PASID-based IOTLB invalidations: cover the range with at most a couple of aligned power-of-two blocks`);
        require_(sent.length > 0 && sent[sent.length - 1]!.type === QI_IWD_TYPE, `for ${what(r)} the last descriptor was not an invalidation wait: the invalidations may still be in the queue when the ptl is dropped`);
        require_(io.qi.pending === 0, `for ${what(r)}, ${io.qi.pending} descriptor(s) were still queued when the callback returned: wait for them (qi_wait)`);
      }),
  },
  {
    name: "without ATS no device-TLB invalidation is sent (the device has no device-TLB)",
    points: 1,
    grades: [],
    run: (impl) =>
      void probe(impl, false, (r, sent) => {
        const dev = sent.filter((d) => d.type === QI_DEIOTLB_TYPE).length;
        require_(dev === 0, `for ${what(r)} you sent ${dev} device-TLB invalidation(s) to a device without ATS (check sdev.dev_iotlb)`);
      }),
  },
  {
    name: "a 4 MiB range (1024 pages, aligned) costs a handful of descriptors, not one per page",
    points: 1,
    grades: FLOOD,
    run(impl) {
      const w = runScenarioStraight("mprotect-huge", intelSvmDriver(impl), { grades: FLOOD });
      const io = w.k.iommus[0] as IntelIommu;
      const total = io.totalCommands();
      require_(total <= 12, `mprotect of 1024 pages cost ${total} descriptors: one aligned block (AM 10) per device is enough`);
    },
  },
  {
    name: "arm64 with the v6.6 model: (0, ULONG_MAX) is one whole-PASID flush per device, and coherent",
    points: 2,
    grades: [...COHERENCE_RULES, ...FLOOD],
    run(impl) {
      const kernel = { arch: { arch: "arm64" as const, notifierModel: "v6.6" as const } };
      const grades = [...COHERENCE_RULES, ...FLOOD];
      const w = runScenarioStraight("mprotect-huge", intelSvmDriver(impl), { kernel, grades });
      const io = w.k.iommus[0] as IntelIommu;
      const all = io.cost["p_iotlb_inv_dsc (all of PASID)"] ?? 0;
      require_(io.rejected.length === 0, `the unit rejected a descriptor: ${io.rejected[0]}`);
      require_(all >= 1, "an invalidation of (0, ULONG_MAX) sent no whole-PASID p_iotlb_inv_dsc (granularity QI_GRAN_NONG_PASID)");
      require_(io.totalCommands() <= 8, `an invalidation of (0, ULONG_MAX) cost ${io.totalCommands()} descriptors: flush the whole PASID`);
      expectCoherent("mprotect-huge", intelSvmDriver(impl), { kernel, grades });
    },
  },
]);
