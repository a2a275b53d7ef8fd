/**
 * Shared scenario set-up: one process with anonymous memory faulted in, a device
 * bound to it through a driver, the page-request handler and the IOMMU's own agent.
 */
import { World } from "../sim/world";
import type { Kernel, KernelOptions } from "../kernel/kernel";
import type { DriverSpec } from "../drivers/driver";
import type { mm_struct, vm_area_struct } from "../mm/mm";
import type { IommuModel } from "../hw/iommu";
import { DmaDevice, type DmaAccess } from "../hw/device";
import { IopfQueue } from "../kernel/iopf";
import { SwapSpace } from "../kernel/rmap";
import { userProgram } from "../kernel/memory";
import { munmapProgram } from "../kernel/munmap";
import { set_entry, entry_lock } from "../mm/ops";
import { pfn_pte } from "../mm/pte";
import type { Level } from "../mm/pgtable";
import { PAGE_SIZE, hex } from "../mm/constants";
import type { ProgramBuilder } from "../sim/program";
import { EINVAL } from "../notifier/mmu_notifier";
import { nextId } from "../kernel/ids";

/** Where scenario memory lives: named pages A, B, C... from this address up. */
export const BASE = 0x40000000;
export const page = (i: number): number => BASE + i * PAGE_SIZE;

/** The address of the page named by a letter: "A" is page(0), "B" page(1), and so on. */
export function namedPage(name: string): number {
  if (!/^[A-Z]$/.test(name)) throw new RangeError(`a page is named by one capital letter, not "${name}"`);
  return page(name.charCodeAt(0) - "A".charCodeAt(0));
}
/** A read of the named page, by a device or a user thread; traces call it by that name. */
export const readPage = (name: string): DmaAccess => ({ op: "read", addr: namedPage(name), name });
/** A write of the named page, by a device or a user thread; traces call it by that name. */
export const writePage = (name: string): DmaAccess => ({ op: "write", addr: namedPage(name), name });

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
  /** The VMA as [start, end) instead of from BASE (a huge, sparsely used one). */
  readonly vma?: readonly [number, number];
  /** Addresses faulted in besides the `pages` pages at BASE. */
  readonly present?: readonly number[];
}

/** Fault in `pages` anonymous pages at BASE, each written once by the process. */
export function baseScenario(driver: DriverSpec, o: BaseOptions): ScenarioParts {
  const w = new World({ frames: 24, ...o.kernel });
  const k = w.k;
  const mm = k.mm_alloc("proc");
  const [vmStart, vmEnd] = o.vma ?? [BASE, BASE + (o.pages + (o.spare ?? 0)) * PAGE_SIZE];
  const vma = mm.add_vma(vmStart, vmEnd, { write: true, anon: true });
  const swap = new SwapSpace(k);
  const iommu = driver.createIommu(k);
  const pasid = (mm.pasid = nextId(k.sim, "pasid", 1));
  let bound = true;
  w.setup(() => {
    const child = o.cowPages?.length ? k.mm_alloc("child") : null;
    child?.add_vma(BASE, BASE + o.pages * PAGE_SIZE, { write: true, anon: true });
    for (let i = 0; i < o.pages; i++) {
      const addr = page(i);
      const cow = o.cowPages?.includes(i) ?? false;
      const pfn = faultInPage(k, mm, addr, !cow);
      if (cow && child) {
        // fork(): the child maps the same page read-only and holds a reference.
        setupEntry(k, child, addr, "pte", pfn, false);
        k.phys.get_page(pfn);
        k.phys.page_add_rmap(pfn);
      }
    }
    for (const addr of o.present ?? []) faultInPage(k, mm, addr);
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
  addIommuAgent(w, iommu);
  return { w, mm, vma, iommu, pasid, prq, swap, bound };
}

/**
 * Point the `level` entry for `addr` at `pfn` (a huge mapping above the PTE level),
 * under the lock that guards it, making the page tables above it first. For set-up
 * code: kernel paths change entries with the steps in kernel/.
 */
export function setupEntry(k: Kernel, mm: mm_struct, addr: number, level: Level, pfn: number, write: boolean): void {
  mm.pgd.populate(addr, level);
  const lock = entry_lock(mm, addr, level);
  lock.spin_lock();
  set_entry(k, mm, addr, level, pfn_pte(pfn, { write, huge: level !== "pte" }), "remap");
  lock.spin_unlock();
}

/** Fault in one anonymous page of `mm` at `addr`, written once by the process (set-up). Returns its pfn. */
export function faultInPage(k: Kernel, mm: mm_struct, addr: number, write = true): number {
  const pfn = k.phys.alloc_page(mm.name);
  k.phys.write(pfn);
  setupEntry(k, mm, addr, "pte", pfn, write);
  k.phys.page_add_rmap(pfn);
  return pfn;
}

/** The IOMMU as an agent of its own: it executes the commands queued to it whenever it gets there. */
export function addIommuAgent(w: World, iommu: IommuModel): void {
  w.addAgent((simId) => ({
    name: iommu.name,
    kind: "hardware",
    simId,
    enabled: () => iommu.hasPendingWork(),
    nextLabel: () => iommu.nextWork(),
    step: () => {
      const msg = iommu.doPendingWork();
      w.k.sim.log(() => msg);
    },
    unfinished: () => null,
  }));
}

/** Add a device running `accesses` behind `iommu` (the scenario's own by default); nothing if the bind failed. */
export function addDevice(p: ScenarioParts, accesses: readonly DmaAccess[], name = "dev0", iommu = p.iommu): DmaDevice | null {
  if (!p.bound) return null;
  const dev = new DmaDevice(p.w, name, iommu, p.pasid, p.mm, accesses, p.prq);
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

/** A munmap racing a device: see munmapWorld. */
export interface MunmapWorldOptions {
  /** Pages faulted in at BASE: A, B, C... */
  readonly pages: number;
  /** What the device does meanwhile. */
  readonly device: readonly DmaAccess[];
  /** munmap of pages [from, to), with an mmu_gather batch of `batch` pages. */
  readonly munmap: { readonly from: number; readonly to: number; readonly batch: number };
}

/**
 * The process's pages, the device, the munmap thread, and a victim process that
 * allocates a page afterwards (it gets the frame freed last). `more` adds agents
 * after the device and before munmap: another device, a CPU thread.
 */
export function munmapWorld(driver: DriverSpec, kernel: KernelOptions | undefined, o: MunmapWorldOptions, more?: (p: ScenarioParts) => void): World {
  const p = baseScenario(driver, { pages: o.pages, kernel });
  addDevice(p, o.device);
  more?.(p);
  addKernelThread(p, "munmap", munmapProgram(p.w.k, p.vma, page(o.munmap.from), page(o.munmap.to), o.munmap.batch));
  addVictim(p);
  return p.w;
}

export { hex };
