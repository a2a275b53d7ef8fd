/**
 * The Intel VT-d SVM driver's structures (intel/svm.c), the PASID-table helpers it
 * uses (intel/pasid.c) and its bind path (intel_svm_bind_mm). The mmu_notifier ops
 * come from a module: the reference solution, or a learner's kata file.
 *
 * One intel_svm per mm (per PASID) carries the embedded notifier and an RCU-protected
 * list of the devices bound to it; each device may sit behind a different VT-d unit.
 */
import type { Kernel } from "../kernel/kernel";
import type { mm_struct } from "../mm/mm";
import type { Sim } from "../sim/sim";
import type { IommuModel } from "../hw/iommu";
import { IntelIommu, FLPT_DEFAULT_DID, build_p_iotlb_inv_dsc_all, build_dev_tlb_pasid_inv_dsc_all } from "../hw/intel/vtd";
import { mmu_notifier, type mmu_notifier_ops } from "../notifier/mmu_notifier";
import { rcu_read_lock_held } from "../locking/lock";
import type { DriverSpec, BoundContext } from "./driver";
import { nextId } from "../kernel/ids";

/**
 * The device as the IOMMU driver knows it: struct device_domain_info, what
 * dev_iommu_priv_get(dev) returns.
 */
export interface device_domain_info {
  readonly name: string;
  /** PCI requester id: bus/device/function. */
  readonly sid: number;
  /** info->ats_enabled: the device caches translations in a device-TLB. */
  readonly ats_enabled: boolean;
  /** info->ats_qdep: the device's invalidation queue depth. */
  readonly ats_qdep: number;
}

/** struct intel_svm_dev: one device bound to the svm. */
export interface intel_svm_dev {
  /** The device (its device_domain_info). */
  readonly dev: device_domain_info;
  /** The VT-d unit the device sits behind. */
  readonly iommu: IntelIommu;
  /** Domain id the IOTLB tags this binding's entries with. */
  readonly did: number;
  /** Source id, for device-TLB invalidations. */
  readonly sid: number;
  /** Device-TLB invalidation queue depth (0 when unknown). */
  readonly qdep: number;
  /** The device has ATS enabled, so it has a device-TLB to invalidate too. */
  readonly dev_iotlb: boolean;
}

/**
 * An RCU-protected list (struct list_head with list_add_rcu / list_for_each_entry_rcu).
 * Readers must be in an RCU read-side section; updaters hold the list's mutex.
 */
export class rcu_list<T> {
  private readonly items: T[] = [];
  constructor(
    /** The simulation the list lives in (what the kernel's global RCU state is per run). */
    readonly sim: Sim,
    readonly name: string,
  ) {}

  /** list_add_rcu(): publish a new entry (bind time, serialised by the driver's mutex: pasid_mutex in v6.5). */
  list_add_rcu(item: T): void {
    this.items.push(item);
  }

  /** Entries, without the RCU check: for the simulation's own use. */
  get raw(): readonly T[] {
    return this.items;
  }
}

/**
 * list_for_each_entry_rcu(): the entries of an RCU list. The walk is legal inside
 * rcu_read_lock() or with preemption disabled (lockdep's rcu_read_lock_any_held(): a
 * spinlock such as the ptl is enough); otherwise an entry may be freed under the
 * walker, and lockdep reports suspicious RCU usage.
 */
export function list_for_each_entry_rcu<T>(head: rcu_list<T>): readonly T[] {
  const sim = head.sim;
  if (sim.current >= 0 && !rcu_read_lock_held(sim) && !sim.inAtomic()) {
    sim.report("rcu-not-held", `suspicious RCU usage: ${head.name} traversed with list_for_each_entry_rcu() outside an RCU read-side section (take rcu_read_lock() around the walk)`);
  }
  return head.raw;
}

/** struct intel_svm: one per mm bound for SVA, with the notifier embedded. */
export interface intel_svm {
  readonly notifier: mmu_notifier;
  readonly mm: mm_struct;
  readonly pasid: number;
  /** The bound devices (struct intel_svm_dev), an RCU list. */
  readonly devs: rcu_list<intel_svm_dev>;
  /** The simulation: pass it to rcu_read_lock(svm.sim) / rcu_read_unlock(svm.sim). */
  readonly sim: Sim;
}

/**
 * intel_pasid_tear_down_entry(): clear the PASID's table entry (with FPD when
 * fault_ignore, so later DMA faults quietly), then flush what the unit and the device
 * cached for it, and wait. Spins on the invalidation queue; never sleeps.
 */
export function intel_pasid_tear_down_entry(iommu: IntelIommu, dev: device_domain_info, pasid: number, fault_ignore: boolean): void {
  if (!iommu.pasid_entry_present(pasid)) return;
  const did = iommu.pasid_entry_did(pasid);
  iommu.pasid_clear_entry(pasid, fault_ignore);
  iommu.qi_submit_sync(build_p_iotlb_inv_dsc_all(did, pasid));
  if (dev.ats_enabled) iommu.qi_submit_sync(build_dev_tlb_pasid_inv_dsc_all(dev.sid, pasid, dev.ats_qdep));
}

/** intel_pasid_setup_first_level(): point the PASID's entry at mm's page table. */
export function intel_pasid_setup_first_level(iommu: IntelIommu, _dev: device_domain_info, mm: mm_struct, pasid: number, did: number): void {
  iommu.pasid_set_entry(pasid, mm, did);
}

/** What a kata file (or the reference solution) provides. */
export interface IntelSvmModule {
  readonly intel_mmuops: mmu_notifier_ops;
}

export interface IntelDriverOptions {
  /** The device uses ATS (default true). */
  readonly ats?: boolean;
  /** The unit's cap_max_amask_val (default: IntelIommu's). */
  readonly mamv?: number;
}

/** pasid_private_find(): the svm already bound for a PASID, per simulated kernel. */
const svmsOf = new WeakMap<Kernel, Map<number, intel_svm>>();

export function intelSvmDriver(mod: IntelSvmModule, name = "intel", description = "Intel VT-d SVM (intel/svm.c)", o: IntelDriverOptions = {}): DriverSpec {
  const ats = o.ats ?? true;
  return {
    name,
    description,
    createIommu(k: Kernel): IommuModel {
      // One VT-d unit per call, each with its own ATS device behind it.
      const n = k.iommus.filter((i) => i instanceof IntelIommu).length;
      return k.addIommu(new IntelIommu(k.sim, k.phys, k.locks, { ats, sid: nextId(k.sim, "devid", 0x100 * (n + 1)), mamv: o.mamv }, `dmar${n}`));
    },
    bind(k: Kernel, iommu: IommuModel, mm: mm_struct, pasid: number): BoundContext {
      const io = iommu as IntelIommu;
      let svms = svmsOf.get(k);
      if (!svms) svmsOf.set(k, (svms = new Map()));
      let svm = svms.get(pasid);
      if (!svm) {
        // First device for this mm: allocate the svm and register its notifier.
        const s: intel_svm = {
          notifier: new mmu_notifier(k.sim, mod.intel_mmuops, `${name}.svm[${pasid}].notifier`),
          mm,
          pasid,
          devs: new rcu_list<intel_svm_dev>(k.sim, `svm[${pasid}]->devs`),
          sim: k.sim,
        };
        s.notifier.container = s;
        const r = k.mn.mmu_notifier_register(s.notifier, mm);
        if (r !== 0) return { ret: r, tag: pasid };
        svms.set(pasid, s);
        svm = s;
      }
      const dev: device_domain_info = { name: `${io.name}:${io.sid.toString(16)}`, sid: io.sid, ats_enabled: io.devtlb !== null, ats_qdep: io.qdep };
      const sdev: intel_svm_dev = { dev, iommu: io, did: FLPT_DEFAULT_DID, sid: dev.sid, qdep: dev.ats_enabled ? dev.ats_qdep : 0, dev_iotlb: dev.ats_enabled };
      intel_pasid_setup_first_level(io, dev, mm, pasid, sdev.did);
      svm.devs.list_add_rcu(sdev);
      return { ret: 0, tag: pasid };
    },
  };
}
