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
  PAGE_SHIFT,
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
  XTS_ATSD_IS_PID,
  XTS_ATSD_AP_4K,
  XTS_ATSD_AP_64K,
  XTS_ATSD_AP_2M,
  XTS_ATSD_AP_1G,
  ULONG,
  ul_add,
  ul_shl,
  ul_shr,
  type unsigned_long,
  type AtsdMmio,
  type mm_struct,
  type mmu_notifier,
  type mmu_notifier_ops,
  type pe_data,
} from "tlbkata";

/**
 * Shoot down the AFU's translation of the one page at `addr` (of size `page_size`)
 * for process `pid`, and return only when the link says it is done. Address 0 means
 * every translation of the PID. The caller holds the link's atsd_lock. Every value is
 * an unsigned long (a bigint): see README.md, "Addresses and registers are 64 bits".
 */
export function pnv_ocxl_tlb_invalidate(arva: AtsdMmio | null, pid: unsigned_long, addr: unsigned_long, page_size: unsigned_long): void {
  // TODO: 1. out_be64(arva, XTS_ATSD_AVA, ...): the address (not for address 0).
  //       2. out_be64(arva, XTS_ATSD_LAUNCH, ...): scope (IS), page size code (AP) and PID,
  //          each shifted into its field with ul_shl and OR-ed with |. Writing this register
  //          starts the shootdown.
  //       3. in_be64(arva, XTS_ATSD_STAT) until XTS_ATSD_STAT_PENDING (bit 63) is clear.
}

/** invalidate_secondary_tlbs: [start, end) of `mm` lost its translation. May run under the ptl (most call sites hold it): never sleep. */
function invalidate_range(mn: mmu_notifier, mm: mm_struct, start: number, end: number): void {
  const pe_data = container_of<pe_data>(mn);
  const link = pe_data.link;
  // In C every one of these is an unsigned long.
  const pid = ULONG(mm.context_id);
  const page_size = ULONG(PAGE_SIZE);
  const first = ULONG(start);
  const last = ULONG(end);
  // TODO: under link.atsd_lock, one pnv_ocxl_tlb_invalidate(link.arva, pid, addr, page_size)
  //       per page of [first, last). In C this is
  //       `for (addr = start; addr < end; addr += page_size)`: step with ul_add.
}

/** The real driver has only this one op. */
export const ocxl_mmu_notifier_ops: mmu_notifier_ops = {
  name: "ocxl",
  invalidate_secondary_tlbs: invalidate_range,
};
