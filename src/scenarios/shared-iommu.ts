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
 * munmap of page A in one of the two processes (`unmapper`: 0 the first bound, 1 the
 * second) while the device holds A through both processes' contexts and writes it
 * through the unmapping one; another process then reuses the freed frame. Both
 * choices exist so that a driver always naming the first bound process, or always
 * the newest, is caught.
 */
export function sharedIommuMunmap(driver: DriverSpec, kernel: KernelOptions | undefined, unmapper: 0 | 1): World {
  const p = baseScenario(driver, { pages: 1, kernel });
  const p2 = addBoundProcess(p, driver, "proc2", 1);
  const [mine, other] = unmapper === 0 ? [p, p2] : [p2, p];
  const name = (q: ScenarioParts) => (q === p ? "A" : "A'");
  addDevice(other, [{ ...readPage("A"), name: name(other) }], `dev0.${other.mm.name}`);
  addDevice(mine, [{ ...readPage("A"), name: name(mine) }, { ...writePage("A"), name: name(mine) }], `dev0.${mine.mm.name}`);
  addKernelThread(mine, "munmap", munmapProgram(p.w.k, mine.vma, page(0), page(1), 1));
  addVictim(p);
  return p.w;
}

export const sharedIommuScenarios: readonly Scenario[] = [
  {
    name: "shared-iommu",
    summary:
      "two processes bound to one IOMMU map the same address; the second one bound unmaps its page A while the device holds A through both contexts, and another process reuses the frame: only the right PASID/ASID/PID invalidates it",
    build: (driver, kernel) => sharedIommuMunmap(driver, kernel, 1),
  },
  {
    name: "shared-iommu-first",
    summary: "shared-iommu, with the first process bound doing the munmap: a driver that always names the newest binding is caught here",
    build: (driver, kernel) => sharedIommuMunmap(driver, kernel, 0),
  },
];

/**
 * `s` with its identifiers drawn from `seed` (model.idSeed): the same scenario, other
 * PASIDs, ASIDs, domain ids, requester ids and context ids, the same for the same seed.
 * A test that runs a driver on several seeds cannot be passed by numbers written in.
 */
export function withIdSeed(s: Scenario, seed: number): Scenario {
  const seeded = (kernel?: KernelOptions): KernelOptions => ({ ...kernel, model: { ...kernel?.model, idSeed: seed } });
  return {
    ...s,
    summary: `${s.summary} (identifiers drawn from seed ${seed})`,
    build: (driver, kernel) => s.build(driver, seeded(kernel)),
    scaled: s.scaled && { ...s.scaled, build: (driver, kernel, scale) => s.scaled!.build(driver, seeded(kernel), scale) },
  };
}
