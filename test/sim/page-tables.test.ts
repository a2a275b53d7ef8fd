/**
 * Page tables that are freed (free_pgtables through the mmu_gather) and the IOMMU's
 * paging-structure (walk) cache, model.freePageTables: a device that walks a freed
 * table is caught under device-walks-freed-page-table, and the same drivers pass (or
 * are caught only by another rule) with the switch off: a test of the test.
 */
import { describe, expect, it } from "vitest";
import {
  amdIommuV2Driver,
  armSmmuV3SvaDriver,
  intelSvmDriver,
  findScenario,
  genericDrivers,
  runStraight,
  type DriverSpec,
  type ModelOptions,
  type RuleId,
  type mmu_notifier_ops,
} from "tlbkata";
import { exploreWorld, configure } from "./helpers";
import { iommu_mn as amd_ref } from "../../solutions/05-amd-iommu-v2/amd_iommu_v2";
import { arm_smmu_mmu_notifier_ops as arm_ref } from "../../solutions/06-arm-smmu-v3-sva/arm_smmu_v3_sva";
import { intel_mmuops as intel_ref } from "../../solutions/07-intel-svm/intel_svm";
import { arm_smmu_mmu_notifier_ops as arm_leaf } from "../../katas/06-arm-smmu-v3-sva/mutants/leaf-only-tlbi";
import { intel_mmuops as intel_ih } from "../../katas/07-intel-svm/mutants/leaf-only-hint";

const RULE: RuleId = "device-walks-freed-page-table";
/** The harm to data pages a release that leaves the device on would also cause. */
const DATA_RULES: RuleId[] = ["stale-tlb-at-free", "use-after-free", "corruption", "lost-write", "ordering"];

function verdict(scenario: string, driver: DriverSpec, model: Partial<ModelOptions> = {}, disable: RuleId[] = []): string | null {
  const w = configure(findScenario(scenario)!.build(driver, { model }), { disable });
  const r = exploreWorld(w);
  expect(r.complete || r.violation).toBeTruthy();
  return r.violation?.rule ?? null;
}

const OFF: Partial<ModelOptions> = { freePageTables: false };

// release that neither clears the GCR3 entry nor flushes: the IOMMU may go on walking
// the dying mm, through the PTE table it cached, after exit_mmap freed that table.
const amdReleaseLeavesDeviceOn: mmu_notifier_ops = { ...amd_ref, release() {} };

describe("freed page tables and the IOMMU walk cache (model.freePageTables)", () => {
  it("the reference drivers stay free of violations on munmap and exit, which free tables", () => {
    const refs = [
      amdIommuV2Driver({ iommu_mn: amd_ref }),
      armSmmuV3SvaDriver({ arm_smmu_mmu_notifier_ops: arm_ref }),
      intelSvmDriver({ intel_mmuops: intel_ref }),
      genericDrivers.find((d) => d.name === "correct-generic")!,
    ];
    for (const d of refs) for (const s of ["munmap", "exit"]) expect(verdict(s, d), `${s} / ${d.name}`).toBeNull();
  });

  it("a release that leaves the device walking is caught at exit through the freed table, only with the switch on", () => {
    const d = amdIommuV2Driver({ iommu_mn: amdReleaseLeavesDeviceOn });
    expect(verdict("exit", d, {}, DATA_RULES)).toBe(RULE);
    expect(verdict("exit", d, OFF, DATA_RULES)).toBeNull();
  });

  it("ARM: a leaf-only TLBI (leaf = true) leaves the walk cache pointing at the table munmap frees", () => {
    const d = armSmmuV3SvaDriver({ arm_smmu_mmu_notifier_ops: arm_leaf });
    expect(verdict("munmap", d)).toBe(RULE);
    expect(verdict("munmap", d, OFF)).toBeNull();
  });

  it("Intel: the invalidation hint (ih = 1) leaves the paging-structure cache pointing at the freed table", () => {
    const d = intelSvmDriver({ intel_mmuops: intel_ih });
    expect(verdict("munmap", d)).toBe(RULE);
    expect(verdict("munmap", d, OFF)).toBeNull();
  });

  it("a walk caches the PTE table; a non-leaf invalidation drops it, a leaf-only one keeps it", () => {
    const cached = (d: DriverSpec): number => {
      const w = findScenario("munmap")!.build(d);
      runStraight(w);
      const wc = w.k.iommus[0]!.pagingStructureCache!;
      return [...wc.entries()].length;
    };
    // The device walked before the unmap, so the walk cache held the table; munmap's
    // invalidation must have dropped it, unless it was leaf-only.
    expect(cached(armSmmuV3SvaDriver({ arm_smmu_mmu_notifier_ops: arm_ref }))).toBe(0);
    expect(cached(armSmmuV3SvaDriver({ arm_smmu_mmu_notifier_ops: arm_leaf }))).toBeGreaterThan(0);
    expect(cached(intelSvmDriver({ intel_mmuops: intel_ref }))).toBe(0);
    expect(cached(intelSvmDriver({ intel_mmuops: intel_ih }))).toBeGreaterThan(0);
    // AMD's INVALIDATE_IOMMU_PAGES always carries the PDE bit.
    expect(cached(amdIommuV2Driver({ iommu_mn: amd_ref }))).toBe(0);
  });

  it("munmap frees the emptied PTE and PMD tables after the flush, and the allocator hands them out again", () => {
    const w = findScenario("munmap")!.build(genericDrivers.find((d) => d.name === "correct-generic")!);
    const k = w.k;
    const mm = k.mms[0]!;
    const addr = mm.vmas[0]!.vm_start;
    const table = mm.pgd.pte_table_pfn(addr);
    expect(table).toBeGreaterThan(0);
    expect(k.phys.allocated(table)).toBe(true);
    expect(runStraight(w).violation).toBeUndefined();
    expect(mm.pgd.pte_table_pfn(addr)).toBe(-1);
    expect(k.phys.allocated(table)).toBe(false);
    // The free list is LIFO: the next page allocated is a table page munmap freed.
    const again = k.phys.alloc_page("test");
    expect(again).toBeGreaterThanOrEqual(0x8000);
  });

  it("with the switch off tables have no frames and are never freed", () => {
    const w = findScenario("munmap")!.build(genericDrivers.find((d) => d.name === "correct-generic")!, { model: OFF });
    const mm = w.k.mms[0]!;
    const addr = mm.vmas[0]!.vm_start;
    expect(mm.pgd.pte_table_pfn(addr)).toBe(0);
    runStraight(w);
    expect(mm.pgd.pte_table_pfn(addr)).toBe(0);
  });

  it("two devices' walks through one PTE table fill its walk-cache entry as fills: neither reads nor writes it plainly", () => {
    const correct = genericDrivers.find((d) => d.name === "correct-generic")!;
    const w = findScenario("munmap")!.scaled!.build(correct, undefined, { pages: 2, batch: 4 });
    const st = w.store;
    const agent = (name: string) => Array.from({ length: w.agentCount }, (_, a) => a).find((a) => w.agentName(a) === name)!;
    const stepOf = (name: string) => {
      st.beginFootprint();
      w.step(agent(name));
      const fp = st.endFootprint();
      const names = (xs: readonly number[]) => xs.map((x) => st.nameOf(x)).filter((n) => n.includes("walk-cache"));
      return { reads: names(fp.reads), writes: names(fp.writes), fills: names(fp.fills) };
    };
    const start = st.mark();
    // dev0 misses and fills; dev1 then hits what a walk would cache; and the other way round.
    for (const order of [["dev0", "dev1"], ["dev1", "dev0"]]) {
      for (const name of order) {
        const fp = stepOf(name);
        expect({ reads: fp.reads, writes: fp.writes }, name).toEqual({ reads: [], writes: [] });
        expect(fp.fills.length, name).toBeGreaterThan(0);
      }
      st.undo(start);
    }
  });
});
