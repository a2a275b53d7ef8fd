/**
 * Looking at one world by hand: the PTEs of a few named pages, what an IOMMU would
 * answer a device, and the driver state a bind registered.
 */
import type { mm_struct } from "../mm/mm";
import type { IommuModel } from "../hw/iommu";
import type { Kernel } from "../kernel/kernel";
import { hex } from "../mm/constants";
import { pte_describe } from "../mm/pte";
import { container_of } from "../notifier/mmu_notifier";
import { htmlTable, code, type Cell } from "./html";
import type { GridPage } from "./drivers";

/** The PTE of each named page of `mm` (or "none" where no page table reaches it). */
export function pteTable(mm: mm_struct, pages: readonly GridPage[], opts: { readonly caption?: string } = {}): string {
  const rows: Cell[][] = pages.map((p) => {
    const e = mm.pgd.walk(p.addr);
    return [p.name, code(hex(p.addr)), code(e ? pte_describe(e.entry) : "none")];
  });
  return htmlTable(["page", "virtual address", "PTE"], rows, opts.caption ? { caption: opts.caption } : {});
}

/**
 * What `iommu` answers a device asking for `addr` under `pasid`, in a sentence. This is
 * a real translation: a miss walks the page table and, if the PTE allows it, fills
 * the caches, as a device access would.
 */
export function describeTranslation(iommu: IommuModel, pasid: number, addr: number, write: boolean, name = hex(addr)): string {
  const t = iommu.translate(pasid, addr, write);
  if (t.ok) return `the device translates ${name} to pfn ${t.hit.pfn} (${t.hit.write ? "writable" : "read-only"}), from a cached entry`;
  return `translation of ${name} fails (${t.reason}): the device would send a page request`;
}

/**
 * The structure a driver embedded its notifier in (`container_of`), for the newest
 * subscription on `mm`: the `pasid_state`, `arm_smmu_mmu_notifier` or `pe_data` a bind
 * just made. Throws when `mm` has no subscription.
 */
export function boundState<T>(k: Kernel, mm: mm_struct): T {
  // subscriptions() yields in the order they were linked; the newest is the last.
  const subs = k.sim.setup(() => [...k.mn.subscriptions(mm)]);
  const newest = subs[subs.length - 1];
  if (!newest) throw new Error(`${mm.name} has no mmu_notifier subscription: the bind failed or did not register one`);
  return container_of<T>(newest);
}
