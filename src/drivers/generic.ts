/**
 * The generic SVA drivers of the first notebooks: one correct, four wrong in the
 * ways the 2023 rename was written to stop. Each binds a process address space to the
 * generic IOMMU under a PASID and registers an mmu_notifier embedded in its bond.
 */
import type { Kernel } from "../kernel/kernel";
import type { mm_struct } from "../mm/mm";
import { GenericIommu } from "../hw/generic/iommu";
import { mmu_notifier, container_of, EINVAL, type mmu_notifier_ops } from "../notifier/mmu_notifier";
import { Mutex } from "../locking/lock";
import { kstruct } from "../sim/store";
import type { IommuModel } from "../hw/iommu";
import type { DriverSpec, BoundContext } from "./driver";

/** The driver's per-(device, mm) state, with the notifier embedded in it. */
export interface generic_sva_bond {
  notifier: mmu_notifier;
  mm: mm_struct;
  pasid: number;
  iommu: GenericIommu;
  /** Set by release: the PASID no longer translates. */
  invalid: boolean;
  /** Only the "sleeps" driver uses it, wrongly, in atomic context. */
  lock: Mutex | null;
}

function bond_of(sub: mmu_notifier): generic_sva_bond {
  return container_of<generic_sva_bond>(sub);
}

function flush(bond: generic_sva_bond, start: number, end: number): void {
  bond.iommu.inv_range(bond.pasid, start, end);
  bond.iommu.sync();
}

function release(sub: mmu_notifier, _mm: mm_struct): void {
  const bond = bond_of(sub);
  if (bond.invalid) return;
  bond.iommu.unbind(bond.pasid);
  bond.iommu.inv_pasid(bond.pasid);
  bond.iommu.sync();
  bond.invalid = true;
}

const OPS: Record<string, mmu_notifier_ops> = {
  "correct-generic": {
    name: "correct-generic",
    invalidate_secondary_tlbs: (sub, _mm, start, end) => flush(bond_of(sub), start, end),
    release,
  },
  "start-only": {
    name: "start-only",
    invalidate_range_start: (sub, range) => {
      flush(bond_of(sub), range.start, range.end);
      return 0;
    },
    release,
  },
  "end-only": {
    name: "end-only",
    invalidate_range_end: (sub, range) => flush(bond_of(sub), range.start, range.end),
    release,
  },
  sleeps: {
    name: "sleeps",
    invalidate_secondary_tlbs: (sub, _mm, start, end) => {
      const bond = bond_of(sub);
      bond.lock!.mutex_lock();
      flush(bond, start, end);
      bond.lock!.mutex_unlock();
    },
    release,
  },
  "both-ops": {
    name: "both-ops",
    invalidate_secondary_tlbs: (sub, _mm, start, end) => flush(bond_of(sub), start, end),
    invalidate_range_start: (sub, range) => {
      flush(bond_of(sub), range.start, range.end);
      return 0;
    },
    release,
  },
};

function genericDriver(name: keyof typeof OPS, description: string): DriverSpec {
  return {
    name,
    description,
    createIommu: (k: Kernel): IommuModel => k.addIommu(new GenericIommu(k.sim, k.phys)),
    bind(k: Kernel, iommu: IommuModel, mm: mm_struct, pasid: number): BoundContext {
      const io = iommu as GenericIommu;
      const ops = OPS[name]!;
      const bond: generic_sva_bond = kstruct(k.sim.store, `${name}.bond[${pasid}]`, {
        notifier: new mmu_notifier(k.sim, ops, `${name}.bond[${pasid}].notifier`),
        mm,
        pasid,
        iommu: io,
        invalid: false,
        lock: name === "sleeps" ? new Mutex(k.locks, `${name}.bond.lock`, "sva_lock") : null,
      });
      bond.notifier.container = bond;
      io.bind(pasid, mm);
      const r = k.mn.mmu_notifier_register(bond.notifier, mm);
      if (r !== 0) io.unbind(pasid);
      return { ret: r, tag: pasid };
    },
  };
}

export const genericDrivers: readonly DriverSpec[] = [
  genericDriver("correct-generic", "flushes the IOTLB in invalidate_secondary_tlbs, when the CPU TLB is flushed"),
  genericDriver("start-only", "flushes only in invalidate_range_start: too soon, the device refills before the PTE is cleared"),
  genericDriver("end-only", "flushes only in invalidate_range_end: too late, pages are freed (or remapped) first"),
  genericDriver("sleeps", "takes a mutex in invalidate_secondary_tlbs, which may run under a spinlock (the ptl)"),
  genericDriver("both-ops", "implements invalidate_secondary_tlbs and invalidate_range_start: registration must fail"),
];

export { EINVAL };
