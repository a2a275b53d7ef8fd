/**
 * Kata 08: the OpenCAPI link's mmu_notifier (drivers/misc/ocxl/link.c) and the
 * platform helper it calls for each page (pnv_ocxl_tlb_invalidate).
 *
 * Fill in the two functions marked TODO. Read README.md first; run the visible
 * tests with `npx tlbkata check 08` (or the check cell in notebook 08).
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

/**
 * Shoot down the AFU's translation of the one page at `addr` (of size `page_size`)
 * for process `pid`, and return only when the link says it is done. The caller holds
 * the link's atsd_lock.
 */
export function pnv_ocxl_tlb_invalidate(arva: AtsdMmio, pid: number, addr: number, page_size: number): void {
  // TODO: 1. out_be64(arva, XTS_ATSD_AVA, ...): the address.
  //       2. out_be64(arva, XTS_ATSD_LAUNCH, ...): PID, page size code (AP) and scope (IS),
  //          each shifted into its field. Writing this register starts the shootdown.
  //       3. in_be64(arva, XTS_ATSD_STAT) until XTS_ATSD_STAT_PENDING is clear.
}

/** invalidate_secondary_tlbs: [start, end) of `mm` lost its translation. Runs under the ptl. */
function invalidate_range(mn: mmu_notifier, mm: mm_struct, start: number, end: number): void {
  const pe_data = container_of<pe_data>(mn);
  const link = pe_data.link;
  // TODO: under link.atsd_lock, one pnv_ocxl_tlb_invalidate() per page of [start, end),
  //       naming the process by mm.context_id, through link.arva.
}

/** The real driver has only this one op. */
export const ocxl_mmu_notifier_ops: mmu_notifier_ops = {
  name: "ocxl",
  invalidate_secondary_tlbs: invalidate_range,
};
