/**
 * Kata 04-call-sites: the kernel paths that change PTEs on their own (reclaim,
 * migration, hugetlb COW, writeback, mprotect, hugetlb PMD unsharing), run with the
 * learner's function at each call site (KernelHooks.secondary_tlbs_call_site) in place
 * of the kernel's own notification or its absence.
 */
import type { KernelOptions } from "../../kernel/kernel";
import type { CallSite, UnmapCallSite, TryToUnmapBranch } from "../../kernel/hooks";
import type { DriverSpec } from "../../drivers/driver";
import type { Scenario } from "../../scenarios/index";
import type { World } from "../../sim/world";
import type { ProgramBuilder } from "../../sim/program";
import { reclaimProgram, migrateProgram, mkcleanProgram } from "../../kernel/rmap";
import { mprotectProgram } from "../../kernel/mprotect";
import { hugetlbWpProgram } from "../../kernel/memory";
import { hugetlbUnshareProgram } from "../../kernel/hugetlb";
import { baseScenario, addDevice, addKernelThread, addVictim, page, BASE, type ScenarioParts } from "../../scenarios/builder";
import { set_entry } from "../../mm/ops";
import { pte_mkdirty, pfn_pte } from "../../mm/pte";
import { HPAGE_PMD_NR } from "../../mm/constants";
import { EagerIommu } from "./shared/eager-iommu";

export type { CallSite, UnmapCallSite, TryToUnmapBranch };

/** The learner's answer: what each call site does at the point a notification could go. */
export interface CallSites {
  /** Reclaim (mm/rmap.c): the PTE of a page being reclaimed was cleared and flushed. */
  try_to_unmap_one(site: UnmapCallSite): void;
  /** Migration (mm/rmap.c): the PTE now holds a migration entry; after range_end the page is copied, remapped and freed. */
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
    build(driver: DriverSpec, options?: KernelOptions): World {
      // Costs are measured around one call: its waits must finish inside it (a wait
      // that blocked would end the step and run the call again when it resumes).
      const model = costs ? { ...options?.model, asyncHardware: false } : options?.model;
      const kernel: KernelOptions = { ...options, model, hooks: { ...options?.hooks, secondary_tlbs_call_site: (name, site) => callSite(sites, name, site, costs) } };
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
        addKernelThread(p, which, which === "hugetlb-wp" ? hugetlbWpProgram(k, p.vma, page(300), reserved) : hugetlbUnshareProgram(k, p.vma));
        return p.w;
      }
      const two = which === "mprotect";
      // One spare page in the VMA: a notification of the whole VMA is then more than the site changed.
      const p = baseScenario(driver, { pages: two ? 2 : 1, spare: 1, kernel });
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
      if (which === "migration") prog = migrateProgram(k, p.vma, page(0));
      else if (which === "mkclean") prog = mkcleanProgram(k, p.vma, page(0));
      else if (which === "mprotect") prog = mprotectProgram(k, p.vma, page(0), page(2));
      else {
        const branch: TryToUnmapBranch = which === "reclaim-swap" ? "swap" : which === "reclaim-lazyfree" ? "discard" : "redirtied";
        prog = reclaimProgram(k, p.vma, page(0), p.swap, branch);
      }
      addKernelThread(p, prog.name.split(":")[0]!, prog);
      if (which.startsWith("reclaim")) addVictim(p);
      return p.w;
    },
  };
}
