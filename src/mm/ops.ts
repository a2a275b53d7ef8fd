/**
 * Page-table updates and TLB flushes as kernel paths call them. Every leaf change
 * goes through here so the oracle sees it together with the lock it was made under.
 */
import type { Kernel } from "../kernel/kernel";
import type { vm_area_struct, mm_struct } from "./mm";
import type { SpinLock } from "../locking/lock";
import type { PteFate } from "../oracle/oracle";
import { type pte_t, pte_present, pte_pfn, pte_write, pte_describe } from "./pte";
import { PAGE_SIZE, PMD_SIZE, PUD_SIZE, ULONG_MAX, hex } from "./constants";

/** arm64 without range TLBI instructions: from this many entries (1 << (PAGE_SHIFT - 3)) a range flush becomes a whole-mm flush. */
export const MAX_TLBI_OPS = PAGE_SIZE / 8;
import type { Level } from "./pgtable";

const SIZE: Record<Level, number> = { pte: PAGE_SIZE, pmd: PMD_SIZE, pud: PUD_SIZE };

/** The lock that guards the entry at `level` for addr. */
export function entry_lock(mm: mm_struct, addr: number, level: Level): SpinLock {
  return level === "pte" ? mm.pgd.pte_lockptr(addr) : level === "pmd" ? mm.pgd.pmd_lockptr(addr) : mm.page_table_lock;
}

function read(mm: mm_struct, addr: number, level: Level): pte_t {
  return level === "pte" ? mm.pgd.get_pte(addr) : level === "pmd" ? mm.pgd.get_pmd(addr) : mm.pgd.get_pud(addr);
}

function write(mm: mm_struct, addr: number, level: Level, v: pte_t): void {
  if (level === "pte") mm.pgd.write_pte(addr, v);
  else if (level === "pmd") mm.pgd.write_pmd(addr, v);
  else mm.pgd.write_pud(addr, v);
}

/**
 * Replace the entry at `level` for addr with `next`, under its lock, telling the
 * oracle what happened to the old translation. Returns the old entry.
 */
export function set_entry(k: Kernel, mm: mm_struct, addr: number, level: Level, next: pte_t, fate: PteFate): pte_t {
  const lock = entry_lock(mm, addr, level);
  // (The message is only built when the check fails.)
  if (!lock.held) lock.assertHeld(`changing a ${level} entry of ${mm.name} at ${hex(addr)}`);
  const old = read(mm, addr, level);
  write(mm, addr, level, next);
  if (k.sim.tracing) k.sim.log(() => `${level} ${hex(addr)}: ${pte_describe(old)} -> ${pte_describe(next)}`);
  if (pte_present(old)) {
    const movedOrGone = !pte_present(next) || pte_pfn(next) !== pte_pfn(old);
    const lostWrite = pte_write(old) && !pte_write(next);
    if (movedOrGone) k.oracle.pteChanged(mm, addr, SIZE[level], pte_pfn(old), fate, lock);
    else if (lostWrite) k.oracle.pteChanged(mm, addr, SIZE[level], pte_pfn(old), "protect", lock);
  }
  return old;
}

/** set_pte_at(): install a new PTE (the old one must be none or non-present). */
export function set_pte_at(k: Kernel, mm: mm_struct, addr: number, pte: pte_t): void {
  set_entry(k, mm, addr, "pte", pte, "remap");
}

/** ptep_get_and_clear(): clear without flushing (mmu_gather flushes later). */
export function ptep_get_and_clear(k: Kernel, mm: mm_struct, addr: number, fate: PteFate): pte_t {
  return set_entry(k, mm, addr, "pte", 0, fate);
}

/**
 * flush_tlb_range(): every CPU drops its entries for the range (IPIs are immediate
 * here). `stride` is the size of the entries flushed: a hugetlb VMA's, or PMD_SIZE
 * for a huge PMD; the architectures count their thresholds in strides.
 */
export function flush_tlb_range(k: Kernel, vma: vm_area_struct, start: number, end: number, stride = vma.flags.hugetlb ? PMD_SIZE : PAGE_SIZE): void {
  flush_tlb_mm_range(k, vma.vm_mm, start, end, stride);
}

export function flush_tlb_page(k: Kernel, vma: vm_area_struct, addr: number): void {
  flush_tlb_mm_range(k, vma.vm_mm, addr, addr + PAGE_SIZE);
}

/**
 * x86's tlb_single_page_flush_ceiling: above this many pages flush_tlb_mm_range()
 * flushes the whole mm, and v6.6 tells secondary TLBs (0, -1UL)
 * (v6.6:arch/x86/mm/tlb.c:1011-1016,1040).
 */
export const tlb_single_page_flush_ceiling = 33;

/**
 * The range the architecture really flushes for [start, end) in entries of `stride`
 * bytes: arm64 without range TLBI instructions (as modelled) gives up on per-entry
 * TLBIs from MAX_TLBI_OPS entries, x86 above
 * tlb_single_page_flush_ceiling entries; both then flush the whole mm, which v6.6
 * passes on to secondary TLBs as (0, ULONG_MAX).
 */
export function arch_flush_range(k: Kernel, start: number, end: number, stride = PAGE_SIZE): [number, number] {
  if (start === 0 && end >= ULONG_MAX) return [0, ULONG_MAX];
  const entries = (end - start) / stride;
  const whole = k.arch.arch === "arm64" ? entries >= MAX_TLBI_OPS : entries > tlb_single_page_flush_ceiling;
  return whole ? [0, ULONG_MAX] : [start, end];
}

export function flush_tlb_mm_range(k: Kernel, mm: mm_struct, start: number, end: number, stride = PAGE_SIZE): void {
  let n = 0;
  for (const cpu of k.cpus) n += cpu.tlb.invalidateRange(mm.id, start, end);
  // Broadcast TLB maintenance: hardware that snoops the CPU's TLBIs (an SMMU with BTM;
  // mainline never enables it, v6.5:drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.c:3336,3471).
  for (const snoop of k.tlbiSnoopers) snoop(mm, start, end);
  if (k.sim.tracing) k.sim.log(() => `flush_tlb_range ${mm.name} [${hex(start)}, ${hex(end)})${n ? "" : " (no CPU entries)"}`);
  // v6.6: secondary TLBs are flushed exactly when the CPU TLB is, with the range the
  // architecture flushed (the whole mm as (0, ULONG_MAX) past its threshold).
  if (k.arch.notifierModel === "v6.6") {
    const [s, e] = arch_flush_range(k, start, end, stride);
    k.mn.mmu_notifier_invalidate_secondary_tlbs(mm, s, e);
  }
  k.oracle.cpuTlbFlushed(mm, start, end);
}

/** flush_tlb_mm(): the whole address space (fork's write-protect of the parent's COW pages). */
export function flush_tlb_mm(k: Kernel, mm: mm_struct): void {
  flush_tlb_mm_range(k, mm, 0, ULONG_MAX);
}

/**
 * arch_tlbbatch_add_pending(): reclaim with TTU_BATCH_FLUSH clears the PTE without a
 * flush and queues the flush for later. x86 only records which CPUs to flush; in v6.6
 * it tells secondary TLBs (0, -1UL) right here (v6.6:arch/x86/include/asm/tlbflush.h:280-287).
 * arm64 issues the page's TLBI now, without waiting for it, and in v6.6 that
 * (__flush_tlb_page_nosync) notifies the page.
 */
export function arch_tlbbatch_add_pending(k: Kernel, mm: mm_struct, addr: number): void {
  const v66 = k.arch.notifierModel === "v6.6";
  if (k.arch.arch === "arm64") {
    for (const cpu of k.cpus) cpu.tlb.invalidateRange(mm.id, addr, addr + PAGE_SIZE);
    for (const snoop of k.tlbiSnoopers) snoop(mm, addr, addr + PAGE_SIZE);
    if (v66) k.mn.mmu_notifier_invalidate_secondary_tlbs(mm, addr, addr + PAGE_SIZE);
  } else if (v66) k.mn.mmu_notifier_invalidate_secondary_tlbs(mm, 0, ULONG_MAX);
}

/** arch_tlbbatch_flush() (try_to_unmap_flush): the deferred CPU flush, before any page is freed. */
export function arch_tlbbatch_flush(k: Kernel, mm: mm_struct): void {
  for (const cpu of k.cpus) cpu.tlb.invalidateRange(mm.id, 0, ULONG_MAX);
  for (const snoop of k.tlbiSnoopers) snoop(mm, 0, ULONG_MAX);
  if (k.sim.tracing) k.sim.log(() => `arch_tlbbatch_flush ${mm.name}`);
}

/** ptep_clear_flush(): clear a PTE and flush the CPU TLB for it. */
export function ptep_clear_flush(k: Kernel, vma: vm_area_struct, addr: number, fate: PteFate): pte_t {
  const old = ptep_get_and_clear(k, vma.vm_mm, addr, fate);
  if (pte_present(old)) flush_tlb_page(k, vma, addr);
  return old;
}

/**
 * ptep_clear_flush_notify() and its PMD/PUD siblings: clear, flush the CPU TLB, then
 * invalidate secondary TLBs for one base, PMD-sized or PUD-sized page, all under the
 * ptl. In the v6.6 model the flush itself already told the secondary TLBs.
 */
export function ptep_clear_flush_notify(k: Kernel, vma: vm_area_struct, addr: number, fate: PteFate): pte_t {
  const hook = k.hooks.ptep_clear_flush_notify;
  if (hook) return hook(k, vma, addr, fate);
  const old = ptep_clear_flush(k, vma, addr, fate);
  if (k.arch.notifierModel === "rfc") k.mn.mmu_notifier_invalidate_secondary_tlbs(vma.vm_mm, addr, addr + PAGE_SIZE);
  return old;
}

/** Clear a PMD- or PUD-level leaf and flush the CPU TLB for the whole huge page. */
function huge_clear_flush(k: Kernel, vma: vm_area_struct, addr: number, level: "pmd" | "pud", fate: PteFate, notify: boolean): pte_t {
  const size = SIZE[level];
  const haddr = Math.floor(addr / size) * size;
  const old = set_entry(k, vma.vm_mm, haddr, level, 0, fate);
  flush_tlb_range(k, vma, haddr, haddr + size, size);
  if (notify && k.arch.notifierModel === "rfc") k.mn.mmu_notifier_invalidate_secondary_tlbs(vma.vm_mm, haddr, haddr + size);
  return old;
}

export const pmdp_huge_clear_flush = (k: Kernel, vma: vm_area_struct, addr: number, fate: PteFate): pte_t => huge_clear_flush(k, vma, addr, "pmd", fate, false);
export const pmdp_huge_clear_flush_notify = (k: Kernel, vma: vm_area_struct, addr: number, fate: PteFate): pte_t =>
  k.hooks.pmdp_huge_clear_flush_notify ? k.hooks.pmdp_huge_clear_flush_notify(k, vma, addr, fate) : huge_clear_flush(k, vma, addr, "pmd", fate, true);
export const pudp_huge_clear_flush = (k: Kernel, vma: vm_area_struct, addr: number, fate: PteFate): pte_t => huge_clear_flush(k, vma, addr, "pud", fate, false);
export const pudp_huge_clear_flush_notify = (k: Kernel, vma: vm_area_struct, addr: number, fate: PteFate): pte_t =>
  k.hooks.pudp_huge_clear_flush_notify ? k.hooks.pudp_huge_clear_flush_notify(k, vma, addr, fate) : huge_clear_flush(k, vma, addr, "pud", fate, true);

/** pte_unmap_unlock(): the oracle checks what had to be flushed by now (see Kernel). */
export function pte_unmap_unlock(_k: Kernel, ptl: SpinLock): void {
  ptl.spin_unlock();
}
