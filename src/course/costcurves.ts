/**
 * Notebook 10's measurements: how many commands each driver's way of invalidating sends
 * for one range, on a fresh model of its hardware with one ATS device, counted with
 * measureCommands(). A curve stops at the first size the flood watchdog ends.
 */
import { measureCommands } from "./cost";
import type { ChartSeries } from "./chart";
import { PAGE_SIZE } from "../mm/constants";
import { ULONG } from "../mm/ulong";
import { page } from "../scenarios/builder";
import type { Kernel } from "../kernel/kernel";
import { armSmmuV3SvaDriver, arm_smmu_domain_of, arm_smmu_tlb_inv_asid, arm_smmu_atc_inv_domain, arm_smmu_tlb_inv_range_asid } from "../drivers/arm_smmu_v3_sva";
import type { ArmSmmuV3SvaModule } from "../drivers/arm_smmu_v3_sva";
import { type ArmSmmuV3, CMDQ_MAX_TLBI_OPS } from "../hw/arm/smmu_v3";
import { AmdIommu, build_inv_iommu_pasid, build_inv_iotlb_pasid } from "../hw/amd/iommu";
import { IntelIommu, cap_max_amask_val, build_p_iotlb_inv_dsc, build_p_iotlb_inv_dsc_all, build_dev_tlb_pasid_inv_dsc, build_dev_tlb_pasid_inv_dsc_all, FLPT_DEFAULT_DID } from "../hw/intel/vtd";
import { OcxlLink, out_be64, encode_atsd_launch, XTS_ATSD_AVA, XTS_ATSD_LAUNCH, XTS_ATSD_AP_4K, XTS_ATSD_IS_VA } from "../hw/ocxl/link";
import { ocxl_link_setup } from "../drivers/ocxl_link";

const PASID = 1;
const ASID = 0x101;
const nothingArm: ArmSmmuV3SvaModule = { arm_smmu_mmu_notifier_ops: { name: "nothing" } };

/** Commands for one invalidation of `n` pages from page 0, or null if the watchdog stopped it. */
export type CostCurve = (n: number) => number | null;

function total(m: { total: number; lockup?: string }): number | null {
  return m.lockup ? null : m.total;
}

const freshSmmu = (rangeInv: boolean) => (k: Kernel) => armSmmuV3SvaDriver(nothingArm, "arm", "", { rangeInv }).createIommu(k) as ArmSmmuV3;

/** SMMUv3: per page (before the fix), fixed (whole ASID from CMDQ_MAX_TLBI_OPS pages), or range (RANGE_INV). */
export function armCost(n: number, mode: "per page" | "fixed" | "range"): number | null {
  const whole = mode === "fixed" && n >= CMDQ_MAX_TLBI_OPS;
  return total(
    measureCommands(freshSmmu(mode === "range"), (smmu) => {
      const dom = arm_smmu_domain_of(smmu);
      if (whole) {
        arm_smmu_tlb_inv_asid(smmu, ASID);
        arm_smmu_atc_inv_domain(dom, PASID, 0n, 0n);
      } else {
        arm_smmu_tlb_inv_range_asid(ULONG(page(0)), ULONG(n * PAGE_SIZE), ASID, PAGE_SIZE, true, dom);
        arm_smmu_atc_inv_domain(dom, PASID, ULONG(page(0)), ULONG(n * PAGE_SIZE));
      }
    }),
  );
}

/** SMMUv3 after the fix, for (0, ULONG_MAX): the whole ASID, with or without RANGE_INV. */
export function armWholeCost(rangeInv: boolean): number | null {
  return total(
    measureCommands(freshSmmu(rangeInv), (smmu) => {
      arm_smmu_tlb_inv_asid(smmu, ASID);
      arm_smmu_atc_inv_domain(arm_smmu_domain_of(smmu), PASID, 0n, 0n);
    }),
  );
}

/** AMD IOMMU v2: one page, or the whole PASID, IOMMU then device IOTLB, each waited for. */
export function amdCost(n: number): number | null {
  const all = n > 1;
  return total(
    measureCommands(
      (k) => k.addIommu(new AmdIommu(k.sim, k.phys, { ats: true })),
      (hw) => {
        hw.iommu_queue_command(build_inv_iommu_pasid(hw.domid, PASID, ULONG(page(0)), all));
        hw.iommu_completion_wait();
        hw.iommu_queue_command(build_inv_iotlb_pasid(hw.devid, PASID, ULONG(page(0)), all));
        hw.iommu_completion_wait();
      },
    ),
  );
}

/** Intel VT-d: one aligned block per cache, the whole PASID beyond cap_max_amask_val (the course's rule from the VT-d spec; v6.5/v6.6 do not check it). */
export function intelCost(n: number): number | null {
  const am = Math.ceil(Math.log2(n)); // the page count rounded up to a power of two
  return total(
    measureCommands(
      (k) => k.addIommu(new IntelIommu(k.sim, k.phys, k.locks, { ats: true })),
      (hw) => {
        if (am > cap_max_amask_val(hw)) {
          hw.qi_submit_sync(build_p_iotlb_inv_dsc_all(FLPT_DEFAULT_DID, PASID), build_dev_tlb_pasid_inv_dsc_all(hw.sid, PASID, hw.qdep));
        } else {
          hw.qi_submit_sync(build_p_iotlb_inv_dsc(FLPT_DEFAULT_DID, PASID, page(0), am, 0), build_dev_tlb_pasid_inv_dsc(hw.sid, PASID, hw.qdep, page(0), am));
        }
      },
    ),
  );
}

/** OpenCAPI: one ATSD per page, under the link's atsd_lock. */
export function ocxlCost(n: number): number | null {
  return total(
    measureCommands(
      (k) => k.addIommu(new OcxlLink(k.sim, k.phys, k.mms)),
      (hw, k) => {
        const link = ocxl_link_setup(k, hw, "count");
        link.atsd_lock.spin_lock();
        try {
          for (let i = 0; i < n; i++) {
            out_be64(link.arva!, XTS_ATSD_AVA, BigInt(page(i)));
            out_be64(link.arva!, XTS_ATSD_LAUNCH, encode_atsd_launch({ pid: 1, ap: XTS_ATSD_AP_4K, is: XTS_ATSD_IS_VA }));
            hw.doPendingWork(); // the link performs it (a driver polls XTS_ATSD_STAT)
          }
        } finally {
          link.atsd_lock.spin_unlock();
        }
      },
    ),
  );
}

/** The six ways of notebook 10, in drawing order: a dashed line is drawn over the solid one it would hide. */
export const COST_CURVES: readonly (readonly [string, CostCurve])[] = [
  ["OpenCAPI", ocxlCost],
  ["ARM per page", (n) => armCost(n, "per page")],
  ["ARM fixed", (n) => armCost(n, "fixed")],
  ["AMD", amdCost],
  ["ARM range", (n) => armCost(n, "range")],
  ["Intel", intelCost],
];
const DASHED = new Set(["ARM per page", "ARM range"]);

/** One chart series per curve, measured at `sizes` (pages, ascending) until the watchdog stops it. */
export function costCurves(sizes: readonly number[], curves: readonly (readonly [string, CostCurve])[] = COST_CURVES): ChartSeries[] {
  return curves.map(([name, f]) => {
    const points: [number, number][] = [];
    for (const n of sizes) {
      const c = f(n);
      if (c === null) break; // the watchdog fired: larger ranges only send more
      points.push([n, c]);
    }
    return { name, points, dashed: DASHED.has(name) };
  });
}
