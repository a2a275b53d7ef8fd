/**
 * Kata 08, reference solution: the OpenCAPI link's mmu_notifier (drivers/misc/ocxl/link.c),
 * with the platform's shootdown helper (pnv_ocxl_tlb_invalidate, arch/powerpc/platforms/powernv/ocxl.c).
 */
import {
  container_of,
  out_be64,
  in_be64,
  PAGE_SIZE,
  PMD_SIZE,
  PUD_SIZE,
  XTS_ATSD_AVA,
  XTS_ATSD_LAUNCH,
  XTS_ATSD_STAT,
  XTS_ATSD_STAT_PENDING,
  XTS_ATSD_LAUNCH_PID_SHIFT,
  XTS_ATSD_LAUNCH_AP_SHIFT,
  XTS_ATSD_LAUNCH_IS_SHIFT,
  XTS_ATSD_IS_VA,
  XTS_ATSD_AP_4K,
  XTS_ATSD_AP_64K,
  XTS_ATSD_AP_2M,
  XTS_ATSD_AP_1G,
  type AtsdMmio,
  type mm_struct,
  type mmu_notifier,
  type mmu_notifier_ops,
  type pe_data,
} from "tlbkata";

/** The AP code for a page size; anything else is the 64 KiB code, as on ppc64. */
function atsd_ap(page_size: number): number {
  if (page_size === PAGE_SIZE) return XTS_ATSD_AP_4K;
  if (page_size === PMD_SIZE) return XTS_ATSD_AP_2M;
  if (page_size === PUD_SIZE) return XTS_ATSD_AP_1G;
  return XTS_ATSD_AP_64K;
}

/**
 * Shoot down the translation of one page of `pid` in the AFU and wait until it is
 * done. The caller holds the link's atsd_lock: the registers are shared.
 */
export function pnv_ocxl_tlb_invalidate(arva: AtsdMmio, pid: number, addr: number, page_size: number): void {
  out_be64(arva, XTS_ATSD_AVA, addr);
  // Writing the launch register starts the shootdown.
  out_be64(
    arva,
    XTS_ATSD_LAUNCH,
    (pid << XTS_ATSD_LAUNCH_PID_SHIFT) | (atsd_ap(page_size) << XTS_ATSD_LAUNCH_AP_SHIFT) | (XTS_ATSD_IS_VA << XTS_ATSD_LAUNCH_IS_SHIFT),
  );
  // Poll until the AFU has dropped the translation (cpu_relax() between reads).
  while (in_be64(arva, XTS_ATSD_STAT) & XTS_ATSD_STAT_PENDING) {
    /* cpu_relax() */
  }
}

/** invalidate_secondary_tlbs (invalidate_range before the rename): runs under the ptl. */
function invalidate_range(mn: mmu_notifier, mm: mm_struct, start: number, end: number): void {
  const pe_data = container_of<pe_data>(mn);
  const link = pe_data.link;
  const pid = mm.context_id;
  const page_size = PAGE_SIZE;
  if (!link.arva) return;
  // A spinlock: we may be under the page-table lock, so no sleeping.
  link.atsd_lock.spin_lock();
  for (let addr = start; addr < end; addr += page_size) pnv_ocxl_tlb_invalidate(link.arva, pid, addr, page_size);
  link.atsd_lock.spin_unlock();
}

/** No release op: the real driver has none. */
export const ocxl_mmu_notifier_ops: mmu_notifier_ops = {
  name: "ocxl",
  invalidate_secondary_tlbs: invalidate_range,
};
