/**
 * Kata 03-start-end-is-not-enough: a bug hunt. The "accel" driver (a made-up SVA
 * accelerator behind the generic IOMMU) keeps its device TLB coherent with
 * invalidate_range_start/end, the way KVM keeps its shadow page tables. The learner
 * finds with the explorer the interleaving in which the device corrupts memory,
 * reports it as a typed `AccelDiagnosis`, and fixes the driver.
 *
 * The hidden tests work out the expected diagnosis from the shortest counterexample
 * the explorer finds for the driver as shipped (`shippedAccelOps`).
 */
import type { Kernel } from "../../kernel/kernel";
import type { mm_struct } from "../../mm/mm";
import type { IommuModel } from "../../hw/iommu";
import type { DriverSpec, BoundContext } from "../../drivers/driver";
import type { Scenario } from "../../scenarios/index";
import type { World } from "../../sim/world";
import type { RuleId } from "../../oracle/violation";
import type { Counterexample } from "../../sched/types";
import { GenericIommu } from "../../hw/generic/iommu";
import { mmu_notifier, container_of, type mmu_notifier_ops } from "../../notifier/mmu_notifier";
import { kstruct } from "../../sim/store";
import { munmapWorld, readPage, writePage } from "../../scenarios/builder";
import { explore } from "../../sched/explore";

/** The accel driver's per-(device, mm) state, with the notifier embedded in it. */
export interface accel_context {
  readonly mn: mmu_notifier;
  readonly mm: mm_struct;
  readonly pasid: number;
  /** The IOMMU in front of the accelerator: inv_range / inv_pasid queue, sync waits. */
  readonly iommu: GenericIommu;
  /** Invalidations between range_start and range_end (KVM's mmu_invalidate_in_progress). */
  invalidating: number;
  /** Set by release: the PASID no longer translates. */
  dead: boolean;
}

/** Invalidate [start, end) of the context's PASID in the device's TLB, and wait. */
export function accel_flush(ctx: accel_context, start: number, end: number): void {
  ctx.iommu.inv_range(ctx.pasid, start, end);
  ctx.iommu.sync();
}

/** Invalidate everything the device caches for the PASID, and wait. */
export function accel_flush_all(ctx: accel_context): void {
  ctx.iommu.inv_pasid(ctx.pasid);
  ctx.iommu.sync();
}

/** Stop the device translating for the PASID (new walks fail; the cache is not touched). */
export function accel_stop(ctx: accel_context): void {
  ctx.iommu.unbind(ctx.pasid);
}

/** The accel driver as shipped: start/end, as KVM does. */
export const shippedAccelOps: mmu_notifier_ops = {
  name: "accel",
  invalidate_range_start(mn, range) {
    const ctx = container_of<accel_context>(mn);
    ctx.invalidating = ctx.invalidating + 1;
    accel_flush(ctx, range.start, range.end);
    return 0;
  },
  invalidate_range_end(mn) {
    const ctx = container_of<accel_context>(mn);
    ctx.invalidating = ctx.invalidating - 1;
  },
  release(mn) {
    const ctx = container_of<accel_context>(mn);
    if (ctx.dead) return;
    ctx.dead = true;
    accel_stop(ctx);
    accel_flush_all(ctx);
  },
};

/** Bind a device to a process with the accel driver and the given ops. */
export function accelDriver(ops: mmu_notifier_ops, name = "accel"): DriverSpec {
  return {
    name,
    description: "an SVA accelerator driver (kata 03)",
    createIommu: (k: Kernel): IommuModel => k.addIommu(new GenericIommu(k.sim, k.phys, "iommu0")),
    bind(k: Kernel, iommu: IommuModel, mm: mm_struct, pasid: number): BoundContext {
      const io = iommu as GenericIommu;
      const ctx: accel_context = kstruct(k.sim.store, `${name}.ctx`, {
        mn: new mmu_notifier(k.sim, ops, `${name}.mn`),
        mm,
        pasid,
        iommu: io,
        invalidating: 0,
        dead: false,
      });
      ctx.mn.container = ctx;
      io.bind(pasid, mm);
      const r = k.mn.mmu_notifier_register(ctx.mn, mm);
      if (r !== 0) io.unbind(pasid);
      return { ret: r, tag: pasid };
    },
  };
}

/** The pages of the hunt, by name. */
export type AccelPage = "A" | "B" | "C" | "D";
export const ACCEL_PAGES: readonly AccelPage[] = ["A", "B", "C", "D"];

/**
 * The hunting ground: munmap of A-D with a gather batch of 2 (it fills twice, and
 * frees, before invalidate_range_end), the accelerator reading D, then writing B
 * twice, and another process that allocates a page afterwards. (A write through a
 * translation cached by a read would go back to the page table to set the dirty bit,
 * so the harm needs a translation cached by a write.)
 */
export const accelMunmapScenario: Scenario = {
  name: "accel-munmap",
  summary: "munmap of A-D (batch of 2) while the accelerator reads D, then writes B twice; another process allocates afterwards",
  build: (driver, kernel) =>
    munmapWorld(driver, kernel, { pages: 4, device: [readPage("D"), writePage("B"), writePage("B")], munmap: { from: 0, to: 4, batch: 2 } }),
};

/**
 * Rules that only say "a TLB still held a translation it should have dropped". The
 * hunt switches them off so that the explorer goes on to the harm itself: a device
 * access to freed or reused memory.
 */
export const STALE_TLB_RULES: readonly RuleId[] = ["stale-tlb-at-free", "stale-tlb-after-ptl-release", "stale-write-permission", "stale-tlb-at-copy"];

/** The hunt's world: the accel-munmap scenario with `ops`, the stale-TLB rules off. */
export function accelHuntWorld(ops: mmu_notifier_ops): World {
  const w = accelMunmapScenario.build(accelDriver(ops));
  for (const r of STALE_TLB_RULES) w.k.sim.disabledRules.add(r);
  return w;
}

/**
 * The hunt: a shortest interleaving of the accel-munmap scenario, with `ops`, that
 * breaks a rule, with the stale-TLB rules off. Undefined when there is none.
 */
export function huntAccel(ops: mmu_notifier_ops): Counterexample | undefined {
  const w = accelHuntWorld(ops);
  const setup = w.setupViolations[0];
  if (setup) return { violation: setup, trace: { steps: [], violation: setup }, schedule: [] };
  return explore(w, { shortest: true }).violation;
}

/** What happened, as the learner reports it. Step numbers are the trace's (from 1). */
export interface AccelDiagnosis {
  /** The page the device corrupted memory through. */
  readonly page: AccelPage | null;
  /**
   * The step after which the device's TLB held the translation that went stale: the
   * device walked the page table and cached the page again, after
   * invalidate_range_start had flushed it and before its PTE was cleared.
   */
  readonly refill_step: number | null;
  /** The step that freed the page while the device's TLB still mapped it. */
  readonly free_step: number | null;
  /** The device access that touched the freed page: its step, and whether it read or wrote. */
  readonly access: { readonly step: number; readonly op: "read" | "write" } | null;
}

/** What a kata 03 file exports. */
export interface AccelModule {
  readonly accel_mn_ops: mmu_notifier_ops;
  readonly diagnosis: AccelDiagnosis;
}
