/**
 * The standard scenarios. Each one is a kernel path racing a device that uses the
 * same address space, sized so that exhaustive exploration finishes quickly.
 */
import type { DriverSpec } from "../drivers/driver";
import type { World } from "../sim/world";
import type { KernelOptions } from "../kernel/kernel";
import { ksmMergeProgram, type KsmMergeOptions } from "../kernel/ksm";
import type { DmaAccess } from "../hw/device";
import { baseScenario, addDevice, addKernelThread, addUserThread, addVictim, faultInPage, page, readPage, writePage, BASE } from "./builder";
import { munmapProgram } from "../kernel/munmap";
import { reclaimProgram, migrateProgram, mkcleanProgram } from "../kernel/rmap";
import { mprotectProgram } from "../kernel/mprotect";
import { splitHugePmdProgram } from "../kernel/huge_memory";
import { hugetlbWpProgram } from "../kernel/memory";
import { exitProgram } from "../kernel/exit";
import { forkProgram } from "../kernel/fork";
import { set_entry } from "../mm/ops";
import { pfn_pte, pte_pfn } from "../mm/pte";
import { PAGE_SIZE, PMD_SIZE, HPAGE_PMD_NR } from "../mm/constants";
import { sharedIommuScenarios } from "./shared-iommu";
import { rangeScenarios } from "./ranges";

export { rangeScenarios };

export interface Scenario {
  readonly name: string;
  readonly summary: string;
  build(driver: DriverSpec, kernel?: KernelOptions): World;
  /** A version whose size the user chooses (`tlbkata explore NAME --pages N --batch B`). */
  readonly scaled?: ScaledScenario;
}

/** How a scenario grows: its size parameters, their defaults and what they mean. */
export interface ScaledScenario {
  /** What --pages and --batch mean for this scenario. */
  readonly summary: string;
  readonly maxPages: number;
  /** Used for a parameter left out. */
  readonly defaults: MunmapScale;
  build(driver: DriverSpec, kernel: KernelOptions | undefined, scale: MunmapScale): World;
}

/** Parameters of a scaled scenario: pages unmapped, and the mmu_gather batch. */
export interface MunmapScale {
  /** Pages unmapped (at least 1; at most the scenario's maxPages). */
  readonly pages: number;
  /** Pages per mmu_gather batch (at least 1). */
  readonly batch: number;
  /** Accesses each device makes to its page (munmapDevices; reads; default 2). */
  readonly touches?: number;
}

/**
 * Agents are 32-bit masks in the explorer; the scaled munmap scenario adds four agents
 * of its own (the IOMMU, the page-fault handler, munmap, the victim) to the devices.
 */
export const MAX_SCALED_DEVICES = 28;

function checkScale(o: MunmapScale, maxPages: number): void {
  if (!Number.isInteger(o.pages) || o.pages < 1 || o.pages > maxPages) throw new RangeError(`pages must be an integer from 1 to ${maxPages}, got ${o.pages}`);
  if (!Number.isInteger(o.batch) || o.batch < 1) throw new RangeError(`batch must be a positive integer, got ${o.batch}`);
  const t = o.touches ?? 2;
  if (!Number.isInteger(t) || t < 1) throw new RangeError(`touches must be a positive integer, got ${t}`);
}

/**
 * munmap of `pages` pages through an mmu_gather batch of `batch`, while one device per
 * page reads its own page `touches` times. The devices never share a page, so they
 * only meet through munmap, the IOMMU and the page-fault handler: a scenario whose cost
 * grows with the number of agents, for measuring the explorer.
 */
export function munmapDevices(driver: DriverSpec, kernel: KernelOptions | undefined, o: MunmapScale): World {
  checkScale(o, MAX_SCALED_DEVICES);
  const n = o.pages;
  const touches = o.touches ?? 2;
  const p = baseScenario(driver, { pages: n, kernel: { frames: n + 8, ...kernel } });
  for (let i = 0; i < n; i++) {
    const access: DmaAccess = { op: "read", addr: page(i), name: `P${i}` };
    addDevice(p, Array.from({ length: touches }, () => access), `dev${i}`);
  }
  addKernelThread(p, "munmap", munmapProgram(p.w.k, p.vma, page(0), page(n), o.batch));
  addVictim(p);
  return p.w;
}

/** Pages a device of munmap-large can name: A to Y, with the writers' page after them. */
const MAX_LARGE_PAGES = 25;

/**
 * munmap-large at any size: munmap of `pages` pages (batch `batch`) while one device
 * reads and writes each in turn, two threads write the page after them under the same
 * PTE lock, and another process reuses freed frames.
 */
export function munmapLarge(driver: DriverSpec, kernel: KernelOptions | undefined, o: MunmapScale): World {
  checkScale(o, MAX_LARGE_PAGES);
  const n = o.pages;
  const names = Array.from({ length: n }, (_, i) => String.fromCharCode(65 + i));
  const writers = String.fromCharCode(65 + n);
  const p = baseScenario(driver, { pages: n + 1, kernel: { frames: Math.max(24, n + 10), ...kernel } });
  addDevice(p, names.map((name, i) => (i % 2 === 0 ? readPage(name) : writePage(name))));
  addKernelThread(p, "munmap", munmapProgram(p.w.k, p.vma, page(0), page(n), o.batch));
  addUserThread(p, "writer1", 1, [writePage(writers)]);
  addUserThread(p, "writer2", 1, [writePage(writers)]);
  addVictim(p);
  return p.w;
}

const A = { name: "A" };
const B = { name: "B" };

export const scenarios: readonly Scenario[] = [
  {
    name: "munmap",
    summary: "munmap of 4 pages with an mmu_gather batch of 2 that fills mid-unmap, a device reading and writing them, and another process reusing freed frames",
    build(driver, kernel) {
      const p = baseScenario(driver, { pages: 4, kernel });
      addDevice(p, [
        { op: "read", addr: page(0), ...A },
        { op: "write", addr: page(0), ...A },
      ]);
      addKernelThread(p, "munmap", munmapProgram(p.w.k, p.vma, page(0), page(4), 2));
      addVictim(p);
      return p.w;
    },
    scaled: {
      summary: "munmap of N pages through an mmu_gather batch of B, while N devices each read their own page twice",
      maxPages: MAX_SCALED_DEVICES,
      defaults: { pages: 4, batch: 4 },
      build: munmapDevices,
    },
  },
  {
    name: "reclaim",
    summary: "kswapd reclaims a page to swap (try_to_unmap_one) while a device reads and writes it",
    build(driver, kernel) {
      const p = baseScenario(driver, { pages: 1, kernel });
      addDevice(p, [
        { op: "read", addr: page(0), ...A },
        { op: "write", addr: page(0), ...A },
      ]);
      addKernelThread(p, "kswapd", reclaimProgram(p.w.k, p.vma, page(0), p.swap));
      addVictim(p);
      return p.w;
    },
  },
  {
    name: "migration",
    summary: "a page is migrated to a new frame (try_to_migrate_one) while a device reads and writes it",
    build(driver, kernel) {
      const p = baseScenario(driver, { pages: 1, kernel });
      addDevice(p, [
        { op: "read", addr: page(0), ...A },
        { op: "write", addr: page(0), ...A },
      ]);
      addKernelThread(p, "migrate", migrateProgram(p.w.k, p.vma, page(0)));
      return p.w;
    },
  },
  {
    name: "cow",
    summary: "the Documentation/mm/mmu_notifier.rst example: one thread breaks COW on A, another writes A then B, while the device reads A, B, then A again",
    build(driver, kernel) {
      const p = baseScenario(driver, { pages: 2, cowPages: [0], kernel });
      addDevice(p, [
        { op: "read", addr: page(0), ...A },
        { op: "read", addr: page(1), ...B },
        { op: "read", addr: page(0), ...A },
      ]);
      // One thread breaks COW on A; another writes A (through the new page, as soon
      // as the ptl is dropped) and then B.
      addUserThread(p, "cow-fault", 0, [{ op: "write", addr: page(0), ...A }]);
      addUserThread(p, "writer", 1, [
        { op: "write", addr: page(0), ...A },
        { op: "write", addr: page(1), ...B },
      ]);
      return p.w;
    },
  },
  {
    name: "mprotect",
    summary: "mprotect(PROT_READ) of two pages (change_protection) while a device writes them",
    build(driver, kernel) {
      const p = baseScenario(driver, { pages: 2, kernel });
      addDevice(p, [
        { op: "write", addr: page(0), ...A },
        { op: "write", addr: page(1), ...B },
        { op: "write", addr: page(0), ...A },
      ]);
      addKernelThread(p, "mprotect", mprotectProgram(p.w.k, p.vma, page(0), page(2)));
      return p.w;
    },
  },
  {
    name: "mprotect-huge",
    summary: "mprotect(PROT_READ) of a 4 MiB range (1024 pages; A, B and the last one in use, so the gathered flush spans them all) while a device writes: a huge invalidation range; with the v6.6 model it becomes (0, ULONG_MAX)",
    build(driver, kernel) {
      const p = baseScenario(driver, { pages: 2, spare: 2 * HPAGE_PMD_NR - 2, kernel });
      // The mmu_gather flushes what changed: with the last page in use, all 1024 pages.
      p.w.setup(() => void faultInPage(p.w.k, p.mm, page(2 * HPAGE_PMD_NR - 1)));
      addDevice(p, [
        { op: "write", addr: page(0), ...A },
        { op: "write", addr: page(1), ...B },
      ]);
      addKernelThread(p, "mprotect", mprotectProgram(p.w.k, p.vma, page(0), page(2 * HPAGE_PMD_NR)));
      return p.w;
    },
  },
  {
    name: "mkclean",
    summary: "writeback write-protects a dirty page (page_vma_mkclean_one) while a device writes it",
    build(driver, kernel) {
      const p = baseScenario(driver, { pages: 1, kernel });
      addDevice(p, [
        { op: "write", addr: page(0), ...A },
        { op: "write", addr: page(0), ...A },
      ]);
      addKernelThread(p, "writeback", mkcleanProgram(p.w.k, p.vma, page(0)));
      return p.w;
    },
  },
  {
    name: "ksm-merge",
    summary: "ksmd merges page A into a KSM page with the same content (write_protect_page, then replace_page) while a device reads A, and another process reuses the freed frame",
    build: (driver, kernel) => ksmMergeWorld(driver, kernel),
  },
  {
    name: "thp-split",
    summary: "a 2 MiB THP is split into PTEs, then one 4 KiB page of it is unmapped, while the device holds a 2 MiB translation",
    build(driver, kernel) {
      const p = baseScenario(driver, { pages: 0, spare: HPAGE_PMD_NR, kernel });
      const k = p.w.k;
      const at = BASE; // BASE is 2 MiB aligned
      p.w.setup(() => {
        const head = k.alloc_huge_page(HPAGE_PMD_NR, p.mm.name);
        k.phys.write(head);
        k.phys.write(head + 1);
        p.mm.pgd.populate(at, "pmd");
        const l = p.mm.pgd.pmd_lockptr(at);
        l.spin_lock();
        set_entry(k, p.mm, at, "pmd", pfn_pte(head, { write: true, huge: true }), "remap");
        l.spin_unlock();
        k.phys.page_add_rmap(head);
      });
      addDevice(p, [
        { op: "read", addr: at, ...A },
        { op: "write", addr: at + PAGE_SIZE, ...B },
        { op: "read", addr: at + PAGE_SIZE, ...B },
      ]);
      const prog = splitHugePmdProgram(k, p.vma, at).append(munmapProgram(k, p.vma, at + PAGE_SIZE, at + 2 * PAGE_SIZE, 2, "munmap"));
      addKernelThread(p, "split+munmap", prog);
      addVictim(p);
      return p.w;
    },
  },
  {
    name: "hugetlb-cow",
    summary: "hugetlb_wp breaks COW on a 2 MiB hugetlb page shared with a child while a device reads it",
    build(driver, kernel) {
      const p = baseScenario(driver, { pages: 0, spare: HPAGE_PMD_NR, kernel });
      const k = p.w.k;
      const at = BASE;
      let reserved = 0;
      p.w.setup(() => {
        const head = k.alloc_huge_page(HPAGE_PMD_NR, p.mm.name);
        k.phys.write(head);
        k.phys.get_page(head); // the child's mapping
        p.mm.pgd.populate(at, "pmd");
        const l = p.mm.pgd.pmd_lockptr(at);
        l.spin_lock();
        set_entry(k, p.mm, at, "pmd", pfn_pte(head, { write: false, huge: true }), "remap");
        l.spin_unlock();
        reserved = k.alloc_huge_page(HPAGE_PMD_NR, "hugetlb pool");
        k.phys.put_page(reserved, HPAGE_PMD_NR);
      });
      addDevice(p, [
        { op: "read", addr: at, ...A },
        { op: "read", addr: at, ...A },
      ]);
      addKernelThread(p, "hugetlb_wp", hugetlbWpProgram(k, p.vma, at, reserved));
      return p.w;
    },
  },
  {
    name: "fork",
    summary: "fork() write-protects the parent's page A for COW (copy_page_range), range_end, then flush_tlb_mm (in v6.6: (0, ULONG_MAX)); the device writes A while a parent thread writes A, breaking COW",
    build(driver, kernel) {
      const p = baseScenario(driver, { pages: 1, kernel });
      const k = p.w.k;
      const child = k.mm_alloc("child");
      child.add_vma(p.vma.vm_start, p.vma.vm_end, { write: true, anon: true });
      addDevice(p, [
        { op: "write", addr: page(0), ...A },
        { op: "write", addr: page(0), ...A },
      ]);
      addKernelThread(p, "fork", forkProgram(k, p.vma, child));
      addUserThread(p, "parent", 0, [{ op: "write", addr: page(0), ...A }]);
      return p.w;
    },
  },
  {
    name: "exit",
    summary: "the process exits (exit_mmap: release, then zap and free) while the device is still working on its memory",
    build(driver, kernel) {
      const p = baseScenario(driver, { pages: 2, kernel });
      addDevice(p, [
        { op: "read", addr: page(0), ...A },
        { op: "write", addr: page(1), ...B },
      ]);
      addKernelThread(p, "exit", exitProgram(p.w.k, p.mm, 2));
      addVictim(p);
      return p.w;
    },
  },
  ...sharedIommuScenarios,
];

/**
 * The ksm-merge scenario: the process's page A, written once; a stable KSM page with
 * the same content; a device reading A three times (reads only: a device write to the
 * merged page would fault and break COW, another path); ksmd merging A; and a victim
 * process that gets the frame A leaves. `ksm` is passed to ksmd's program: tests use
 * putBeforeRangeEnd, a wrong order, to show what the kernel's order protects.
 */
export function ksmMergeWorld(driver: DriverSpec, kernel?: KernelOptions, ksm: Omit<KsmMergeOptions, "name"> = {}): World {
  const p = baseScenario(driver, { pages: 1, kernel });
  const k = p.w.k;
  let kpage = 0;
  p.w.setup(() => {
    // Another process's copy of A was merged first: the KSM page is mapped there (that
    // mapping, not modelled, holds its reference). Frame contents are write ids, so
    // "the same content" is a copy of A (write #1): pages_identical() compares equal,
    // and a device that reads either page reads write #1.
    kpage = k.phys.alloc_page("ksm");
    k.phys.copy(kpage, pte_pfn(p.mm.pgd.get_pte(page(0))));
    k.phys.page_add_rmap(kpage);
  });
  addDevice(p, [readPage("A"), readPage("A"), readPage("A")]);
  addKernelThread(p, "ksmd", ksmMergeProgram(k, p.vma, page(0), kpage, ksm));
  addVictim(p);
  return p.w;
}

/**
 * Larger races built from the same kernel paths: more device accesses and more
 * threads, so exhaustive exploration visits hundreds of thousands of states. They
 * measure the explorer's sustained throughput (`npm run bench`) and stay out of the
 * standard list, which every driver is proven against in the tests.
 */
export const largeScenarios: readonly Scenario[] = [
  {
    name: "munmap-large",
    summary: "munmap of 8 pages (mmu_gather batch of 2) while a device reads and writes each of them, two threads write a ninth page under the same PTE lock, and another process reuses freed frames",
    build: (driver, kernel) => munmapLarge(driver, kernel, { pages: 8, batch: 2 }),
    scaled: {
      summary: "munmap of N pages through an mmu_gather batch of B, while one device reads and writes each in turn",
      maxPages: MAX_LARGE_PAGES,
      defaults: { pages: 8, batch: 2 },
      build: munmapLarge,
    },
  },
  {
    name: "cow-large",
    summary: "A and B both shared with a child after fork: one thread breaks COW on A, another writes A then B, a third writes B, while the device reads A then B",
    build(driver, kernel) {
      const p = baseScenario(driver, { pages: 2, cowPages: [0, 1], kernel });
      addDevice(p, [readPage("A"), readPage("B")]);
      addUserThread(p, "cow-fault", 0, [writePage("A")]);
      addUserThread(p, "writer", 1, [writePage("A"), writePage("B")]);
      addUserThread(p, "writer2", 1, [writePage("B")]);
      return p.w;
    },
  },
];

/** Every scenario the command line knows: the standard ones, the large ones, then the 64-bit ranges. */
export const allScenarios: readonly Scenario[] = [...scenarios, ...largeScenarios, ...rangeScenarios];

/** A standard or large scenario by name. */
export function findScenario(name: string): Scenario | undefined {
  return allScenarios.find((s) => s.name === name);
}

export { PMD_SIZE };
export { sharedIommuScenarios, addBoundProcess, withIdSeed } from "./shared-iommu";
