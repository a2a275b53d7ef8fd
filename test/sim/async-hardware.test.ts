/**
 * Hardware that runs at steps of its own, and the translation hierarchy: wrong drivers
 * the first model (a wait drained the queue on the spot; every device-TLB miss walked)
 * could not tell from right ones are caught, under a named rule, and the same drivers
 * pass again when that part of the model is switched off (a test of the test).
 */
import { describe, expect, it } from "vitest";
import {
  amdIommuV2Driver,
  ocxlDriver,
  intelSvmDriver,
  findScenario,
  container_of,
  build_inv_iommu_pasid,
  build_inv_iotlb_pasid,
  build_p_iotlb_inv_dsc_all,
  build_dev_tlb_pasid_inv_dsc_all,
  out_be64,
  in_be64,
  XTS_ATSD_AVA,
  XTS_ATSD_LAUNCH,
  XTS_ATSD_STAT,
  PAGE_SIZE,
  rcu_read_lock,
  rcu_read_unlock,
  list_for_each_entry_rcu,
  type DriverSpec,
  type ModelOptions,
  type mmu_notifier_ops,
  type pasid_state,
  type pe_data,
  type intel_svm,
} from "tlbkata";
import { exploreWorld } from "./helpers";
import { iommu_mn as amd_ref } from "../../solutions/05-amd-iommu-v2/amd_iommu_v2";
import { ocxl_mmu_notifier_ops as ocxl_ref, atsd_launch_val } from "../../solutions/08-ocxl/link";
import { intel_mmuops as intel_ref } from "../../solutions/07-intel-svm/intel_svm";

const STALE = ["stale-tlb-at-free", "stale-tlb-after-ptl-release", "stale-write-permission", "stale-tlb-at-copy", "use-after-free"];

/** The first violation an exhaustive search of `scenario` finds with `driver`, under the model switches given. */
function verdict(scenario: string, driver: DriverSpec, model: Partial<ModelOptions> = {}): string | null {
  const s = findScenario(scenario)!;
  const r = exploreWorld(s.build(driver, { model }));
  expect(r.complete || r.violation).toBeTruthy();
  return r.violation?.rule ?? null;
}

// The device's IOTLB first, then the IOMMU's, then one wait: the order the kernel's
// __flush_pasid avoids (INVALIDATE_IOMMU_PAGES before INVALIDATE_IOTLB_PAGES).
const amdDeviceFirst: mmu_notifier_ops = {
  ...amd_ref,
  invalidate_secondary_tlbs(mn) {
    const ps = container_of<pasid_state>(mn);
    const d = ps.device_state;
    d.iommu.iommu_queue_command(build_inv_iotlb_pasid(d.devid, ps.pasid, 0n, true));
    d.iommu.iommu_queue_command(build_inv_iommu_pasid(d.domain.id, ps.pasid, 0n, true));
    d.iommu.iommu_completion_wait();
  },
};

// release that flushes first and only then stops walks through the mm (GCR3 cleared):
// between the two the device walks again and caches what exit_mmap is about to free.
const amdFlushThenCutOff: mmu_notifier_ops = {
  ...amd_ref,
  release(mn) {
    const ps = container_of<pasid_state>(mn);
    const d = ps.device_state;
    ps.invalid = true;
    d.iommu.iommu_queue_command(build_inv_iommu_pasid(d.domain.id, ps.pasid, 0n, true));
    d.iommu.iommu_completion_wait();
    d.iommu.iommu_queue_command(build_inv_iotlb_pasid(d.devid, ps.pasid, 0n, true));
    d.iommu.iommu_completion_wait();
    d.iommu.amd_iommu_domain_clear_gcr3(ps.pasid);
  },
};

// Intel: device-TLB descriptor before the PASID-IOTLB one, then one wait descriptor.
const intelDeviceFirst: mmu_notifier_ops = {
  ...intel_ref,
  invalidate_secondary_tlbs(mn) {
    const svm = container_of<intel_svm>(mn);
    rcu_read_lock(svm.sim);
    for (const sdev of list_for_each_entry_rcu(svm.devs)) {
      if (sdev.dev_iotlb) sdev.iommu.qi_submit(build_dev_tlb_pasid_inv_dsc_all(sdev.sid, svm.pasid, sdev.qdep));
      sdev.iommu.qi_submit(build_p_iotlb_inv_dsc_all(sdev.did, svm.pasid));
      sdev.iommu.qi_wait();
    }
    rcu_read_unlock(svm.sim);
  },
};

// OpenCAPI: launches the shootdown and reads XTS_ATSD_STAT once, as if one read were enough.
const ocxlPollOnce: mmu_notifier_ops = {
  ...ocxl_ref,
  invalidate_secondary_tlbs(mn, mm, start, end) {
    const link = container_of<pe_data>(mn).link;
    if (!link.arva) return;
    link.atsd_lock.spin_lock();
    for (let addr = start; addr < end; addr += PAGE_SIZE) {
      out_be64(link.arva, XTS_ATSD_AVA, BigInt(addr));
      out_be64(link.arva, XTS_ATSD_LAUNCH, atsd_launch_val(BigInt(mm.context_id), BigInt(addr), BigInt(PAGE_SIZE)));
      in_be64(link.arva, XTS_ATSD_STAT);
    }
    link.atsd_lock.spin_unlock();
  },
};

describe("asynchronous hardware: a wait blocks the CPU until the hardware gets there", () => {
  it("the reference drivers stay coherent with waits that really wait", () => {
    expect(verdict("munmap", amdIommuV2Driver({ iommu_mn: amd_ref }))).toBeNull();
    expect(verdict("exit", amdIommuV2Driver({ iommu_mn: amd_ref }))).toBeNull();
    expect(verdict("munmap", intelSvmDriver({ intel_mmuops: intel_ref }))).toBeNull();
    expect(verdict("cow", amdIommuV2Driver({ iommu_mn: amd_ref }))).toBeNull();
    expect(verdict("cow", intelSvmDriver({ intel_mmuops: intel_ref }))).toBeNull();
    expect(verdict("munmap", ocxlDriver({ ocxl_mmu_notifier_ops: ocxl_ref }))).toBeNull();
  });

  it("AMD release that flushes before it clears GCR3: the device walks in between", () => {
    const drv = amdIommuV2Driver({ iommu_mn: amdFlushThenCutOff });
    expect(STALE).toContain(verdict("exit", drv));
    expect(verdict("exit", drv, { asyncHardware: false })).toBeNull();
  });

  it("OpenCAPI: reading XTS_ATSD_STAT once is not waiting for the shootdown", () => {
    const drv = ocxlDriver({ ocxl_mmu_notifier_ops: ocxlPollOnce });
    expect(STALE).toContain(verdict("munmap", drv));
    expect(verdict("munmap", drv, { asyncHardware: false })).toBeNull();
  });
});

describe("the translation hierarchy: a device-TLB miss is answered from the IOMMU's TLB", () => {
  it("AMD: the device IOTLB invalidated before the IOMMU's is refilled from it", () => {
    // COW: the device reads A again while the CPU waits for the IOMMU.
    const drv = amdIommuV2Driver({ iommu_mn: amdDeviceFirst });
    expect(STALE).toContain(verdict("cow", drv));
    expect(verdict("cow", drv, { tlbHierarchy: false })).toBeNull();
    expect(verdict("cow", drv, { asyncHardware: false })).toBeNull();
  });

  it("Intel: the device-TLB descriptor before the PASID-IOTLB one lets the stale entry come back", () => {
    const drv = intelSvmDriver({ intel_mmuops: intelDeviceFirst });
    expect(STALE).toContain(verdict("cow", drv));
    expect(verdict("cow", drv, { tlbHierarchy: false })).toBeNull();
  });
});

describe("code run in a step must depend on the simulated state alone", () => {
  it("a callback steered by a module-level counter does something else when its step resumes: nondeterministic-step", () => {
    let calls = 0;
    // Every other call flushes one page instead of the whole PASID: the counter lives
    // outside the store, so a step resumed after its wait takes the other branch.
    const counting: mmu_notifier_ops = {
      ...amd_ref,
      invalidate_secondary_tlbs(mn, mm, start, end) {
        calls++;
        if (calls % 2 === 0) amd_ref.invalidate_secondary_tlbs!(mn, mm, start, start + PAGE_SIZE);
        else amd_ref.invalidate_secondary_tlbs!(mn, mm, start, end);
      },
    };
    expect(verdict("munmap", amdIommuV2Driver({ iommu_mn: counting }))).toBe("nondeterministic-step");
    // Without blocking waits no step is run twice, and the counter goes unseen.
    expect(verdict("munmap", amdIommuV2Driver({ iommu_mn: counting }), { asyncHardware: false })).not.toBe("nondeterministic-step");
  });
});
