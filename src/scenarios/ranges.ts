/**
 * Scenarios with 64-bit addresses and big, sparse worlds. The standard scenarios live
 * at 1 GiB with VMAs exactly as large as the pages in use, so a driver that computes
 * with JavaScript's 32-bit bitwise operators, or flushes the whole VMA instead of the
 * range, cannot be told from a correct one there. These put the pages above 2 GiB
 * (where `x | 0` turns negative), above 4 GiB (where it wraps to a small address), at
 * the top of x86-64's user space (TASK_SIZE_MAX, 0x7fff_ffff_f000), spread them over
 * ranges of 2 GiB and more with only a few pages present, size ranges just below and
 * above the power-of-two thresholds drivers test, and send (0, ULONG_MAX) under the
 * ptl. Each VMA is larger than the range invalidated, and the device also uses a page
 * outside the range, so a flush of more than the range shows (it drops that translation
 * and costs commands).
 */
import type { DriverSpec } from "../drivers/driver";
import type { KernelOptions } from "../kernel/kernel";
import type { World } from "../sim/world";
import type { DmaAccess } from "../hw/device";
import type { Scenario } from "./index";
import { baseScenario, addDevice, addKernelThread, addVictim, hex } from "./builder";
import { munmapProgram } from "../kernel/munmap";
import { mprotectProgram } from "../kernel/mprotect";
import { reclaimProgram } from "../kernel/rmap";
import { PAGE_SIZE, PMD_SIZE, TASK_SIZE_MAX } from "../mm/constants";

const GiB = 2 ** 30;
/** The first byte past x86-64's user space, 0x7fff_ffff_f000. */
const USER_END = TASK_SIZE_MAX;
/** x86-64's last user page. */
const LAST_PAGE = USER_END - PAGE_SIZE;

const read = (addr: number, name: string): DmaAccess => ({ op: "read", addr, name });
const write = (addr: number, name: string): DmaAccess => ({ op: "write", addr, name });

interface RangeWorld {
  /** The process's one VMA, [start, end). */
  readonly vma: readonly [number, number];
  /** The pages faulted in: all the VMA holds. */
  readonly present: readonly number[];
  readonly device: readonly DmaAccess[];
}

/** munmap of [from, to) (mmu_gather batch `batch`) in a sparse VMA, while the device works, and a process reusing frames. */
function munmapIn(o: RangeWorld & { readonly from: number; readonly to: number; readonly batch: number }) {
  return (driver: DriverSpec, kernel?: KernelOptions): World => {
    const p = baseScenario(driver, { pages: 0, vma: o.vma, present: o.present, kernel });
    addDevice(p, o.device);
    addKernelThread(p, "munmap", munmapProgram(p.w.k, p.vma, o.from, o.to, o.batch));
    addVictim(p);
    return p.w;
  };
}

/** mprotect(PROT_READ) of [from, to) in a sparse VMA while the device writes. */
function mprotectIn(o: RangeWorld & { readonly from: number; readonly to: number }) {
  return (driver: DriverSpec, kernel?: KernelOptions): World => {
    const p = baseScenario(driver, { pages: 0, vma: o.vma, present: o.present, kernel });
    addDevice(p, o.device);
    addKernelThread(p, "mprotect", mprotectProgram(p.w.k, p.vma, o.from, o.to));
    return p.w;
  };
}

/**
 * mprotect of `n` pages from `at`, with the device writing the first and the last page
 * of the range and reading the page just after it, in a VMA one PMD longer than the
 * range: a range of exactly `n` pages reaches the driver (from range_end in the RFC model).
 */
function mprotectPages(n: number, at: number, why: string): Scenario {
  const last = at + (n - 1) * PAGE_SIZE;
  const after = at + n * PAGE_SIZE;
  return {
    name: `mprotect-${n}`,
    summary: `mprotect(PROT_READ) of ${n === 1 ? "1 page" : `${n} pages`} at ${hex(at)} (${why}) while the device writes ${n === 1 ? "it" : "the first and last of them"} and reads the page after the range`,
    build: mprotectIn({
      vma: [at, after + PMD_SIZE],
      present: [at, last, after],
      device: [write(last, "Y"), write(at, "A"), read(after, "Z")],
      from: at,
      to: after,
    }),
  };
}

export const rangeScenarios: readonly Scenario[] = [
  {
    name: "munmap-above-2g",
    summary: "munmap of 2 pages at 2 GiB (0x80000000: negative after `| 0`) in a 1 GiB VMA, flushed page by page (batch of 1), the device reading and writing the second and reading the VMA's last page",
    build: munmapIn({
      vma: [2 * GiB, 3 * GiB],
      present: [2 * GiB, 2 * GiB + PAGE_SIZE, 3 * GiB - PAGE_SIZE],
      device: [read(2 * GiB + PAGE_SIZE, "B"), write(2 * GiB + PAGE_SIZE, "B"), read(3 * GiB - PAGE_SIZE, "Z")],
      from: 2 * GiB,
      to: 2 * GiB + 2 * PAGE_SIZE,
      batch: 1,
    }),
  },
  {
    name: "munmap-above-4g",
    summary: "munmap of 2 pages at 4 GiB + 4 KiB (0x1000 after `| 0`) in a 1 GiB VMA, flushed page by page (batch of 1), the device reading and writing the second and reading the VMA's last page",
    build: munmapIn({
      vma: [4 * GiB, 5 * GiB],
      present: [4 * GiB + PAGE_SIZE, 4 * GiB + 2 * PAGE_SIZE, 5 * GiB - PAGE_SIZE],
      device: [read(4 * GiB + 2 * PAGE_SIZE, "C"), write(4 * GiB + 2 * PAGE_SIZE, "C"), read(5 * GiB - PAGE_SIZE, "Z")],
      from: 4 * GiB + PAGE_SIZE,
      to: 4 * GiB + 3 * PAGE_SIZE,
      batch: 1,
    }),
  },
  {
    name: "munmap-4g-span",
    summary: "munmap of [4 GiB, 8 GiB + 4 KiB) (2^20 + 1 pages, two present: one flush of the whole span) while the device reads and writes the last page; in 32 bits the span looks like one page",
    build: munmapIn({
      vma: [4 * GiB, 8 * GiB + PMD_SIZE],
      present: [4 * GiB, 8 * GiB, 8 * GiB + PAGE_SIZE],
      device: [read(8 * GiB, "E"), write(8 * GiB, "E"), read(8 * GiB + PAGE_SIZE, "Z")],
      from: 4 * GiB,
      to: 8 * GiB + PAGE_SIZE,
      batch: 2,
    }),
  },
  {
    name: "munmap-top",
    summary: `munmap of the last 2 pages of x86-64 user space (${hex(LAST_PAGE - PAGE_SIZE)} and ${hex(LAST_PAGE)}; the range ends at TASK_SIZE_MAX, ${hex(USER_END)}) in a 1 GiB VMA, the device reading and writing the last one and reading the VMA's first page`,
    build: munmapIn({
      vma: [USER_END - GiB, USER_END],
      present: [USER_END - GiB, LAST_PAGE - PAGE_SIZE, LAST_PAGE],
      device: [read(LAST_PAGE, "T"), write(LAST_PAGE, "T"), read(USER_END - GiB, "A")],
      from: LAST_PAGE - PAGE_SIZE,
      to: USER_END,
      batch: 2,
    }),
  },
  {
    name: "mprotect-2g",
    summary: "mprotect(PROT_READ) of [4 GiB, 6 GiB) (2^19 pages, two present) while the device writes both, and reads the page after the range",
    build: mprotectIn({
      vma: [4 * GiB, 6 * GiB + PMD_SIZE],
      present: [4 * GiB, 6 * GiB - PAGE_SIZE, 6 * GiB],
      device: [write(6 * GiB - PAGE_SIZE, "Y"), write(4 * GiB, "A"), read(6 * GiB, "Z")],
      from: 4 * GiB,
      to: 6 * GiB,
    }),
  },
  mprotectPages(1, 4 * GiB, "AMD's one-page case: INVALIDATE_IOMMU_PAGES for that page"),
  mprotectPages(2, 4 * GiB, "AMD's smallest whole-PASID case"),
  mprotectPages(31, 4 * GiB, "the most pages the SMMU driver puts in one range TLBI at scale 0 (NUM = 30: num - 1)"),
  mprotectPages(32, 4 * GiB, "one more: the driver's range TLBI uses scale 5"),
  mprotectPages(511, 4 * GiB, "one below ARM's CMDQ_MAX_TLBI_OPS"),
  mprotectPages(512, 4 * GiB, "ARM's CMDQ_MAX_TLBI_OPS: without RANGE_INV, one TLBI per ASID from here"),
  mprotectPages(2 ** 18, 4 * GiB, "VT-d's largest address mask, AM 18: one aligned 1 GiB block"),
  mprotectPages(2 ** 18 + 1, 4 * GiB, "one page more than AM 18 covers"),
  {
    name: "reclaim-whole-mm",
    summary: "x86, v6.6: batched reclaim of the last user page (0x7fffffffe000) tells secondary TLBs (0, ULONG_MAX) under the ptl, while the device also holds a translation at 4 GiB in the same 128 TiB VMA",
    build(driver, kernel) {
      const k: KernelOptions = { ...kernel, arch: { ...kernel?.arch, arch: "x86", notifierModel: "v6.6" } };
      const p = baseScenario(driver, { pages: 0, vma: [4 * GiB, USER_END], present: [4 * GiB, LAST_PAGE], kernel: k });
      addDevice(p, [read(LAST_PAGE, "T"), read(4 * GiB, "A"), write(LAST_PAGE, "T")]);
      addKernelThread(p, "kswapd", reclaimProgram(p.w.k, p.vma, LAST_PAGE, p.swap, "swap", "kswapd", { batched: true }));
      addVictim(p);
      return p.w;
    },
  },
];
