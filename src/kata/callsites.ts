/**
 * Kata 04-call-sites: the kernel paths that change PTEs on their own (reclaim,
 * migration, hugetlb COW, writeback, mprotect, hugetlb PMD unsharing), with their
 * secondary-TLB notifications taken out. At each place where the RFC kernel could
 * notify (under the ptl, right after the entry changed and the CPU TLB was flushed)
 * the path calls the learner's function for that call site, which notifies or not.
 *
 * The programs follow kernel/rmap.ts, kernel/memory.ts and kernel/mprotect.ts step
 * for step; only the notification is the learner's.
 */
import type { Kernel, KernelOptions } from "../kernel/kernel";
import type { mm_struct, vm_area_struct } from "../mm/mm";
import type { DriverSpec } from "../drivers/driver";
import type { Scenario } from "../scenarios/index";
import type { World } from "../sim/world";
import { ProgramBuilder, DONE } from "../sim/program";
import { Cell } from "../sim/store";
import { SwapSpace } from "../kernel/rmap";
import { baseScenario, addDevice, addKernelThread, addVictim, page, BASE, type ScenarioParts } from "../scenarios/builder";
import { set_entry, ptep_clear_flush, pmdp_huge_clear_flush, flush_tlb_page, flush_tlb_range } from "../mm/ops";
import {
  pte_present,
  pte_pfn,
  pte_write,
  pte_dirty,
  pte_mkclean,
  pte_mkdirty,
  pte_wrprotect,
  pfn_pte,
  swp_entry_to_pte,
  make_migration_entry,
} from "../mm/pte";
import { MMU_NOTIFIER_RANGE_BLOCKABLE, type mmu_notifier_range, type mmu_notifier_event } from "../notifier/mmu_notifier";
import { PAGE_SIZE, PMD_SIZE, PUD_SIZE, HPAGE_PMD_NR, hex } from "../mm/constants";
import { EagerIommu } from "./eager";

/** What a call site tells the learner's function. */
export interface CallSite {
  readonly k: Kernel;
  readonly mm: mm_struct;
  readonly vma: vm_area_struct;
  /** First address of what the entry (or entries) just changed map, aligned. */
  readonly address: number;
  /** Bytes covered from `address`: PAGE_SIZE, PMD_SIZE for a 2 MiB hugetlb page, more for a range. */
  readonly size: number;
}

/**
 * try_to_unmap_one()'s branches, after ptep_clear_flush():
 * - "swap": an anonymous page goes to swap; the PTE becomes a swap entry;
 * - "discard": a clean MADV_FREE (lazy-free) page is dropped; the PTE stays empty
 *   and the next access faults in a zero page;
 * - "redirtied": the MADV_FREE page was written again, so it cannot be dropped; the
 *   old PTE is put back, same page, same permissions.
 */
export type TryToUnmapBranch = "swap" | "discard" | "redirtied";

export interface UnmapCallSite extends CallSite {
  readonly branch: TryToUnmapBranch;
}

/** The learner's answer: what each call site does at the point a notification could go. */
export interface CallSites {
  /** Reclaim (mm/rmap.c): the PTE of a page being reclaimed was cleared and flushed. */
  try_to_unmap_one(site: UnmapCallSite): void;
  /** Migration (mm/rmap.c): the PTE now holds a migration entry; the page will be copied and freed. */
  try_to_migrate_one(site: CallSite): void;
  /** COW on a hugetlb page (mm/hugetlb.c): the huge entry was cleared and flushed; a copy replaces it. */
  hugetlb_wp(site: CallSite): void;
  /** Writeback (mm/rmap.c): the PTE was write-protected and cleaned, same page. */
  page_vma_mkclean_one(site: CallSite): void;
  /** mprotect (mm/mprotect.c): the PTEs of one page table were write-protected, same pages. */
  change_pte_range(site: CallSite): void;
  /** hugetlb (mm/hugetlb.c): a shared PMD page table was unshared; the hugetlb pages stay in their file. */
  hugetlb_unshare_pmds(site: CallSite): void;
}

export interface CallSitesModule {
  readonly call_sites: CallSites;
}

export type CallSiteName = keyof CallSites;

export const CALL_SITE_NAMES: readonly CallSiteName[] = [
  "try_to_unmap_one",
  "try_to_migrate_one",
  "hugetlb_wp",
  "page_vma_mkclean_one",
  "change_pte_range",
  "hugetlb_unshare_pmds",
];

/** What one call site cost, over a run: notifications made and IOMMU commands they sent. */
export interface CallSiteCost {
  calls: number;
  notifications: number;
  commands: number;
  /** The ranges the IOMMU was told to invalidate from inside the site, in order. */
  readonly ranges: [number, number][];
}

export type CallSiteCosts = Record<CallSiteName, CallSiteCost>;

export function emptyCallSiteCosts(): CallSiteCosts {
  const o = {} as CallSiteCosts;
  for (const n of CALL_SITE_NAMES) o[n] = { calls: 0, notifications: 0, commands: 0, ranges: [] };
  return o;
}

/**
 * Call the learner's function for `name`. With `costs`, also measure what it sent:
 * the subscriptions' invalidate_secondary_tlbs calls (counted by the core), the IOMMU
 * commands, and the ranges invalidated (an EagerIommu logs them while watched).
 */
function callSite(sites: CallSites, name: CallSiteName, site: CallSite | UnmapCallSite, costs?: CallSiteCosts): void {
  const k = site.k;
  if (!costs) {
    (sites[name] as (s: CallSite) => void).call(sites, site);
    return;
  }
  const c = costs[name];
  const n0 = k.mn.calls.invalidate_secondary_tlbs;
  const commands = (): number => k.iommus.reduce((n, io) => n + io.totalCommands(), 0);
  const cmd0 = commands();
  const eager = k.iommus.filter((io): io is EagerIommu => io instanceof EagerIommu);
  for (const io of eager) io.watch = c.ranges;
  try {
    (sites[name] as (s: CallSite) => void).call(sites, site);
  } finally {
    for (const io of eager) io.watch = null;
  }
  c.calls++;
  c.notifications += k.mn.calls.invalidate_secondary_tlbs - n0;
  c.commands += commands() - cmd0;
}

function rangeOf(mm: mm_struct, start: number, end: number, event: mmu_notifier_event): mmu_notifier_range {
  return { mm, start, end, event, flags: MMU_NOTIFIER_RANGE_BLOCKABLE };
}

/** try_to_unmap_one() for the page at `addr`, taking `branch` once the PTE is cleared. */
export function tryToUnmapSiteProgram(
  k: Kernel,
  vma: vm_area_struct,
  addr: number,
  swap: SwapSpace,
  branch: TryToUnmapBranch,
  sites: CallSites,
  costs?: CallSiteCosts,
  name = "kswapd",
): ProgramBuilder {
  const mm = vma.vm_mm;
  const ptl = mm.pgd.pte_lockptr(addr);
  const pfn = new Cell(k.sim.store, `${name}.pfn`);
  const slot = new Cell(k.sim.store, `${name}.slot`);
  const range = rangeOf(mm, addr, addr + PAGE_SIZE, "MMU_NOTIFY_CLEAR");
  const what = { swap: "set swap pte", discard: "clean lazy-free page: discard it", redirtied: "lazy-free page written again: set_pte_at(old pte)" }[branch];
  const b = new ProgramBuilder(`${name}: reclaim ${hex(addr)} (${branch})`);
  b.step("isolate the folio; try_to_unmap_one: mmu_notifier_invalidate_range_start", () => {
    const pte = mm.pgd.get_pte(addr);
    if (!pte_present(pte)) return DONE;
    pfn.value = pte_pfn(pte);
    k.phys.get_page(pfn.value); // the isolation reference
    k.mn.mmu_notifier_invalidate_range_start(range);
    return undefined;
  });
  b.step("page_vma_mapped_walk: lock ptl", () => ptl.spin_lock(), () => ptl.available());
  b.step(`ptep_clear_flush; ${what}; [try_to_unmap_one call site]`, () => {
    const old = mm.pgd.get_pte(addr);
    if (!pte_present(old) || pte_pfn(old) !== pfn.value) return "unlock";
    if (branch === "redirtied") {
      // The page stays: the translation a device holds remains right.
      ptep_clear_flush(k, vma, addr, "unmap");
      set_entry(k, mm, addr, "pte", old, "remap");
      callSite(sites, "try_to_unmap_one", { k, mm, vma, address: addr, size: PAGE_SIZE, branch }, costs);
      return undefined;
    }
    ptep_clear_flush(k, vma, addr, "remap");
    if (branch === "swap") {
      slot.value = swap.alloc();
      set_entry(k, mm, addr, "pte", swp_entry_to_pte(slot.value), "remap");
    }
    callSite(sites, "try_to_unmap_one", { k, mm, vma, address: addr, size: PAGE_SIZE, branch }, costs);
    k.phys.page_remove_rmap(pfn.value);
    k.phys.put_page(pfn.value); // the mapping's reference
    return undefined;
  });
  b.label("unlock").step("page_vma_mapped_walk_done: unlock ptl", () => ptl.spin_unlock());
  b.step("mmu_notifier_invalidate_range_end", () => k.mn.mmu_notifier_invalidate_range_end(range));
  b.step(branch === "swap" ? "pageout: write the page to swap; drop the isolation reference (frees it)" : "drop the isolation reference", () => {
    if (slot.value) swap.slots.set(slot.value, k.phys.read(pfn.value));
    k.phys.put_page(pfn.value);
  });
  return b;
}

/** try_to_migrate_one() and the rest of migration, as kernel/rmap.ts's migrateProgram. */
export function tryToMigrateSiteProgram(k: Kernel, vma: vm_area_struct, addr: number, sites: CallSites, costs?: CallSiteCosts, name = "migrate"): ProgramBuilder {
  const mm = vma.vm_mm;
  const ptl = mm.pgd.pte_lockptr(addr);
  const oldPfn = new Cell(k.sim.store, `${name}.old`);
  const newPfn = new Cell(k.sim.store, `${name}.new`);
  const wasWrite = new Cell(k.sim.store, `${name}.write`);
  const range = rangeOf(mm, addr, addr + PAGE_SIZE, "MMU_NOTIFY_CLEAR");
  const b = new ProgramBuilder(`${name}: migrate ${hex(addr)}`);
  b.step("isolate; try_to_migrate_one: mmu_notifier_invalidate_range_start", () => {
    const pte = mm.pgd.get_pte(addr);
    if (!pte_present(pte)) return DONE;
    oldPfn.value = pte_pfn(pte);
    k.phys.get_page(oldPfn.value);
    k.mn.mmu_notifier_invalidate_range_start(range);
    return undefined;
  });
  b.step("page_vma_mapped_walk: lock ptl", () => ptl.spin_lock(), () => ptl.available());
  b.step("ptep_clear_flush; set migration entry; [try_to_migrate_one call site]", () => {
    const old = ptep_clear_flush(k, vma, addr, "remap");
    wasWrite.value = pte_write(old) ? 1 : 0;
    set_entry(k, mm, addr, "pte", make_migration_entry(oldPfn.value, pte_write(old)), "remap");
    callSite(sites, "try_to_migrate_one", { k, mm, vma, address: addr, size: PAGE_SIZE }, costs);
    k.phys.page_remove_rmap(oldPfn.value);
    k.phys.put_page(oldPfn.value);
  });
  b.step("unlock ptl", () => ptl.spin_unlock());
  b.step("mmu_notifier_invalidate_range_end", () => k.mn.mmu_notifier_invalidate_range_end(range));
  b.step("alloc the new page; move_to_new_folio: copy contents", () => {
    newPfn.value = k.phys.alloc_page(`${mm.name} (migrated)`);
    k.phys.copy(newPfn.value, oldPfn.value);
  });
  b.step("remove_migration_ptes: lock ptl", () => ptl.spin_lock(), () => ptl.available());
  b.step("remove_migration_ptes: map the new page", () => {
    set_entry(k, mm, addr, "pte", pfn_pte(newPfn.value, { write: wasWrite.value !== 0 }), "remap");
    k.phys.page_add_rmap(newPfn.value);
  });
  b.step("unlock ptl", () => ptl.spin_unlock());
  b.step("putback: drop the old page (frees it)", () => k.phys.put_page(oldPfn.value));
  return b;
}

/** hugetlb_wp() with huge_ptep_clear_flush and no notification of its own. */
export function hugetlbWpSiteProgram(
  k: Kernel,
  vma: vm_area_struct,
  addr: number,
  reservedPfn: number,
  sites: CallSites,
  costs?: CallSiteCosts,
  name = "hugetlb_wp",
): ProgramBuilder {
  const mm = vma.vm_mm;
  const haddr = Math.floor(addr / PMD_SIZE) * PMD_SIZE;
  const ptl = mm.pgd.pmd_lockptr(haddr);
  const oldPfn = new Cell(k.sim.store, `${name}.old`);
  const range = rangeOf(mm, haddr, haddr + PMD_SIZE, "MMU_NOTIFY_CLEAR");
  const b = new ProgramBuilder(`${name} ${hex(haddr)}`);
  b.step("mmap_read_lock", () => mm.mmap_lock.down_read(), () => mm.mmap_lock.readAvailable());
  b.step("alloc_hugetlb_folio; copy_user_large_folio", () => {
    oldPfn.value = pte_pfn(mm.pgd.get_pmd(haddr));
    k.phys.claim(reservedPfn, `${mm.name} (hugetlb copy)`, HPAGE_PMD_NR);
    for (let i = 0; i < HPAGE_PMD_NR; i++) if (k.phys.read(oldPfn.value + i)) k.phys.copy(reservedPfn + i, oldPfn.value + i);
  });
  b.step("mmu_notifier_invalidate_range_start", () => k.mn.mmu_notifier_invalidate_range_start(range));
  b.step("huge_pte_lock", () => ptl.spin_lock(), () => ptl.available());
  b.step("huge_ptep_clear_flush; [hugetlb_wp call site]; set_huge_pte_at(new page)", () => {
    pmdp_huge_clear_flush(k, vma, haddr, "remap");
    callSite(sites, "hugetlb_wp", { k, mm, vma, address: haddr, size: PMD_SIZE }, costs);
    set_entry(k, mm, haddr, "pmd", pte_mkdirty(pfn_pte(reservedPfn, { write: true, huge: true })), "remap");
    k.phys.page_add_rmap(reservedPfn);
    k.phys.page_remove_rmap(oldPfn.value);
  });
  b.step("spin_unlock", () => ptl.spin_unlock());
  b.step("mmu_notifier_invalidate_range_end", () => k.mn.mmu_notifier_invalidate_range_end(range));
  b.step("put_page(old huge page); mmap_read_unlock", () => {
    k.phys.put_page(oldPfn.value, HPAGE_PMD_NR);
    mm.mmap_lock.up_read();
  });
  return b;
}

/** page_vma_mkclean_one(): write-protect and clean, flush the CPU TLB, then the call site. */
export function mkcleanSiteProgram(k: Kernel, vma: vm_area_struct, addr: number, sites: CallSites, costs?: CallSiteCosts, name = "writeback"): ProgramBuilder {
  const mm = vma.vm_mm;
  const ptl = mm.pgd.pte_lockptr(addr);
  const range = rangeOf(mm, addr, addr + PAGE_SIZE, "MMU_NOTIFY_PROTECTION_PAGE");
  const b = new ProgramBuilder(`${name}: mkclean ${hex(addr)}`);
  b.step("page_vma_mkclean_one: mmu_notifier_invalidate_range_start", () => k.mn.mmu_notifier_invalidate_range_start(range));
  b.step("lock ptl", () => ptl.spin_lock(), () => ptl.available());
  b.step("pte_wrprotect; pte_mkclean; set_pte_at; flush_tlb_page; [page_vma_mkclean_one call site]", () => {
    const pte = mm.pgd.get_pte(addr);
    if (!pte_present(pte) || (!pte_write(pte) && !pte_dirty(pte))) return;
    set_entry(k, mm, addr, "pte", pte_mkclean(pte_wrprotect(pte)), "protect");
    flush_tlb_page(k, vma, addr);
    callSite(sites, "page_vma_mkclean_one", { k, mm, vma, address: addr, size: PAGE_SIZE }, costs);
  });
  b.step("unlock ptl", () => ptl.spin_unlock());
  b.step("mmu_notifier_invalidate_range_end", () => k.mn.mmu_notifier_invalidate_range_end(range));
  return b;
}

/** mprotect(PROT_READ): change_pte_range() per page table, the CPU flush after, then range_end. */
export function mprotectSiteProgram(k: Kernel, vma: vm_area_struct, start: number, end: number, sites: CallSites, costs?: CallSiteCosts, name = "mprotect"): ProgramBuilder {
  const mm = vma.vm_mm;
  const range = rangeOf(mm, start, end, "MMU_NOTIFY_PROTECTION_VMA");
  const b = new ProgramBuilder(`${name} [${hex(start)}, ${hex(end)}) PROT_READ`);
  b.step("mmap_write_lock", () => mm.mmap_lock.down_write(), () => mm.mmap_lock.available());
  b.step("mprotect_fixup: clear VM_WRITE; change_protection: mmu_notifier_invalidate_range_start", () => {
    vma.vm_write = false;
    k.mn.mmu_notifier_invalidate_range_start(range);
  });
  for (let region = Math.floor(start / PMD_SIZE) * PMD_SIZE; region < end; region += PMD_SIZE) {
    const ptl = mm.pgd.pte_lockptr(region);
    const rs = Math.max(start, region);
    const re = Math.min(end, region + PMD_SIZE);
    b.step(`change_pte_range ${hex(rs)}: lock ptl`, () => ptl.spin_lock(), () => ptl.available());
    b.step("ptep_modify_prot_start/commit: write-protect the ptes; [change_pte_range call site]", () => {
      for (let a = rs; a < re; a += PAGE_SIZE) {
        const pte = mm.pgd.get_pte(a);
        if (pte_present(pte) && pte_write(pte)) set_entry(k, mm, a, "pte", pte_wrprotect(pte), "protect");
      }
      callSite(sites, "change_pte_range", { k, mm, vma, address: rs, size: re - rs }, costs);
    });
    b.step("pte_unmap_unlock", () => ptl.spin_unlock());
  }
  b.step("flush_tlb_range", () => flush_tlb_range(k, vma, start, end));
  b.step("mmu_notifier_invalidate_range_end", () => k.mn.mmu_notifier_invalidate_range_end(range));
  b.step("mmap_write_unlock", () => mm.mmap_lock.up_write());
  return b;
}

/**
 * hugetlb_unshare_pmds(): the PMD page table of a PUD-sized, PUD-aligned range of a
 * hugetlb mapping is shared with another process mapping the same file (the other
 * process is not simulated). Splitting the VMA unshares it: this mm's PUD entry stops
 * pointing at the shared table. The hugetlb pages stay in their file; the next fault
 * finds them again.
 */
export function hugetlbUnshareSiteProgram(k: Kernel, vma: vm_area_struct, sites: CallSites, costs?: CallSiteCosts, name = "unshare"): ProgramBuilder {
  const mm = vma.vm_mm;
  const start = Math.floor(vma.vm_start / PUD_SIZE) * PUD_SIZE;
  const end = start + PUD_SIZE;
  const range = rangeOf(mm, start, end, "MMU_NOTIFY_CLEAR");
  const ptl = mm.page_table_lock;
  const b = new ProgramBuilder(`${name} [${hex(start)}, ${hex(end)})`);
  b.step("mmap_write_lock (vma split)", () => mm.mmap_lock.down_write(), () => mm.mmap_lock.available());
  b.step("hugetlb_unshare_pmds: mmu_notifier_invalidate_range_start; i_mmap_lock_write", () => k.mn.mmu_notifier_invalidate_range_start(range));
  b.step("huge_pte_lock", () => ptl.spin_lock(), () => ptl.available());
  b.step("huge_pmd_unshare: clear the PUD entry that points at the shared PMD table; [hugetlb_unshare_pmds call site]", () => {
    // A page table is dropped, not a leaf: the pages it maps stay where they are.
    mm.pgd.write_pud(start, 0);
    k.sim.log(() => `pud ${hex(start)}: table -> none (shared PMD table unshared)`);
    callSite(sites, "hugetlb_unshare_pmds", { k, mm, vma, address: start, size: PUD_SIZE }, costs);
  });
  b.step("spin_unlock", () => ptl.spin_unlock());
  b.step("flush_hugetlb_tlb_range; i_mmap_unlock_write", () => flush_tlb_range(k, vma, start, end));
  b.step("mmu_notifier_invalidate_range_end", () => k.mn.mmu_notifier_invalidate_range_end(range));
  b.step("mmap_write_unlock", () => mm.mmap_lock.up_write());
  return b;
}

/** The scenarios of kata 04-call-sites, one (or more) per call site. */
export type CallSiteScenarioName =
  | "reclaim-swap"
  | "reclaim-lazyfree"
  | "reclaim-redirtied"
  | "migration"
  | "hugetlb-wp"
  | "mkclean"
  | "mprotect"
  | "hugetlb-unshare";

export const CALL_SITE_SCENARIOS: readonly CallSiteScenarioName[] = [
  "reclaim-swap",
  "reclaim-lazyfree",
  "reclaim-redirtied",
  "migration",
  "hugetlb-wp",
  "mkclean",
  "mprotect",
  "hugetlb-unshare",
];

const A = { name: "A" };
const B = { name: "B" };

function readWrite(p: ScenarioParts, addr: number, name: string): void {
  addDevice(p, [
    { op: "read", addr, name },
    { op: "write", addr, name },
  ]);
}

/** A 2 MiB hugetlb page mapped read-only at BASE (shared with a forked child: one extra reference). */
function hugetlbPage(p: ScenarioParts, write: boolean): number {
  const k = p.w.k;
  const head = k.alloc_huge_page(HPAGE_PMD_NR, p.mm.name);
  k.phys.write(head + 3);
  k.phys.write(head + 300);
  k.phys.get_page(head); // the child's mapping, or the hugetlbfs file's reference
  p.mm.pgd.populate(BASE, "pmd");
  const l = p.mm.pgd.pmd_lockptr(BASE);
  l.spin_lock();
  set_entry(k, p.mm, BASE, "pmd", pfn_pte(head, { write, huge: true }), "remap");
  l.spin_unlock();
  k.phys.page_add_rmap(head);
  return head;
}

/** Build the scenario for one call site with the learner's `sites` (and cost counters). */
export function callSiteScenario(which: CallSiteScenarioName, sites: CallSites, costs?: CallSiteCosts): Scenario {
  const summary: Record<CallSiteScenarioName, string> = {
    "reclaim-swap": "kswapd reclaims anonymous page A to swap (try_to_unmap_one) while the device reads and writes it",
    "reclaim-lazyfree": "kswapd discards clean lazy-free (MADV_FREE) page A (try_to_unmap_one) while the device reads and writes it",
    "reclaim-redirtied": "kswapd finds lazy-free page A written again and puts its PTE back (try_to_unmap_one) while the device reads and writes it",
    migration: "page A is migrated to a new frame (try_to_migrate_one) while the device reads and writes it",
    "hugetlb-wp": "hugetlb_wp breaks COW on a 2 MiB page while the device reads 4 KiB pieces 3 and 300 of it",
    mkclean: "writeback write-protects dirty page A (page_vma_mkclean_one) while the device writes it",
    mprotect: "mprotect(PROT_READ) of A and B (change_pte_range) while the device writes them",
    "hugetlb-unshare": "a shared hugetlb PMD table is unshared (hugetlb_unshare_pmds) while the device reads the 2 MiB page",
  };
  return {
    name: `call-sites:${which}`,
    summary: summary[which],
    build(driver: DriverSpec, kernel?: KernelOptions): World {
      if (which === "hugetlb-wp" || which === "hugetlb-unshare") {
        const p = baseScenario(driver, { pages: 0, spare: HPAGE_PMD_NR, kernel });
        const k = p.w.k;
        let reserved = 0;
        p.w.setup(() => {
          hugetlbPage(p, false);
          if (which === "hugetlb-wp") {
            reserved = k.alloc_huge_page(HPAGE_PMD_NR, "hugetlb pool");
            k.phys.put_page(reserved, HPAGE_PMD_NR);
          }
        });
        addDevice(p, [
          { op: "read", addr: page(3), name: "H3" },
          { op: "read", addr: page(300), name: "H300" },
        ]);
        addKernelThread(p, which, which === "hugetlb-wp" ? hugetlbWpSiteProgram(k, p.vma, page(300), reserved, sites, costs) : hugetlbUnshareSiteProgram(k, p.vma, sites, costs));
        return p.w;
      }
      const two = which === "mprotect";
      const p = baseScenario(driver, { pages: two ? 2 : 1, kernel });
      const k = p.w.k;
      if (which === "mkclean") {
        p.w.setup(() => {
          const ptl = p.mm.pgd.pte_lockptr(page(0));
          ptl.spin_lock();
          set_entry(k, p.mm, page(0), "pte", pte_mkdirty(p.mm.pgd.get_pte(page(0))), "remap");
          ptl.spin_unlock();
        });
      }
      if (which === "mprotect") {
        addDevice(p, [
          { op: "write", addr: page(0), ...A },
          { op: "write", addr: page(1), ...B },
          { op: "write", addr: page(0), ...A },
        ]);
      } else if (which === "mkclean") {
        addDevice(p, [
          { op: "write", addr: page(0), ...A },
          { op: "write", addr: page(0), ...A },
        ]);
      } else readWrite(p, page(0), "A");
      let prog: ProgramBuilder;
      if (which === "migration") prog = tryToMigrateSiteProgram(k, p.vma, page(0), sites, costs);
      else if (which === "mkclean") prog = mkcleanSiteProgram(k, p.vma, page(0), sites, costs);
      else if (which === "mprotect") prog = mprotectSiteProgram(k, p.vma, page(0), page(2), sites, costs);
      else {
        const branch: TryToUnmapBranch = which === "reclaim-swap" ? "swap" : which === "reclaim-lazyfree" ? "discard" : "redirtied";
        prog = tryToUnmapSiteProgram(k, p.vma, page(0), p.swap, branch, sites, costs);
      }
      addKernelThread(p, prog.name.split(":")[0]!, prog);
      if (which.startsWith("reclaim")) addVictim(p);
      return p.w;
    },
  };
}
