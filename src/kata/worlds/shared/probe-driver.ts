/**
 * The probe driver the core katas (02-notifier-core, 04-range-end) are tested with: a
 * device on the generic IOMMU, plus other users of the same mm (a KVM-like start/end
 * user and an idle SVA subscription).
 */
import type { Kernel } from "../../../kernel/kernel";
import type { mm_struct } from "../../../mm/mm";
import type { IommuModel } from "../../../hw/iommu";
import type { DriverSpec, BoundContext } from "../../../drivers/driver";
import type { Sim } from "../../../sim/sim";
import { GenericIommu } from "../../../hw/generic/iommu";
import { srcu_read_lock_held } from "../../../locking/lock";
import { mmu_notifier, container_of, type mmu_notifier_ops } from "../../../notifier/mmu_notifier";
import { kstruct } from "../../../sim/store";
import { hex } from "../../../mm/constants";

/** A KVM-like user of start/end (a software TLB): it counts invalidations in progress. */
export interface kvm_like {
  readonly sim: Sim;
  readonly notifier: mmu_notifier;
  /** kvm->mmu_invalidate_in_progress: up in range_start, down in range_end. */
  in_progress: number;
}

/** The bond of one of the probe's SVA subscriptions (the device's, or the idle one). */
export interface probe_bond {
  readonly sim: Sim;
  readonly notifier: mmu_notifier;
  readonly pasid: number;
  readonly iommu: GenericIommu;
  invalid: boolean;
}

export interface ProbeOptions {
  /** Register a KVM-like start/end subscription on the mm first (default true). */
  readonly kvm?: boolean;
  /** Register a second invalidate_secondary_tlbs user (another PASID, no device) before the device's (default true). */
  readonly idle?: boolean;
}

/** The probe driver: the scenario's device, with a KVM-like and an idle SVA user on the same mm. */
export interface ProbeDriver extends DriverSpec {
  /**
   * invalidate_secondary_tlbs calls on the device's subscription (and the ranges it
   * got), on the idle one; KVM's start/end. Plain counters, reset by each bind.
   */
  readonly calls: { device: number; idle: number; kvm_start: number; kvm_end: number; ranges: string[] };
  /** The last bind's KVM-like subscription (null without one). */
  kvm: kvm_like | null;
}

function reportOutsideSrcu(sim: Sim, who: string): void {
  if (!srcu_read_lock_held(sim)) {
    sim.report(
      "rcu-not-held",
      `${who}: invalidate_secondary_tlbs was called outside srcu_read_lock(): nothing stops mmu_notifier_put() from freeing this subscription while the core still uses it`,
    );
  }
}

export function probeDriver(o: ProbeOptions = {}): ProbeDriver {
  const calls = { device: 0, idle: 0, kvm_start: 0, kvm_end: 0, ranges: [] as string[] };
  const flushOps = (who: "device" | "idle"): mmu_notifier_ops => ({
    name: who === "device" ? "probe-sva" : "probe-sva-idle",
    invalidate_secondary_tlbs(sub, _mm, start, end) {
      const b = container_of<probe_bond>(sub);
      // Counted once: a step resumed after its wait runs the callback again, replaying it.
      if (!b.sim.store.replaying) {
        calls[who]++;
        if (who === "device") calls.ranges.push(`[${hex(start)}, ${hex(end)})`);
      }
      reportOutsideSrcu(b.sim, sub.ops.name!);
      b.iommu.inv_range(b.pasid, start, end);
      b.iommu.sync();
    },
    release(sub) {
      const b = container_of<probe_bond>(sub);
      if (b.invalid) return;
      b.iommu.unbind(b.pasid);
      b.iommu.inv_pasid(b.pasid);
      b.iommu.sync();
      b.invalid = true;
    },
  });
  const kvmOps: mmu_notifier_ops = {
    name: "kvm-like",
    invalidate_range_start(sub) {
      const kvm = container_of<kvm_like>(sub);
      calls.kvm_start++;
      kvm.in_progress = kvm.in_progress + 1;
      return 0;
    },
    invalidate_range_end(sub) {
      const kvm = container_of<kvm_like>(sub);
      calls.kvm_end++;
      if (kvm.in_progress === 0) {
        kvm.sim.abort(
          "driver-crash",
          "kvm-like: invalidate_range_end without a matching invalidate_range_start: kvm->mmu_invalidate_in_progress would go negative (a BUG_ON in KVM)",
        );
      }
      kvm.in_progress = kvm.in_progress - 1;
    },
  };
  const ops = { device: flushOps("device"), idle: flushOps("idle") };
  const driver: ProbeDriver = {
    name: "probe",
    description: "a device on the generic IOMMU, with a KVM-like start/end user and an idle SVA user on the same mm",
    calls,
    kvm: null,
    createIommu: (k: Kernel): IommuModel => k.addIommu(new GenericIommu(k.sim, k.phys)),
    bind(k: Kernel, iommu: IommuModel, mm: mm_struct, pasid: number): BoundContext {
      // A new world: start counting again (the counters mean something for straight runs).
      calls.device = calls.idle = calls.kvm_start = calls.kvm_end = 0;
      calls.ranges.length = 0;
      const io = iommu as GenericIommu;
      if (o.kvm ?? true) {
        const kvm = kstruct<kvm_like>(k.sim.store, "kvm", { sim: k.sim, notifier: new mmu_notifier(k.sim, kvmOps, "kvm.mmu_notifier"), in_progress: 0 });
        kvm.notifier.container = kvm;
        driver.kvm = kvm;
        const r = k.mn.mmu_notifier_register(kvm.notifier, mm);
        if (r !== 0) return { ret: r, tag: pasid };
      }
      const bond = (who: "device" | "idle", p: number): number => {
        const b = kstruct<probe_bond>(k.sim.store, `probe.${who}`, {
          sim: k.sim,
          notifier: new mmu_notifier(k.sim, ops[who], `probe.${who}.notifier`),
          pasid: p,
          iommu: io,
          invalid: false,
        });
        b.notifier.container = b;
        io.bind(p, mm);
        return k.mn.mmu_notifier_register(b.notifier, mm);
      };
      if (o.idle ?? true) {
        const r = bond("idle", pasid + 100);
        if (r !== 0) return { ret: r, tag: pasid };
      }
      return { ret: bond("device", pasid), tag: pasid };
    },
  };
  return driver;
}
