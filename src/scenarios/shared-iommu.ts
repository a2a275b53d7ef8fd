/**
 * Two address spaces bound to one IOMMU (one SMMU, one VT-d unit, one OpenCAPI link).
 * The second process maps the same virtual addresses as the first, so only the
 * identifier a driver names (PASID, ASID, PID) tells their cached translations apart:
 * an invalidation sent for the other process, or for a fixed number, leaves the right
 * entry cached while its page is freed.
 */
import type { DriverSpec } from "../drivers/driver";
import type { KernelOptions } from "../kernel/kernel";
import type { World } from "../sim/world";
import { baseScenario, addDevice, addKernelThread, addVictim, faultInPage, page, readPage, writePage, BASE, type ScenarioParts } from "./builder";
import { munmapProgram } from "../kernel/munmap";
import { nextId } from "../kernel/ids";
import { EINVAL } from "../notifier/mmu_notifier";
import { PAGE_SIZE } from "../mm/constants";
import type { Scenario } from "./index";

/**
 * Another process, `name`, with `pages` anonymous pages faulted in at BASE, bound
 * through `driver` to the scenario's IOMMU under a PASID of its own (`oldPasid` when
 * distinct ids are off). Returns its parts: add devices and kernel threads with them
 * as with the first process's. Nothing is bound when the first bind failed.
 */
export function addBoundProcess(p: ScenarioParts, driver: DriverSpec, name: string, pages: number, oldPasid = 2): ScenarioParts {
  const k = p.w.k;
  const mm = k.mm_alloc(name);
  const vma = mm.add_vma(BASE, BASE + pages * PAGE_SIZE, { write: true, anon: true });
  const pasid = (mm.pasid = nextId(k.sim, "pasid", oldPasid));
  let bound = p.bound;
  p.w.setup(() => {
    for (let i = 0; i < pages; i++) faultInPage(k, mm, page(i));
    if (!bound) return;
    const r = driver.bind(k, p.iommu, mm, pasid);
    if (r.ret !== 0) {
      bound = false;
      k.sim.report("invalid-ops", `binding ${mm.name} failed: __mmu_notifier_register returned ${r.ret === -EINVAL ? "-EINVAL" : r.ret} (${driver.name})`);
    }
  });
  return { ...p, mm, vma, pasid, bound };
}

/**
 * munmap of page A in the second process while the device has A cached through both
 * processes' contexts; another process then reuses the freed frame.
 */
export function sharedIommuMunmap(driver: DriverSpec, kernel?: KernelOptions): World {
  const p = baseScenario(driver, { pages: 1, kernel });
  const p2 = addBoundProcess(p, driver, "proc2", 1);
  addDevice(p, [readPage("A")], "dev0.proc");
  addDevice(p2, [{ ...readPage("A"), name: "A'" }, { ...writePage("A"), name: "A'" }], "dev0.proc2");
  addKernelThread(p2, "munmap", munmapProgram(p.w.k, p2.vma, page(0), page(1), 1));
  addVictim(p);
  return p.w;
}

export const sharedIommuScenarios: readonly Scenario[] = [
  {
    name: "shared-iommu",
    summary:
      "two processes bound to one IOMMU map the same address: the second unmaps its page A while the device holds A through both contexts, and another process reuses the frame: only the right PASID/ASID/PID invalidates it",
    build: sharedIommuMunmap,
  },
];
