// Wrong: keeps the launch value in 32 bits (a u32 `val`, or JavaScript's `>>> 0`): the scope, page size and PID fields sit at bits 25-52, so the PID loses all but its low 7 bits and every shootdown names another process.
import { container_of, out_be64, in_be64, PAGE_SIZE, ULONG, ul_add, XTS_ATSD_AVA, XTS_ATSD_LAUNCH, XTS_ATSD_STAT, XTS_ATSD_STAT_PENDING, type mmu_notifier_ops, type pe_data } from "tlbkata";
import { atsd_launch_val, ocxl_mmu_notifier_ops as ref } from "../../../solutions/08-ocxl/link";

const PG = ULONG(PAGE_SIZE);

export const ocxl_mmu_notifier_ops: mmu_notifier_ops = {
  ...ref,
  invalidate_secondary_tlbs(mn, mm, start, end) {
    const link = container_of<pe_data>(mn).link;
    const arva = link.arva!;
    link.atsd_lock.spin_lock();
    for (let a = ULONG(start); a < ULONG(end); a = ul_add(a, PG)) {
      out_be64(arva, XTS_ATSD_AVA, a);
      out_be64(arva, XTS_ATSD_LAUNCH, BigInt.asUintN(32, atsd_launch_val(ULONG(mm.context_id), a, PG)));
      while (in_be64(arva, XTS_ATSD_STAT) & XTS_ATSD_STAT_PENDING) {
        /* cpu_relax() */
      }
    }
    link.atsd_lock.spin_unlock();
  },
};
