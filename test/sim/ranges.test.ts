/**
 * 64-bit addresses and big, sparse worlds (src/scenarios/ranges.ts). Each wrong driver
 * here computes the way a learner might in JavaScript: with the 32-bit bitwise
 * operators, with C's unsigned long wrap-around, or flushing the whole VMA. The standard
 * scenarios, whose pages sit at 1 GiB in VMAs no larger than the range, cannot tell
 * them from correct drivers: every test also runs the old scenario and expects a pass
 * (a test of the test). The range scenarios catch each one by a named rule.
 */
import { describe, it, expect } from "vitest";
import {
  findScenario,
  runScenarioStraight,
  container_of,
  amdIommuV2Driver,
  armSmmuV3SvaDriver,
  intelSvmDriver,
  ocxlDriver,
  rangeScenarios,
  mn_to_smmu,
  mm_get_pasid,
  arm_smmu_tlb_inv_asid,
  arm_smmu_tlb_inv_range_asid,
  arm_smmu_atc_inv_domain,
  ARM_SMMU_FEAT_BTM,
  CMDQ_MAX_TLBI_OPS,
  PAGE_SIZE,
  PAGE_SHIFT,
  TASK_SIZE_MAX,
  ULONG,
  check_ulong_arg,
  build_inv_iommu_pasid,
  arm_smmu_atc_inv_to_cmd,
  type DriverSpec,
  type RuleId,
  type pasid_state,
  type pe_data,
  type mmu_notifier_ops,
} from "tlbkata";
import * as amd from "../../solutions/05-amd-iommu-v2/amd_iommu_v2";
import * as arm from "../../solutions/06-arm-smmu-v3-sva/arm_smmu_v3_sva";
import * as intel from "../../solutions/07-intel-svm/intel_svm";
import * as ocxl from "../../solutions/08-ocxl/link";
import * as intelV66 from "../../katas/07-intel-svm/mutants/v6-6-page-count-wraps";
import { explore, buildScenario, runStraight } from "tlbkata";
import { exploreWorld } from "./helpers";

function scenario(name: string) {
  const s = findScenario(name);
  if (!s) throw new Error(`no scenario ${name}`);
  return s;
}

/** The first violation's rule when every interleaving of `name` is explored with `driver`, or null. */
function ruleFound(name: string, driver: DriverSpec): RuleId | null {
  return exploreWorld(scenario(name).build(driver)).violation?.rule ?? null;
}

/** An ops table like `base` with another invalidate_secondary_tlbs. */
const withInvalidate = (base: mmu_notifier_ops, name: string, op: NonNullable<mmu_notifier_ops["invalidate_secondary_tlbs"]>): mmu_notifier_ops => ({
  ...base,
  name,
  invalidate_secondary_tlbs: op,
});

// --- AMD: the kernel's one-page test, written with JavaScript numbers ---------------

/** iommu_v2.c's `(start ^ (end - 1)) < PAGE_SIZE` on JS numbers: `^` works on 32 bits. */
const amdXor = amdIommuV2Driver({
  iommu_mn: withInvalidate(amd.iommu_mn, "amd-xor-32bit", (mn, _mm, start, end) => {
    const ps = container_of<pasid_state>(mn);
    if ((start ^ (end - 1)) < PAGE_SIZE) amd.amd_iommu_flush_page(ps.device_state, ps.pasid, ULONG(start));
    else amd.amd_iommu_flush_tlb(ps.device_state, ps.pasid);
  }),
});

/** The same test with `>>` page numbers: equal when start and end - 1 differ by a multiple of 4 GiB. */
const amdShift = amdIommuV2Driver({
  iommu_mn: withInvalidate(amd.iommu_mn, "amd-shift-32bit", (mn, _mm, start, end) => {
    const ps = container_of<pasid_state>(mn);
    if (start >> PAGE_SHIFT === (end - 1) >> PAGE_SHIFT) amd.amd_iommu_flush_page(ps.device_state, ps.pasid, ULONG(start));
    else amd.amd_iommu_flush_tlb(ps.device_state, ps.pasid);
  }),
});

/** The reference's one-page test, but the page address masked with `&`. */
const amdMask = amdIommuV2Driver({
  iommu_mn: withInvalidate(amd.iommu_mn, "amd-mask-32bit", (mn, _mm, start, end) => {
    const ps = container_of<pasid_state>(mn);
    if (Math.floor(start / PAGE_SIZE) === Math.floor((end - 1) / PAGE_SIZE)) amd.amd_iommu_flush_page(ps.device_state, ps.pasid, ULONG(start & ~(PAGE_SIZE - 1)));
    else amd.amd_iommu_flush_tlb(ps.device_state, ps.pasid);
  }),
});

// --- ARM: the soft-lockup threshold, computed with `>>` ----------------------------------

/** d5afb4b47e13's threshold with the page count taken by `>>`: 2 GiB is a negative count, 4 GiB is 0. */
const armShift = armSmmuV3SvaDriver({
  arm_smmu_mmu_notifier_ops: withInvalidate(arm.arm_smmu_mmu_notifier_ops, "arm-shift-32bit", (mn, mm, start, end) => {
    const smmu_mn = mn_to_smmu(mn);
    const smmu = smmu_mn.domain.smmu;
    let size = end - start;
    if (size >> PAGE_SHIFT >= CMDQ_MAX_TLBI_OPS) size = 0;
    if (!(smmu.features & ARM_SMMU_FEAT_BTM)) {
      if (size === 0) arm_smmu_tlb_inv_asid(smmu, smmu_mn.cd.asid);
      else arm_smmu_tlb_inv_range_asid(ULONG(start), ULONG(size), smmu_mn.cd.asid, PAGE_SIZE, false, smmu_mn.domain);
    }
    arm_smmu_atc_inv_domain(smmu_mn.domain, mm_get_pasid(mm), ULONG(start), ULONG(size));
  }),
});

/** Invalidates the VMA around `start` instead of [start, end): coherent, but it throws away the device's other translations. */
const armWholeVma = armSmmuV3SvaDriver({
  arm_smmu_mmu_notifier_ops: withInvalidate(arm.arm_smmu_mmu_notifier_ops, "arm-whole-vma", (mn, mm, start, end) => {
    const vma = mm.find_vma(start);
    const inv = arm.arm_smmu_mmu_notifier_ops.invalidate_secondary_tlbs!;
    if (vma && start !== 0) inv(mn, mm, Math.min(start, vma.vm_start), Math.max(end, vma.vm_end));
    else inv(mn, mm, start, end);
  }),
});

// --- OpenCAPI: the shot-down address masked with `&` ------------------------------------

const ocxlMask = ocxlDriver({
  ocxl_mmu_notifier_ops: withInvalidate(ocxl.ocxl_mmu_notifier_ops, "ocxl-mask-32bit", (mn, mm, start, end) => {
    const link = container_of<pe_data>(mn).link;
    if (!link.arva) return;
    link.atsd_lock.spin_lock();
    // C's conversion of the int `&` gives: sign-extended above 2 GiB, the high bits lost above 4 GiB.
    for (let addr = start; addr < end; addr += PAGE_SIZE) ocxl.pnv_ocxl_tlb_invalidate(link.arva, ULONG(mm.context_id), ULONG(addr & ~(PAGE_SIZE - 1)), ULONG(PAGE_SIZE));
    link.atsd_lock.spin_unlock();
  }),
});

describe("the range scenarios", () => {
  it("are listed with the others; each VMA is far larger than the pages present in it", () => {
    expect(rangeScenarios.length).toBeGreaterThanOrEqual(8);
    for (const s of rangeScenarios) {
      expect(findScenario(s.name)).toBe(s);
      const w = s.build(amdIommuV2Driver(amd));
      const proc = w.k.mms.find((m) => m.name === "proc")!;
      const vma = proc.vmas[0]!;
      expect(vma.vm_start, s.name).toBeGreaterThanOrEqual(2 ** 31);
      expect(vma.vm_end - vma.vm_start, s.name).toBeGreaterThan(256 * PAGE_SIZE);
    }
  });

  it("every reference driver of katas 05-07 is proven coherent on every one of them", () => {
    const drivers = [amdIommuV2Driver(amd), armSmmuV3SvaDriver(arm), armSmmuV3SvaDriver(arm, "arm-range-inv", "", { rangeInv: true }), intelSvmDriver(intel)];
    for (const s of rangeScenarios) for (const d of drivers) expect(ruleFound(s.name, d), `${s.name} with ${d.name}`).toBeNull();
  });

  it("OpenCAPI's reference, page by page as link.c, is coherent where the range is small, and floods from 2^18 pages on (the weakness its README names)", () => {
    const floods = ["munmap-4g-span", "mprotect-2g", "mprotect-262144", "mprotect-262145", "reclaim-whole-mm"];
    for (const s of rangeScenarios) expect(ruleFound(s.name, ocxlDriver(ocxl)), s.name).toBe(floods.includes(s.name) ? "invalidation-flood" : null);
  });

  it("OpenCAPI's reference on (0, ULONG_MAX): the loop's first page is address 0, a whole-PID shootdown, then page by page until the flood stops it", () => {
    const w = buildScenario(scenario("reclaim-whole-mm"), ocxlDriver(ocxl));
    const t = runStraight(w);
    expect(t.violation?.rule).toBe("invalidation-flood");
    const cost = w.k.iommus[0]!.cost;
    expect(cost["ATSD (whole PID)"]).toBe(1);
    expect(cost["ATSD 4K"]).toBeGreaterThan(60_000);
  });

  it("x86-64 user space ends at TASK_SIZE_MAX, 0x7ffffffff000, and munmap-top unmaps the two pages below it", () => {
    expect(TASK_SIZE_MAX).toBe(0x7ffffffff000);
    const w = runScenarioStraight(scenario("munmap-top"), amdIommuV2Driver(amd));
    expect(w.k.mn.calls.invalidate_secondary_tlbs).toBeGreaterThan(0);
  });
});

describe("32-bit bitwise operators are caught", () => {
  it("AMD's `(start ^ (end - 1)) < PAGE_SIZE` on numbers: passes the standard scenarios; a 4 GiB + 4 KiB span looks like one page (stale-tlb-at-free)", () => {
    for (const s of ["munmap", "reclaim", "mprotect-huge", "exit"]) expect(ruleFound(s, amdXor), s).toBeNull();
    expect(ruleFound("munmap-4g-span", amdXor)).toBe("stale-tlb-at-free");
  });

  it("AMD's one-page test with `>>`: passes the standard scenarios, caught on the 4 GiB span", () => {
    for (const s of ["munmap", "reclaim", "mprotect-huge"]) expect(ruleFound(s, amdShift), s).toBeNull();
    expect(ruleFound("munmap-4g-span", amdShift)).toBe("stale-tlb-at-free");
  });

  it("AMD's page address masked with `&`: passes the standard scenarios; above 2 GiB the negative result becomes 0xffffffff8000xxxx as a C conversion makes it (stale-tlb-at-free), above 4 GiB the wrong page (stale-tlb-at-free)", () => {
    for (const s of ["munmap", "reclaim", "mprotect-huge"]) expect(ruleFound(s, amdMask), s).toBeNull();
    expect(ruleFound("munmap-above-2g", amdMask)).toBe("stale-tlb-at-free");
    expect(ruleFound("munmap-above-4g", amdMask)).toBe("stale-tlb-at-free");
  });

  it("a JS number where the AMD and SMMU helpers take an unsigned long (a kata file run without type checks) is refused in one line that names the fix", () => {
    const fix = /: (address|iova|tlbi\.addr) 4096 is a number, not an unsigned long: pass an unsigned_long \(ULONG\(x\)\)$/;
    expect(() => build_inv_iommu_pasid(1, 1, 4096 as unknown as bigint, false)).toThrow(fix);
    expect(() => arm_smmu_atc_inv_to_cmd(1, 4096 as unknown as bigint, 4096n)).toThrow(fix);
    expect(() => build_inv_iommu_pasid(1, 1, 4096n, false)).not.toThrow();
  });

  it("the refusal names the cause", () => {
    expect(() => check_ulong_arg("build_inv_iommu_pasid", "address", (2 ** 31 + PAGE_SIZE) & ~(PAGE_SIZE - 1))).toThrow(/bitwise operator.*32-bit/);
    expect(() => check_ulong_arg("f", "x", 0.5)).toThrow(/not an unsigned long/);
    expect(() => check_ulong_arg("f", "x", TASK_SIZE_MAX)).not.toThrow();
  });

  it("ARM's CMDQ_MAX_TLBI_OPS threshold with `size >> PAGE_SHIFT`: passes mprotect-huge (1024 pages) and the 511/512 boundary; 2 GiB floods (invalidation-flood)", () => {
    for (const s of ["mprotect-huge", "munmap", "reclaim"]) expect(ruleFound(s, armShift), s).toBeNull();
    for (const s of ["mprotect-511", "mprotect-512"]) expect(ruleFound(s, armShift), s).toBeNull();
    expect(ruleFound("mprotect-2g", armShift)).toBe("invalidation-flood");
    expect(ruleFound("munmap-4g-span", armShift)).toBe("invalidation-flood");
  });

  it("OpenCAPI's shot-down address masked with `&`: passes the standard munmap and reclaim; a kernel address above 2 GiB (sign-extended), the wrong page above 4 GiB", () => {
    for (const s of ["munmap", "reclaim"]) expect(ruleFound(s, ocxlMask), s).toBeNull();
    expect(ruleFound("munmap-above-2g", ocxlMask)).toBe("stale-tlb-at-free");
    expect(ruleFound("munmap-above-4g", ocxlMask)).toBe("stale-tlb-at-free");
  });
});

describe("page counts on both sides of a driver's threshold", () => {
  /** Commands of one kind sent in a straight run of `name`. */
  const sent = (name: string, d: DriverSpec, kind: string): number => {
    const w = runScenarioStraight(scenario(name), d);
    return w.k.iommus.reduce((n, io) => n + (io.cost[kind] ?? 0), 0);
  };
  /** d5afb4b47e13's test written `>` instead of `>=`: one page count differs, CMDQ_MAX_TLBI_OPS itself. */
  const armExclusive = armSmmuV3SvaDriver({
    arm_smmu_mmu_notifier_ops: withInvalidate(arm.arm_smmu_mmu_notifier_ops, "arm-threshold-exclusive", (mn, mm, start, end) => {
      const smmu_mn = mn_to_smmu(mn);
      let size = end - start;
      if (size > CMDQ_MAX_TLBI_OPS * PAGE_SIZE) size = 0;
      if (size === 0) arm_smmu_tlb_inv_asid(smmu_mn.domain.smmu, smmu_mn.cd.asid);
      else arm_smmu_tlb_inv_range_asid(ULONG(start), ULONG(size), smmu_mn.cd.asid, PAGE_SIZE, false, smmu_mn.domain);
      arm_smmu_atc_inv_domain(smmu_mn.domain, mm_get_pasid(mm), ULONG(start), ULONG(size));
    }),
  });

  it("ARM: 511 pages stay per address, 512 (CMDQ_MAX_TLBI_OPS) are one CMD_TLBI_NH_ASID; `>` instead of `>=` passes mprotect-huge (1024 pages) and sends 512 per-address TLBIs at 512 (kata 06, rule 5)", () => {
    const ref = armSmmuV3SvaDriver(arm);
    expect(sent("mprotect-511", ref, "CMD_TLBI_NH_ASID")).toBe(0);
    expect(sent("mprotect-512", ref, "CMD_TLBI_NH_ASID")).toBeGreaterThan(0);
    expect(sent("mprotect-512", ref, "CMD_TLBI_NH_VA")).toBe(0);
    expect(sent("mprotect-huge", armExclusive, "CMD_TLBI_NH_VA")).toBe(sent("mprotect-huge", ref, "CMD_TLBI_NH_VA"));
    expect(sent("mprotect-512", armExclusive, "CMD_TLBI_NH_VA")).toBeGreaterThanOrEqual(512);
  });

  it("VT-d: 2^18 pages are one AM 18 block; one page more is a whole-PASID flush (beyond cap_max_amask_val)", () => {
    const ref = intelSvmDriver(intel);
    const all = (name: string): number => sent(name, ref, "p_iotlb_inv_dsc (all of PASID)");
    expect(ruleFound("mprotect-262144", ref)).toBeNull();
    expect(ruleFound("mprotect-262145", ref)).toBeNull();
    expect(all("mprotect-262144")).toBe(0);
    expect(all("mprotect-262145")).toBeGreaterThan(0);
  });
});

describe("(0, ULONG_MAX) under the ptl, and C's unsigned long wrap", () => {
  it("v6.6's Intel page count wraps to 0 pages for (0, -1UL): passes the RFC's standard reclaim, stale when x86's batched reclaim sends (0, ULONG_MAX) under the ptl", () => {
    expect(ruleFound("reclaim", intelSvmDriver(intelV66))).toBeNull();
    expect(ruleFound("reclaim-whole-mm", intelSvmDriver(intelV66))).toBe("stale-tlb-after-ptl-release");
  });

  it("AMD's `^` test turns (0, ULONG_MAX) into one page at address 0 (ULONG_MAX - 1 is not a 32-bit integer): stale at the top of user space", () => {
    expect(ruleFound("reclaim-whole-mm", amdXor)).toBe("stale-tlb-after-ptl-release");
  });

  it("ARM's `>>` threshold turns (0, ULONG_MAX) into a count of 0: one TLBI per page, a soft lockup under the ptl", () => {
    const v = exploreWorld(scenario("reclaim-whole-mm").build(armShift)).violation;
    expect(v?.rule).toBe("invalidation-flood");
    expect(v?.message).toMatch(/page-table lock held/);
  });
});

describe("VMAs larger than the range: over-flushing shows", () => {
  /** TLBI commands that dropped a whole ASID, in a straight run of `name`. */
  const asidFlushes = (name: string, d: DriverSpec): number => {
    const w = runScenarioStraight(scenario(name), d);
    return w.k.iommus.reduce((n, io) => n + (io.cost["CMD_TLBI_NH_ASID"] ?? 0), 0);
  };

  it("flushing the VMA instead of the range: the same commands as the reference on the standard munmap (VMA = range); a whole-ASID flush for a 2-page munmap in a 1 GiB VMA (kata 06, rule 5: smaller ranges stay per address)", () => {
    expect(asidFlushes("munmap", armWholeVma)).toBe(asidFlushes("munmap", armSmmuV3SvaDriver(arm)));
    expect(asidFlushes("munmap-above-2g", armSmmuV3SvaDriver(arm))).toBe(0);
    expect(asidFlushes("munmap-above-2g", armWholeVma)).toBeGreaterThan(0);
    // Still coherent: over-flushing costs the device its working set, not correctness.
    expect(ruleFound("munmap-above-2g", armWholeVma)).toBeNull();
  });

  it("the device keeps its translation of the page outside the range only with a driver that flushes the range", () => {
    const holdsZ = (d: DriverSpec): boolean => {
      const w = runScenarioStraight(scenario("munmap-above-2g"), d);
      const z = 3 * 2 ** 30 - PAGE_SIZE;
      return w.k.iommus.some((io) => io.caches().some((tlb) => [...tlb.entries()].some((e) => e.va === z)));
    };
    expect(holdsZ(armSmmuV3SvaDriver(arm))).toBe(true);
    expect(holdsZ(armWholeVma)).toBe(false);
  });
});

describe("the explorer's reductions keep every verdict on the range scenarios", () => {
  it("sleep sets and dead values on or off: the same rule, for a correct and two wrong drivers", () => {
    for (const s of rangeScenarios) {
      for (const d of [amdIommuV2Driver(amd), amdXor, armShift]) {
        const rule = (o: Parameters<typeof explore>[1]): RuleId | null => explore(s.build(d), o).violation?.violation.rule ?? null;
        expect(rule({ sleepSets: false, deadValues: false }), `${s.name} / ${d.name}`).toBe(rule({}));
      }
    }
  });
});
