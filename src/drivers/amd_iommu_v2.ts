/**
 * The AMD IOMMU v2 driver's structures and its bind path (amd_iommu_bind_pasid). The
 * mmu_notifier ops (`iommu_mn`) come from a module: the reference solution, or a
 * learner's kata file.
 */
import type { Kernel } from "../kernel/kernel";
import type { mm_struct } from "../mm/mm";
import type { IommuModel } from "../hw/iommu";
import { AmdIommu } from "../hw/amd/iommu";
import { mmu_notifier, type mmu_notifier_ops } from "../notifier/mmu_notifier";
import { kstruct } from "../sim/store";
import type { DriverSpec, BoundContext } from "./driver";

export interface protection_domain {
  readonly id: number;
}

/** Per-device state: the device, its IOMMU and domain, and whether it uses ATS. */
export interface device_state {
  readonly devid: number;
  readonly iommu: AmdIommu;
  readonly domain: protection_domain;
  /** ATS enabled: the device has its own IOTLB, invalidated with INVALIDATE_IOTLB_PAGES. */
  readonly ats_enabled: boolean;
  /** The device driver's "stop using this PASID" callback (may be null). */
  readonly inv_ctx_cb: ((pasid: number) => void) | null;
}

/** Per-(device, mm) state, with the notifier embedded: find it with container_of. */
export interface pasid_state {
  readonly mn: mmu_notifier;
  readonly mm: mm_struct;
  readonly pasid: number;
  readonly device_state: device_state;
  /** Set once the PASID has been torn down. */
  invalid: boolean;
}

/** What a kata file (or the reference solution) provides. */
export interface AmdIommuV2Module {
  readonly iommu_mn: mmu_notifier_ops;
}

export interface AmdDriverOptions {
  /** The device uses ATS (default true). */
  readonly ats?: boolean;
  /**
   * The device driver's invalidate-context callback (amd_iommu_set_invalidate_ctx_cb,
   * which amdkfd sets): told when a PASID's mm goes away. Default none.
   */
  readonly inv_ctx_cb?: (pasid: number) => void;
}

export function amdIommuV2Driver(mod: AmdIommuV2Module, name = "amd", description = "AMD IOMMU v2 (iommu_v2.c)", o: AmdDriverOptions = {}): DriverSpec {
  // One device_state per device (here: per IOMMU, one device behind each), shared by every PASID bound on it.
  const devices = new WeakMap<AmdIommu, device_state>();
  return {
    name,
    description,
    createIommu: (k: Kernel): IommuModel => k.addIommu(new AmdIommu(k.sim, k.phys, { ats: o.ats ?? true })),
    bind(k: Kernel, iommu: IommuModel, mm: mm_struct, pasid: number): BoundContext {
      const io = iommu as AmdIommu;
      let dev = devices.get(io);
      // The device driver hears each call once: a release step resumed after a wait replays it.
      const cb = o.inv_ctx_cb;
      const inv_ctx_cb = cb ? (p: number) => (k.sim.store.replaying ? undefined : cb(p)) : null;
      if (!dev) devices.set(io, (dev = { devid: io.devid, iommu: io, domain: { id: io.domid }, ats_enabled: o.ats ?? true, inv_ctx_cb }));
      const state: pasid_state = kstruct(k.sim.store, `${name}.pasid_state[${pasid}]`, {
        mn: new mmu_notifier(k.sim, mod.iommu_mn, `${name}.pasid_state[${pasid}].mn`),
        mm,
        pasid,
        device_state: dev,
        invalid: false,
      });
      state.mn.container = state;
      // amd_iommu_bind_pasid(): register the notifier first, then install GCR3.
      const r = k.mn.mmu_notifier_register(state.mn, mm);
      if (r !== 0) return { ret: r, tag: pasid };
      io.amd_iommu_domain_set_gcr3(pasid, mm);
      return { ret: 0, tag: pasid };
    },
  };
}
