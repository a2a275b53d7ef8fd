/**
 * Small scenarios the notebooks build for one lesson, beside the standard ones: a munmap
 * of a few pages the device has read (notebook 07's block rule), and the permission
 * upgrade a device can livelock on (notebook 11), and a whole-mm flush under a
 * page-table lock (notebook 04b).
 */
import type { Scenario } from "../scenarios/index";
import type { DriverSpec } from "../drivers/driver";
import type { ArchOptions } from "../hw/cpu";
import type { World } from "../sim/world";
import { baseScenario, addDevice, addKernelThread, page } from "../scenarios/builder";
import { munmapProgram } from "../kernel/munmap";
import { set_entry } from "../mm/ops";
import { pte_wrprotect } from "../mm/pte";
import { GenericIommu } from "../hw/generic/iommu";
import { genericDrivers } from "../drivers/generic";
import type { KernelOptions } from "../kernel/kernel";
import type { IommuModel } from "../hw/iommu";
import { ProgramBuilder } from "../sim/program";
import { flush_tlb_mm_range } from "../mm/ops";
import { ULONG_MAX } from "../mm/constants";
import { runStraight } from "../sched/run";
import type { RunTrace } from "../sched/types";

/**
 * munmap of pages [first, last] of an 8-page (or larger) mapping, with an mmu_gather
 * batch of `batch` pages, after the device has read each of them.
 */
export function munmapPages(first: number, last: number, batch: number, pages = 8): Scenario {
  if (!(first >= 0 && last >= first && last < pages && batch >= 1)) {
    throw new Error(`munmapPages: pages ${first}-${last} with a batch of ${batch} do not fit a mapping of ${pages} pages`);
  }
  const unmapped = Array.from({ length: last - first + 1 }, (_, i) => first + i);
  return {
    name: `munmap-${first}-${last}`,
    summary: `munmap of pages ${first}-${last}, batch of ${batch}, after the device read them`,
    build(driver, kernel) {
      const p = baseScenario(driver, { pages, kernel });
      addDevice(p, unmapped.map((i) => ({ op: "read" as const, addr: page(i), name: `page ${i}` })));
      addKernelThread(p, "munmap", munmapProgram(p.w.k, p.vma, page(first), page(last + 1), batch));
      return p.w;
    },
  };
}

/** correct-generic on an IOMMU that, on a write through a cached read-only entry, re-walks or faults from its TLB. */
export function correctGenericOn(rewalkOnPermissionFault: boolean): DriverSpec {
  const correct = genericDrivers.find((d) => d.name === "correct-generic")!;
  return {
    ...correct,
    name: `correct-generic (${rewalkOnPermissionFault ? "re-walks" : "faults from its TLB"})`,
    createIommu: (k) => k.addIommu(new GenericIommu(k.sim, k.phys, "smmu0", { rewalkOnPermissionFault })),
  };
}

/**
 * A read-only page A with one user (as after fork() and the child's exit), and a device
 * that reads A, then writes it: the write faults and the kernel upgrades the PTE in place.
 */
export function upgradeWorld(driver: DriverSpec, arch: Partial<ArchOptions>): World {
  const A = page(0);
  const p = baseScenario(driver, { pages: 1, kernel: { arch } });
  p.w.setup(() => {
    const ptl = p.mm.pgd.pte_lockptr(A);
    ptl.spin_lock();
    set_entry(p.w.k, p.mm, A, "pte", pte_wrprotect(p.mm.pgd.get_pte(A)), "protect");
    ptl.spin_unlock();
  });
  addDevice(p, [
    { op: "read", addr: A, name: "A" },
    { op: "write", addr: A, name: "A" },
  ]);
  return p.w;
}

export interface WholeMmFlush {
  readonly trace: RunTrace;
  readonly iommu: IommuModel;
}

/**
 * One kernel thread takes a page-table lock, lets the architecture flush the whole mm,
 * (0, ULONG_MAX), and unlocks; run straight. What the driver sent is in `iommu`'s counts.
 */
export function wholeMmFlushUnderPtl(driver: DriverSpec, kernel: KernelOptions): WholeMmFlush {
  const p = baseScenario(driver, { pages: 1, kernel });
  const k = p.w.k;
  const ptl = p.mm.pgd.pte_lockptr(page(0));
  const prog = new ProgramBuilder("flush-all")
    .step("pte_offset_map_lock", () => ptl.spin_lock(), () => ptl.available())
    .step("the arch flushes the whole mm: (0, ULONG_MAX)", () => flush_tlb_mm_range(k, p.mm, 0, ULONG_MAX))
    .step("pte_unmap_unlock", () => ptl.spin_unlock());
  addKernelThread(p, "flush-all", prog);
  return { trace: runStraight(p.w), iommu: p.iommu };
}
