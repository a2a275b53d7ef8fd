/**
 * A driver for the generic IOMMU built from mmu_notifier ops written in a notebook cell,
 * so that the cell shows the ops under study and nothing of the bind plumbing.
 */
import type { Kernel } from "../kernel/kernel";
import type { mm_struct } from "../mm/mm";
import type { IommuModel } from "../hw/iommu";
import { GenericIommu } from "../hw/generic/iommu";
import { mmu_notifier, type mmu_notifier_ops } from "../notifier/mmu_notifier";
import type { BoundContext, DriverSpec } from "../drivers/driver";

/** What the ops of one bind may use: the kernel, the hardware, the bound mm and PASID. */
export interface OpsContext {
  readonly k: Kernel;
  readonly iommu: GenericIommu;
  readonly mm: mm_struct;
  readonly pasid: number;
  /** Invalidate [start, end) of this PASID in the IOMMU's TLB and wait, as `correct-generic` does. */
  flush(start: number, end: number): void;
  /** The generic release: unbind the PASID, invalidate everything cached for it, wait. */
  release(): void;
}

/**
 * A DriverSpec on the generic IOMMU: bind() binds the PASID to the mm, then registers
 * one subscription per ops table that `makeOps` returns, in order (the core walks
 * them newest first). The first non-zero return of mmu_notifier_register() is the
 * bind's result.
 */
export function genericOpsDriver(
  name: string,
  makeOps: (ctx: OpsContext) => mmu_notifier_ops | readonly mmu_notifier_ops[],
  description = name,
): DriverSpec {
  return {
    name,
    description,
    createIommu: (k: Kernel): IommuModel => k.addIommu(new GenericIommu(k.sim, k.phys)),
    bind(k: Kernel, iommu: IommuModel, mm: mm_struct, pasid: number): BoundContext {
      const io = iommu as GenericIommu;
      const ctx: OpsContext = {
        k,
        iommu: io,
        mm,
        pasid,
        flush(start, end) {
          io.inv_range(pasid, start, end);
          io.sync();
        },
        release() {
          io.unbind(pasid);
          io.inv_pasid(pasid);
          io.sync();
        },
      };
      const made = makeOps(ctx);
      const list: readonly mmu_notifier_ops[] = Array.isArray(made) ? made : [made as mmu_notifier_ops];
      io.bind(pasid, mm);
      let ret = 0;
      for (const ops of list) {
        const r = k.mn.mmu_notifier_register(new mmu_notifier(k.sim, ops, ops.name ?? name), mm);
        if (ret === 0) ret = r;
      }
      return { ret, tag: pasid };
    },
  };
}
