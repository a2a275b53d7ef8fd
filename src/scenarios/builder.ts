/**
 * Shared scenario set-up: one process with anonymous memory faulted in, a device
 * bound to it through a driver, the page-request handler and the IOMMU's own agent.
 */
import { World } from "../sim/world";
import type { KernelOptions } from "../kernel/kernel";
import type { DriverSpec } from "../drivers/driver";
import type { mm_struct, vm_area_struct } from "../mm/mm";
import type { IommuModel } from "../hw/iommu";
import { DmaDevice, type DmaAccess } from "../hw/device";
import { IopfQueue } from "../kernel/iopf";
import { SwapSpace } from "../kernel/rmap";
import { userProgram } from "../kernel/memory";
import { set_entry } from "../mm/ops";
import { pfn_pte } from "../mm/pte";
import { PAGE_SIZE, hex } from "../mm/constants";
import type { ProgramBuilder } from "../sim/program";
import { EINVAL } from "../notifier/mmu_notifier";

/** Where scenario memory lives: named pages A, B, C... from this address up. */
export const BASE = 0x40000000;
export const page = (i: number): number => BASE + i * PAGE_SIZE;

export interface ScenarioParts {
  readonly w: World;
  readonly mm: mm_struct;
  readonly vma: vm_area_struct;
  readonly iommu: IommuModel;
  readonly pasid: number;
  readonly prq: IopfQueue;
  readonly swap: SwapSpace;
  /** False when binding failed (the registration was refused). */
  readonly bound: boolean;
}

export interface BaseOptions {
  readonly pages: number;
  readonly kernel?: KernelOptions;
  /** Pages left read-only and shared with a forked child (for COW). */
  readonly cowPages?: readonly number[];
  /** Extra VMA length in pages beyond the faulted-in ones. */
  readonly spare?: number;
}

/** Fault in `pages` anonymous pages at BASE, each written once by the process. */
export function baseScenario(driver: DriverSpec, o: BaseOptions): ScenarioParts {
  const w = new World({ frames: 24, ...o.kernel });
  const k = w.k;
  const mm = k.mm_alloc("proc");
  const vma = mm.add_vma(BASE, BASE + (o.pages + (o.spare ?? 0)) * PAGE_SIZE, { write: true, anon: true });
  const swap = new SwapSpace(k);
  const iommu = driver.createIommu(k);
  const pasid = 1;
  let bound = true;
  w.setup(() => {
    const child = o.cowPages?.length ? k.mm_alloc("child") : null;
    const childVma = child?.add_vma(BASE, BASE + o.pages * PAGE_SIZE, { write: true, anon: true });
    for (let i = 0; i < o.pages; i++) {
      const addr = page(i);
      const cow = o.cowPages?.includes(i) ?? false;
      const pfn = k.phys.alloc_page(mm.name);
      k.phys.write(pfn);
      mm.pgd.populate(addr, "pte");
      const ptl = mm.pgd.pte_lockptr(addr);
      ptl.spin_lock();
      set_entry(k, mm, addr, "pte", pfn_pte(pfn, { write: !cow }), "remap");
      ptl.spin_unlock();
      k.phys.page_add_rmap(pfn);
      if (cow && child && childVma) {
        // fork(): the child maps the same page read-only and holds a reference.
        child.pgd.populate(addr, "pte");
        const cptl = child.pgd.pte_lockptr(addr);
        cptl.spin_lock();
        set_entry(k, child, addr, "pte", pfn_pte(pfn, { write: false }), "remap");
        cptl.spin_unlock();
        k.phys.get_page(pfn);
        k.phys.page_add_rmap(pfn);
      }
    }
    const r = driver.bind(k, iommu, mm, pasid);
    if (r.ret !== 0) {
      bound = false;
      k.sim.report(
        "invalid-ops",
        `binding ${mm.name} failed: __mmu_notifier_register returned ${r.ret === -EINVAL ? "-EINVAL" : r.ret} (${driver.name}): a subscription implements invalidate_secondary_tlbs or invalidate_range_start/end, never both`,
      );
    }
  });
  const prq = new IopfQueue(w, swap);
  w.addAgent((simId) => ({
    name: iommu.name,
    kind: "hardware",
    simId,
    enabled: () => iommu.hasPendingWork(),
    nextLabel: () => `${iommu.name}: execute a queued command`,
    step: () => {
      const msg = iommu.doPendingWork();
      k.sim.log(() => msg);
    },
    unfinished: () => null,
  }));
  return { w, mm, vma, iommu, pasid, prq, swap, bound };
}

/** Add a device running `accesses` (nothing if the bind failed). */
export function addDevice(p: ScenarioParts, accesses: readonly DmaAccess[], name = "dev0"): DmaDevice | null {
  if (!p.bound) return null;
  const dev = new DmaDevice(p.w, name, p.iommu, p.pasid, p.mm, accesses, p.prq);
  p.prq.attach(dev);
  dev.agent = p.w.addAgent((simId) => ({
    name,
    kind: "device",
    simId,
    enabled: () => dev.enabled(),
    nextLabel: () => dev.nextLabel(),
    step: () => dev.step(),
    unfinished: () => dev.unfinished(),
  }));
  return dev;
}

export function addKernelThread(p: ScenarioParts, name: string, prog: ProgramBuilder): void {
  p.w.addThread(name, "kernel", prog.build());
}

export function addUserThread(p: ScenarioParts, name: string, cpu: number, accesses: readonly DmaAccess[], mm = p.mm): void {
  p.w.addThread(name, "user", userProgram(p.w.k, p.w.k.cpus[cpu]!, mm, accesses, name).build());
}

/**
 * Another process that allocates a page and writes to it: it gets the most recently
 * freed frame, so a stale device write lands in its data.
 */
export function addVictim(p: ScenarioParts, name = "victim"): void {
  const k = p.w.k;
  const mm = k.mm_alloc(name);
  const at = 0x70000000;
  mm.add_vma(at, at + PAGE_SIZE, { write: true, anon: true });
  addUserThread(p, name, 1, [{ op: "write", addr: at, name: "secret" }], mm);
}

export { hex };
