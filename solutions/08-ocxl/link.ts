/**
 * Kata 08, reference solution: the OpenCAPI link's mmu_notifier (drivers/misc/ocxl/link.c),
 * with the platform's shootdown helper (pnv_ocxl_tlb_invalidate, arch/powerpc/platforms/powernv/ocxl.c).
 * Addresses and register values are unsigned long / u64, as in C (bigint `unsigned_long`):
 * the loop steps with ul_add, which wraps as C does; the register fields are bigint
 * shifts and ORs, which cannot overflow below bit 64.
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
  type unsigned_long,
  type AtsdMmio,
  type mm_struct,
  type mmu_notifier,
  type mmu_notifier_ops,
  type pe_data,
} from "tlbkata";

/** The AP code for a page size; anything else is the 64 KiB code, as on ppc64. */
export function atsd_ap(page_size: unsigned_long): number {
  if (page_size === BigInt(PAGE_SIZE)) return XTS_ATSD_AP_4K;
  if (page_size === BigInt(PMD_SIZE)) return XTS_ATSD_AP_2M;
  if (page_size === BigInt(PUD_SIZE)) return XTS_ATSD_AP_1G;
  return XTS_ATSD_AP_64K;
}

/** FIELD_PREP: `v` in the field at `shift` (every launch field fits below bit 64, so nothing is cut). */
const field = (v: number | bigint, shift: number): unsigned_long => BigInt(v) << BigInt(shift);

/**
 * The XTS_ATSD_LAUNCH value: scope, page size and PID, each in its field. Address 0
 * stands for every translation of the PID (scope XTS_ATSD_IS_PID).
 */
export function atsd_launch_val(pid: unsigned_long, addr: unsigned_long, page_size: unsigned_long): unsigned_long {
  let val = field(addr ? XTS_ATSD_IS_VA : XTS_ATSD_IS_PID, XTS_ATSD_LAUNCH_IS_SHIFT);
  val |= field(atsd_ap(page_size), XTS_ATSD_LAUNCH_AP_SHIFT);
  val |= field(pid, XTS_ATSD_LAUNCH_PID_SHIFT);
  return val;
}

/**
 * Shoot down the translation of one page of `pid` in the AFU and wait until it is
 * done. The caller holds the link's atsd_lock: the registers are shared.
 */
export function pnv_ocxl_tlb_invalidate(arva: AtsdMmio | null, pid: unsigned_long, addr: unsigned_long, page_size: unsigned_long): void {
  if (!arva) return;
  // The AVA field holds the address's page number (addr >> 12) in its own place.
  if (addr) out_be64(arva, XTS_ATSD_AVA, field(addr >> BigInt(PAGE_SHIFT), PAGE_SHIFT));
  // Writing the launch register starts the shootdown.
  out_be64(arva, XTS_ATSD_LAUNCH, atsd_launch_val(pid, addr, page_size));
  // Poll until the AFU has dropped the translation: the pending bit is bit 63 (cpu_relax() between reads).
  while (in_be64(arva, XTS_ATSD_STAT) >> 63n) {
    /* cpu_relax() */
  }
}

/** invalidate_secondary_tlbs (invalidate_range before the rename): may run under the ptl. */
function invalidate_range(mn: mmu_notifier, mm: mm_struct, start: number, end: number): void {
  const pe_data = container_of<pe_data>(mn);
  const link = pe_data.link;
  const pid = ULONG(mm.context_id);
  const page_size = ULONG(PAGE_SIZE);
  const last = ULONG(end);
  // A spinlock: we may be under the page-table lock, so no sleeping.
  link.atsd_lock.spin_lock();
  for (let addr = ULONG(start); addr < last; addr = ul_add(addr, page_size)) pnv_ocxl_tlb_invalidate(link.arva, pid, addr, page_size);
  link.atsd_lock.spin_unlock();
}

/** No release op: the real driver has none. */
export const ocxl_mmu_notifier_ops: mmu_notifier_ops = {
  name: "ocxl",
  invalidate_secondary_tlbs: invalidate_range,
};
