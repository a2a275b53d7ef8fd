/**
 * Kata 07's own scenarios, beside the standard ones: ranges that are not naturally
 * aligned (the standard scenarios only ever invalidate aligned ones), two devices
 * behind two VT-d units bound to one mm, and DMA that arrives after the mm is gone.
 */
import {
  baseScenario,
  addDevice,
  addKernelThread,
  addVictim,
  page,
  munmapProgram,
  exitProgram,
  DmaDevice,
  type Scenario,
  type DriverSpec,
  type KernelOptions,
  type ScenarioParts,
  type IommuModel,
  type DmaAccess,
} from "tlbkata";

/** Another VT-d unit with its own ATS device, bound to the same mm (a second intel_svm_dev). */
function addSecondUnit(p: ScenarioParts, driver: DriverSpec, accesses: readonly DmaAccess[]): IommuModel {
  const k = p.w.k;
  const io = driver.createIommu(k);
  let bound = p.bound;
  if (bound) p.w.setup(() => (bound = driver.bind(k, io, p.mm, p.pasid).ret === 0));
  p.w.addAgent((simId) => ({
    name: io.name,
    kind: "hardware",
    simId,
    enabled: () => io.hasPendingWork(),
    nextLabel: () => `${io.name}: execute a queued command`,
    step: () => {
      const msg = io.doPendingWork();
      k.sim.log(() => msg);
    },
    unfinished: () => null,
  }));
  if (bound) {
    const dev = new DmaDevice(p.w, "dev1", io, p.pasid, p.mm, accesses, p.prq);
    p.prq.attach(dev);
    dev.agent = p.w.addAgent((simId) => ({
      name: dev.name,
      kind: "device",
      simId,
      enabled: () => dev.enabled(),
      nextLabel: () => dev.nextLabel(),
      step: () => dev.step(),
      unfinished: () => dev.unfinished(),
    }));
  }
  return io;
}

/**
 * munmap of pages 3, 4 and 5 (three pages from an odd page) with an mmu_gather batch
 * of 2: the batch fills after pages 3 and 4, so [3, 5) is flushed and freed mid-unmap,
 * then [5, 6); range_end sees all of [3, 6). Neither [3, 5) nor [3, 6) is a naturally
 * aligned power-of-two block. The device has read every page of the range first.
 */
export const munmapUnaligned: Scenario = {
  name: "munmap-unaligned",
  summary: "munmap of pages 3-5 (batch of 2) while the device holds translations for every one of them",
  build(driver: DriverSpec, kernel?: KernelOptions) {
    const p = baseScenario(driver, { pages: 8, kernel });
    addDevice(p, [
      { op: "read", addr: page(3), name: "D" },
      { op: "read", addr: page(4), name: "E" },
      { op: "read", addr: page(5), name: "F" },
    ]);
    addKernelThread(p, "munmap", munmapProgram(p.w.k, p.vma, page(3), page(6), 2));
    addVictim(p);
    return p.w;
  },
};

/** munmap of pages 1-2 of 4 while the device reads them: a two-page range at an odd page. */
export const munmapOddPair: Scenario = {
  name: "munmap-odd-pair",
  summary: "munmap of pages 1-2 (one batch) while the device reads both",
  build(driver: DriverSpec, kernel?: KernelOptions) {
    const p = baseScenario(driver, { pages: 4, kernel });
    addDevice(p, [
      { op: "read", addr: page(1), name: "B" },
      { op: "read", addr: page(2), name: "C" },
    ]);
    addKernelThread(p, "munmap", munmapProgram(p.w.k, p.vma, page(1), page(3), 4));
    addVictim(p);
    return p.w;
  },
};

/** Two devices behind two VT-d units share one mm: both are on svm->devs. */
export const twoDevices: Scenario = {
  name: "munmap-two-devices",
  summary: "munmap of 2 pages while two devices, behind two VT-d units, each read one of them",
  build(driver: DriverSpec, kernel?: KernelOptions) {
    const p = baseScenario(driver, { pages: 2, kernel });
    addDevice(p, [{ op: "read", addr: page(0), name: "A" }]);
    addSecondUnit(p, driver, [{ op: "read", addr: page(1), name: "B" }]);
    addKernelThread(p, "munmap", munmapProgram(p.w.k, p.vma, page(0), page(2), 2));
    addVictim(p);
    return p.w;
  },
};

/** The process exits first; the device, not told to stop, then tries DMA with the dead PASID. */
export const exitThenDma: Scenario = {
  name: "exit-then-dma",
  summary: "the process exits (release, zap, free), then its device still issues DMA with the PASID",
  build(driver: DriverSpec, kernel?: KernelOptions) {
    const p = baseScenario(driver, { pages: 2, kernel });
    // Added before the device: a straight run lets exit finish first.
    addKernelThread(p, "exit", exitProgram(p.w.k, p.mm, 2));
    addDevice(p, [
      { op: "read", addr: page(0), name: "A" },
      { op: "write", addr: page(1), name: "B" },
    ]);
    return p.w;
  },
};
