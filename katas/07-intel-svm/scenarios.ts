/**
 * Kata 07's own scenarios, beside the standard ones: ranges that are not naturally
 * aligned (the standard scenarios only ever invalidate aligned ones), two devices
 * behind two VT-d units bound to one mm, and DMA that arrives after the mm is gone.
 * The munmap ones are built by munmapWorld: the process's pages, the device, the
 * munmap thread, and another process that allocates afterwards (it gets a freed frame).
 */
import {
  baseScenario,
  addDevice,
  addIommuAgent,
  addKernelThread,
  munmapWorld,
  readPage,
  writePage,
  exitProgram,
  reclaimProgram,
  addVictim,
  page,
  type Scenario,
  type DriverSpec,
  type ScenarioParts,
  type IommuModel,
  type DmaAccess,
} from "tlbkata";

/** Another VT-d unit with its own ATS device, bound to the same mm (a second intel_svm_dev). */
function addSecondUnit(p: ScenarioParts, driver: DriverSpec, accesses: readonly DmaAccess[]): IommuModel {
  const io = driver.createIommu(p.w.k);
  let bound = p.bound;
  if (bound) p.w.setup(() => (bound = driver.bind(p.w.k, io, p.mm, p.pasid).ret === 0));
  addIommuAgent(p.w, io);
  if (bound) addDevice(p, accesses, "dev1", io);
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
  build: (driver, kernel) =>
    munmapWorld(driver, kernel, { pages: 8, device: [readPage("D"), readPage("E"), readPage("F")], munmap: { from: 3, to: 6, batch: 2 } }),
};

/** munmap of pages 1-2 of 4 while the device reads them: a two-page range at an odd page. */
export const munmapOddPair: Scenario = {
  name: "munmap-odd-pair",
  summary: "munmap of pages 1-2 (one batch) while the device reads both",
  build: (driver, kernel) => munmapWorld(driver, kernel, { pages: 4, device: [readPage("B"), readPage("C")], munmap: { from: 1, to: 3, batch: 4 } }),
};

/** Two devices behind two VT-d units share one mm: both are on svm->devs. */
export const twoDevices: Scenario = {
  name: "munmap-two-devices",
  summary: "munmap of 2 pages while two devices, behind two VT-d units, each read one of them",
  build: (driver, kernel) =>
    munmapWorld(driver, kernel, { pages: 2, device: [readPage("A")], munmap: { from: 0, to: 2, batch: 2 } }, (p) =>
      addSecondUnit(p, driver, [readPage("B")]),
    ),
};

/** The process exits first; the device, not told to stop, then tries DMA with the dead PASID. */
export const exitThenDma: Scenario = {
  name: "exit-then-dma",
  summary: "the process exits (release, zap, free), then its device still issues DMA with the PASID",
  build(driver, kernel) {
    const p = baseScenario(driver, { pages: 2, kernel });
    // Added before the device: a straight run lets exit finish first.
    addKernelThread(p, "exit", exitProgram(p.w.k, p.mm, 2));
    addDevice(p, [readPage("A"), writePage("B")]);
    return p.w;
  },
};

/**
 * kswapd reclaims A to swap with TTU_BATCH_FLUSH (the CPU flush is deferred) while the
 * device reads and writes A. On x86 in v6.6, arch_tlbbatch_add_pending tells
 * secondary TLBs (0, -1UL) under the ptl.
 */
export const reclaimBatched: Scenario = {
  name: "reclaim-batched",
  summary: "kswapd reclaims A to swap with a batched (deferred) TLB flush while the device reads and writes A",
  build(driver, kernel) {
    const p = baseScenario(driver, { pages: 1, kernel });
    addDevice(p, [readPage("A"), writePage("A")]);
    addKernelThread(p, "kswapd", reclaimProgram(p.w.k, p.vma, page(0), p.swap, "swap", "kswapd", { batched: true }));
    addVictim(p);
    return p.w;
  },
};
