/**
 * Kata 02-register-rules: the learner's __mmu_notifier_register, mmu_notifier_get_locked
 * and mmu_notifier_put, plugged into the core, and a driver sharing one notifier per mm
 * through get/put to test them with.
 */
import type { Kernel, KernelOptions } from "../../kernel/kernel";
import type { mm_struct } from "../../mm/mm";
import type { IommuModel } from "../../hw/iommu";
import type { DriverSpec, BoundContext } from "../../drivers/driver";
import type { Sim } from "../../sim/sim";
import { GenericIommu } from "../../hw/generic/iommu";
import { container_of, mmu_notifier, type MmuNotifierCore, type mmu_notifier_ops } from "../../notifier/mmu_notifier";
import { kstruct } from "../../sim/store";
import { pluggableCore } from "./shared/pluggable-core";

/** Kata 02-register-rules: what the learner's file exports. */
export interface RegisterRulesModule {
  readonly __mmu_notifier_register: (core: MmuNotifierCore, subscription: mmu_notifier, mm: mm_struct) => number;
  readonly mmu_notifier_get_locked: (core: MmuNotifierCore, ops: mmu_notifier_ops, mm: mm_struct) => mmu_notifier | number;
  readonly mmu_notifier_put: (core: MmuNotifierCore, subscription: mmu_notifier) => void;
}

export const registerRulesKernel = (m: RegisterRulesModule): KernelOptions => ({
  core: pluggableCore({
    __mmu_notifier_register: m.__mmu_notifier_register,
    mmu_notifier_get_locked: m.mmu_notifier_get_locked,
    mmu_notifier_put: m.mmu_notifier_put,
  }),
});

/** The per-mm state of a driver that shares one notifier among its devices (mmu_notifier_get). */
export interface sva_mm {
  readonly sim: Sim;
  readonly notifier: mmu_notifier;
  readonly pasid: number;
  readonly iommu: GenericIommu;
  /** Set by free_notifier: the structure is gone. */
  freed: boolean;
}

export interface SharedSvaDriver extends DriverSpec {
  /** alloc_notifier and free_notifier calls (plain counters, reset by each world's first bind). */
  readonly counts: { alloc: number; free: number };
  /** The notifiers bind() got back, in order. */
  readonly bonds: mmu_notifier[];
  /** What mmu_notifier_get_locked returned when it failed (negative errnos), in order. */
  readonly errors: number[];
  /** A second device binds the same mm: mmu_notifier_get_locked under mmap_lock. */
  bindAnother(k: Kernel, mm: mm_struct): number;
  /** A device unbinds: mmu_notifier_put of what its bind got. The last one also stops the PASID. */
  unbind(k: Kernel, index: number): void;
}

/** The shared-notifier driver; `extra` adds ops (to build tables the core must refuse). */
export function sharedSvaDriver(extra: Partial<mmu_notifier_ops> = {}): SharedSvaDriver {
  const counts = { alloc: 0, free: 0 };
  const bonds: mmu_notifier[] = [];
  const errors: number[] = [];
  let current: { k: Kernel; io: GenericIommu; pasid: number } | null = null;
  let io0: GenericIommu | null = null;
  let pasid0 = 0;
  let devices = 0;
  const ops: mmu_notifier_ops = {
    name: "shared-sva",
    invalidate_secondary_tlbs(sub, _mm, start, end) {
      const s = container_of<sva_mm>(sub);
      if (s.freed) s.sim.abort("use-after-free", `shared-sva: invalidate_secondary_tlbs called on a notifier that free_notifier already freed (KASAN: use-after-free)`);
      s.iommu.inv_range(s.pasid, start, end);
      s.iommu.sync();
    },
    release(sub) {
      const s = container_of<sva_mm>(sub);
      if (s.freed) s.sim.abort("use-after-free", `shared-sva: release called on a notifier that free_notifier already freed (KASAN: use-after-free)`);
      s.iommu.unbind(s.pasid);
      s.iommu.inv_pasid(s.pasid);
      s.iommu.sync();
    },
    alloc_notifier(mm) {
      const c = current!;
      counts.alloc++;
      const s = kstruct<sva_mm>(c.k.sim.store, `shared-sva.mm[${counts.alloc}]`, {
        sim: c.k.sim,
        notifier: new mmu_notifier(c.k.sim, ops, `shared-sva.notifier[${counts.alloc}]`),
        pasid: c.pasid,
        iommu: c.io,
        freed: false,
      });
      s.notifier.container = s;
      void mm;
      return s.notifier;
    },
    free_notifier(sub) {
      const s = container_of<sva_mm>(sub);
      if (s.freed) s.sim.abort("use-after-free", "shared-sva: free_notifier called twice on the same notifier (double free)");
      counts.free++;
      s.freed = true;
    },
    ...extra,
  };
  const get = (k: Kernel, io: GenericIommu, mm: mm_struct, pasid: number): number => {
    current = { k, io, pasid };
    mm.mmap_lock.down_write();
    const r = k.mn.mmu_notifier_get_locked(ops, mm);
    mm.mmap_lock.up_write();
    current = null;
    if (typeof r === "number") {
      errors.push(r);
      return r;
    }
    bonds.push(r);
    devices++;
    return 0;
  };
  return {
    name: "shared-sva",
    description: "one notifier per mm shared by the driver's devices (mmu_notifier_get_locked / mmu_notifier_put)",
    counts,
    bonds,
    errors,
    createIommu: (k: Kernel): IommuModel => k.addIommu(new GenericIommu(k.sim, k.phys)),
    bind(k: Kernel, iommu: IommuModel, mm: mm_struct, pasid: number): BoundContext {
      // A new world: forget the last one's devices and counts.
      bonds.length = 0;
      errors.length = 0;
      counts.alloc = counts.free = 0;
      devices = 0;
      const io = iommu as GenericIommu;
      io.bind(pasid, mm);
      io0 = io;
      pasid0 = pasid;
      const r = get(k, io, mm, pasid);
      if (r !== 0) io.unbind(pasid);
      return { ret: r, tag: pasid };
    },
    bindAnother(k: Kernel, mm: mm_struct): number {
      return get(k, io0!, mm, pasid0);
    },
    unbind(k: Kernel, index: number): void {
      const sub = bonds[index]!;
      devices--;
      if (devices === 0) {
        io0!.unbind(pasid0);
        io0!.inv_pasid(pasid0);
        io0!.sync();
      }
      k.mn.mmu_notifier_put(sub);
    },
  };
}
