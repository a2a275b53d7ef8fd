/**
 * Kata 08, a correct solution written differently: atsd_lock taken around each page's
 * register sequence rather than the whole range (the sequence is what must not mix),
 * the loop counting pages from the page holding `start`, the launch value built from a
 * table with the bigint operators, and the status polled with do/while.
 */
import {
  container_of,
  out_be64,
  in_be64,
  PAGE_SIZE,
  XTS_ATSD_AVA,
  XTS_ATSD_LAUNCH,
  XTS_ATSD_STAT,
  XTS_ATSD_STAT_PENDING,
  XTS_ATSD_LAUNCH_PID_SHIFT,
  XTS_ATSD_LAUNCH_AP_SHIFT,
  XTS_ATSD_LAUNCH_IS_SHIFT,
  XTS_ATSD_IS_VA,
  XTS_ATSD_AP_4K,
  XTS_ATSD_AP_2M,
  XTS_ATSD_AP_1G,
  PMD_SIZE,
  PUD_SIZE,
  ULONG,
  type unsigned_long,
  type AtsdMmio,
  type mmu_notifier_ops,
  type pe_data,
} from "tlbkata";

const AP = new Map<bigint, number>([
  [BigInt(PAGE_SIZE), XTS_ATSD_AP_4K],
  [BigInt(PMD_SIZE), XTS_ATSD_AP_2M],
  [BigInt(PUD_SIZE), XTS_ATSD_AP_1G],
]);

export function pnv_ocxl_tlb_invalidate(arva: AtsdMmio, pid: unsigned_long, addr: unsigned_long, page_size: unsigned_long): void {
  const launch =
    (BigInt(XTS_ATSD_IS_VA) << BigInt(XTS_ATSD_LAUNCH_IS_SHIFT)) |
    (BigInt(AP.get(page_size)!) << BigInt(XTS_ATSD_LAUNCH_AP_SHIFT)) |
    (pid << BigInt(XTS_ATSD_LAUNCH_PID_SHIFT));
  out_be64(arva, XTS_ATSD_AVA, addr);
  out_be64(arva, XTS_ATSD_LAUNCH, launch);
  let stat: bigint;
  do stat = in_be64(arva, XTS_ATSD_STAT);
  while (stat & XTS_ATSD_STAT_PENDING);
}

export const ocxl_mmu_notifier_ops: mmu_notifier_ops = {
  name: "ocxl (variant)",
  invalidate_secondary_tlbs(mn, mm, start, end) {
    const { link } = container_of<pe_data>(mn);
    const arva = link.arva;
    if (arva === null) return;
    const page = BigInt(PAGE_SIZE);
    const first = ULONG(start) / page;
    const pages = (ULONG(end) + page - 1n) / page - first;
    for (let i = 0n; i < pages; i++) {
      link.atsd_lock.spin_lock();
      pnv_ocxl_tlb_invalidate(arva, BigInt(mm.context_id), (first + i) * page, page);
      link.atsd_lock.spin_unlock();
    }
  },
};
