/**
 * Hidden tests, kata 11: the patched kernel makes progress on every interleaving, and
 * notifies only what it must; on a v6.6 kernel, where arm64's flush_tlb_page() itself
 * tells secondary TLBs, the CPU flush alone must be enough.
 */
import {
  defineSuite,
  expectCoherent,
  runScenarioStraight,
  upgradeScenario,
  upgradeCpuScenario,
  upgradeCpuCachedScenario,
  upgradeOffsetScenario,
  SLEEP_RULES,
  upgradeDriver,
  upgradeKernel,
  require_,
  COHERENCE_RULES,
  rulesOfKind,
  hex,
  page,
  PAGE_SIZE,
  type PermissionUpgradeModule,
  type RecordedInvalidation,
  type ArchName,
  type Scenario,
  type RuleId,
} from "tlbkata";

/** Progress: the device's write completes (no livelock), and nothing kept stale meanwhile. */
const PROGRESS: RuleId[] = [...COHERENCE_RULES, ...rulesOfKind("liveness")];

const every = (scenario: Scenario, arch: ArchName, points: number, what: string, model: "rfc" | "v6.6" = "rfc") => ({
  name: `${arch}${model === "v6.6" ? " (v6.6 kernel)" : ""}, ${scenario.name}, every interleaving: ${what}`,
  points,
  grades: PROGRESS,
  run: (impl: PermissionUpgradeModule) => expectCoherent(scenario, upgradeDriver(arch), { kernel: upgradeKernel(arch, impl, model), grades: PROGRESS }),
});

function recorded(impl: PermissionUpgradeModule, arch: ArchName, scenario: Scenario = upgradeScenario): RecordedInvalidation[] {
  const record: RecordedInvalidation[] = [];
  // What was sent is graded here; whether the device got stuck, by the progress tests.
  runScenarioStraight(scenario, upgradeDriver(arch, record), { kernel: upgradeKernel(arch, impl), grades: [] });
  return record;
}
const show = (rs: readonly RecordedInvalidation[]): string => (rs.length ? rs.map((r) => `[${hex(r.start)}, ${hex(r.end)})`).join(", ") : "none");

export default defineSuite<PermissionUpgradeModule>("progress", [
  every(upgradeScenario, "arm64", 2, "the device's write completes after the page-request handler upgrades A"),
  every(upgradeCpuScenario, "arm64", 2, "also when a CPU's write fault upgrades A first"),
  every(upgradeScenario, "x86", 1, "the IOMMU re-walks; the upgrade still has to happen"),
  every(upgradeCpuScenario, "x86", 1, "the same with a CPU writer"),
  every(upgradeScenario, "arm64", 1, "flush_tlb_page() notifies in v6.6: arm64's own CPU flush is what reaches the SMMU", "v6.6"),
  {
    name: "arm64: the upgrade invalidates exactly page A, once, under the ptl",
    points: 1,
    grades: [],
    run(impl) {
      const rs = recorded(impl, "arm64");
      const ok = rs.length === 1 && rs[0]!.start === page(0) && rs[0]!.end === page(0) + PAGE_SIZE && rs[0]!.atomic;
      require_(ok, `arm64: the upgrade of A sent ${show(rs)}; expected [${hex(page(0))}, ${hex(page(0) + PAGE_SIZE)}) once, with the ptl held`);
    },
  },
  {
    name: "arm64: a write at an offset inside A, in a VMA of two pages, invalidates exactly A's page (the faulting address aligned down; not the VMA, not the next page)",
    points: 1,
    grades: [],
    run(impl) {
      const rs = recorded(impl, "arm64", upgradeOffsetScenario);
      const ok = rs.length === 1 && rs[0]!.start === page(0) && rs[0]!.end === page(0) + PAGE_SIZE;
      require_(ok, `arm64: a thread wrote at ${hex(page(0) + 0x10)} and the upgrade of A sent ${show(rs)}; secondary TLBs are told about the page the PTE maps, [address & PAGE_MASK, + PAGE_SIZE)`);
    },
  },
  {
    name: "arm64: the upgrade runs under the ptl, so nothing in it sleeps (invalidate_range_start may) and no lock is left held",
    points: 1,
    grades: SLEEP_RULES,
    run: (impl) => void runScenarioStraight(upgradeScenario, upgradeDriver("arm64"), { kernel: upgradeKernel("arm64", impl), grades: SLEEP_RULES }),
  },
  {
    name: "arm64: the upgrade flushes the CPU TLB for A (arm64 may cache the read-only permission), as its ptep_set_access_flags does",
    points: 1,
    grades: [],
    run(impl) {
      const w = runScenarioStraight(upgradeCpuCachedScenario, upgradeDriver("arm64"), { kernel: upgradeKernel("arm64", impl), grades: [] });
      const hit = w.k.cpus[0]!.tlb.lookup(w.k.mms[0]!.id, page(0));
      require_(hit === null || hit.write, `after the upgrade, cpu0's TLB still holds the read-only entry for ${hex(page(0))}: arm64 flushes it (flush_tlb_page) when it makes a PTE writable`);
    },
  },
  {
    name: "x86: the upgrade sends no invalidation",
    points: 1,
    grades: [],
    run(impl) {
      const rs = recorded(impl, "x86");
      require_(rs.length === 0, `x86: the upgrade of A sent ${show(rs)}: x86 and its IOMMUs need no notification for an upgrade (the patch is arm64's)`);
    },
  },
]);
