/**
 * Kata 08, a correct solution written differently: atsd_lock taken around each page's
 * register sequence rather than the whole range (the sequence is what must not mix),
 * the loop counting pages from the page holding `start`, the launch value built from a
 * table, and the status polled with do/while.
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
  type AtsdMmio,
  type mmu_notifier_ops,
  type pe_data,
} from "tlbkata";

const AP = new Map<number, number>([
  [PAGE_SIZE, XTS_ATSD_AP_4K],
  [PMD_SIZE, XTS_ATSD_AP_2M],
  [PUD_SIZE, XTS_ATSD_AP_1G],
]);

export function pnv_ocxl_tlb_invalidate(arva: AtsdMmio, pid: number, addr: number, page_size: number): void {
  const launch = (XTS_ATSD_IS_VA << XTS_ATSD_LAUNCH_IS_SHIFT) | (AP.get(page_size)! << XTS_ATSD_LAUNCH_AP_SHIFT) | (pid << XTS_ATSD_LAUNCH_PID_SHIFT);
  out_be64(arva, XTS_ATSD_AVA, addr);
  out_be64(arva, XTS_ATSD_LAUNCH, launch);
  let stat: number;
  do stat = in_be64(arva, XTS_ATSD_STAT);
  while (stat & XTS_ATSD_STAT_PENDING);
}

export const ocxl_mmu_notifier_ops: mmu_notifier_ops = {
  name: "ocxl (variant)",
  invalidate_secondary_tlbs(mn, mm, start, end) {
    const { link } = container_of<pe_data>(mn);
    const arva = link.arva;
    if (arva === null) return;
    const first = Math.floor(start / PAGE_SIZE);
    const pages = Math.ceil(end / PAGE_SIZE) - first;
    for (let i = 0; i < pages; i++) {
      link.atsd_lock.spin_lock();
      pnv_ocxl_tlb_invalidate(arva, mm.context_id, (first + i) * PAGE_SIZE, PAGE_SIZE);
      link.atsd_lock.spin_unlock();
    }
  },
};
