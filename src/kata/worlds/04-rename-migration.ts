/** Kata 04-rename-migration: an out-of-tree driver on the generic IOMMU, written against the pre-6.6 ops. */
import type { Kernel } from "../../kernel/kernel";
import type { mm_struct } from "../../mm/mm";
import type { IommuModel } from "../../hw/iommu";
import type { DriverSpec, BoundContext } from "../../drivers/driver";
import { GenericIommu } from "../../hw/generic/iommu";
import { Mutex } from "../../locking/lock";
import { mmu_notifier, EINVAL, type mmu_notifier_ops } from "../../notifier/mmu_notifier";
import { kstruct } from "../../sim/store";

/**
 * struct mmu_notifier_ops with the callback the rename removed, as every kernel
 * through v6.5 has it. The post-rename core never calls invalidate_range; in C, a table that still
 * sets it does not build.
 */
export type legacy_mmu_notifier_ops = mmu_notifier_ops & {
  invalidate_range?(subscription: mmu_notifier, mm: mm_struct, start: number, end: number): void;
};

/** The out-of-tree "acme" accelerator's per-(device, mm) context, with the notifier embedded. */
export interface acme_ctx {
  readonly notifier: mmu_notifier;
  readonly mm: mm_struct;
  readonly pasid: number;
  readonly iommu: GenericIommu;
  /** Serialises waiters on the command queue. A mutex: it may sleep. */
  readonly lock: Mutex;
  /** Invalidations queued and not yet waited for. */
  pending: number;
  /** Set by release: the PASID no longer translates. */
  invalid: boolean;
}

export interface RenameMigrationModule {
  readonly acme_mn_ops: legacy_mmu_notifier_ops;
}

/** The acme driver's bind (acme_sva_bind): a context, the PASID entry, the notifier. */
export function acmeDriver(mod: RenameMigrationModule, name = "acme"): DriverSpec {
  return {
    name,
    description: "an out-of-tree accelerator driver on the generic IOMMU (kata 04-rename-migration)",
    createIommu: (k: Kernel): IommuModel => k.addIommu(new GenericIommu(k.sim, k.phys)),
    bind(k: Kernel, iommu: IommuModel, mm: mm_struct, pasid: number): BoundContext {
      const ops = mod.acme_mn_ops;
      if (ops.invalidate_range !== undefined) {
        // What the compiler says about a C driver that still sets the old member.
        k.sim.report(
          "invalid-ops",
          `${ops.name ?? name}: error: 'const struct mmu_notifier_ops' has no member named 'invalidate_range' (renamed invalidate_secondary_tlbs by the June 2023 RFC; merged in Linux 6.6 as arch_invalidate_secondary_tlbs): the driver does not build`,
        );
        return { ret: -EINVAL, tag: pasid };
      }
      const io = iommu as GenericIommu;
      const ctx = kstruct<acme_ctx>(k.sim.store, `${name}.ctx[${pasid}]`, {
        notifier: new mmu_notifier(k.sim, ops, `${name}.ctx.notifier`),
        mm,
        pasid,
        iommu: io,
        lock: new Mutex(k.locks, `${name}.ctx.lock`, "acme_ctx_lock"),
        pending: 0,
        invalid: false,
      });
      ctx.notifier.container = ctx;
      io.bind(pasid, mm);
      const r = k.mn.mmu_notifier_register(ctx.notifier, mm);
      if (r !== 0) io.unbind(pasid);
      return { ret: r, tag: pasid };
    },
  };
}
