/**
 * The oracle: watches page-table changes, lock releases, range ends, frees and device
 * accesses, and reports every broken rule as a typed Violation.
 *
 * When a secondary TLB must have dropped a translation depends on what the kernel
 * path did to the PTE (its "fate"), following the kernel's documented reasoning:
 * - "remap": the PTE now points elsewhere (COW, migration, reclaim to swap, THP
 *   collapse); other CPUs may use the new page as soon as the ptl is dropped, so the
 *   device must be clean by then.
 * - "unmap": the mapping is gone for good (munmap, exit, MADV_DONTNEED); like the
 *   CPU's own TLB, stale entries are harmless until the page is freed.
 * - "protect": same page, less permission (mprotect, writeback's mkclean); may be
 *   flushed after the ptl is dropped, by invalidate_range_end.
 * In every case no TLB may map a page when it is freed.
 */
import type { Sim } from "../sim/sim";
import { SlotMap } from "../sim/store";
import type { PhysMem } from "../mm/frames";
import type { mm_struct } from "../mm/mm";
import type { SpinLock } from "../locking/lock";
import type { Tlb, TlbHit } from "../hw/tlb";
import { PAGE_SIZE, hex } from "../mm/constants";

export type PteFate = "remap" | "unmap" | "protect";

/** A secondary translation cache and how its tags map to address spaces. */
export interface WatchedTlb {
  readonly tlb: Tlb;
  /** The mm a tag (PASID, ASID) translates for, or null for an unbound tag. */
  mmOfTag(tag: number): mm_struct | null;
}

const MM_SPACE = 2 ** 28;

export class Oracle {
  private readonly watched: WatchedTlb[] = [];
  private readonly cpuTlbs: Tlb[] = [];
  /** (mm, vpn) -> old pfn + 1, due when the ptl covering it is released. */
  private readonly dueAtUnlock: SlotMap;
  private readonly dueAtUnlockLock = new Map<number, { lock: SpinLock; mm: mm_struct; addr: number }>();
  /** (mm, vpn) -> 1, write permission must be gone from secondary TLBs by range_end. */
  private readonly dueAtEnd: SlotMap;
  private readonly dueAtEndWhere = new Map<number, { mm: mm_struct; addr: number }>();

  constructor(
    private readonly sim: Sim,
    private readonly phys: PhysMem,
  ) {
    this.dueAtUnlock = new SlotMap(sim.store, "oracle.due_at_unlock");
    this.dueAtEnd = new SlotMap(sim.store, "oracle.due_at_end");
    phys.onFree((pfn, nr) => this.frameFreed(pfn, nr));
  }

  watchSecondary(w: WatchedTlb): void {
    this.watched.push(w);
  }
  watchCpu(tlb: Tlb): void {
    this.cpuTlbs.push(tlb);
  }
  get secondaryTlbs(): readonly WatchedTlb[] {
    return this.watched;
  }

  private key(mm: mm_struct, addr: number): number {
    return mm.id * MM_SPACE + Math.floor(addr / PAGE_SIZE);
  }

  /** Secondary TLB entries for `addr` in `mm` (optionally only those mapping `pfn`). */
  private staleEntries(mm: mm_struct, addr: number, pred: (pfn: number, write: boolean) => boolean): string[] {
    const found: string[] = [];
    for (const w of this.watched) {
      for (const e of w.tlb.entries()) {
        if (w.mmOfTag(e.tag) !== mm) continue;
        if (addr < e.va || addr >= e.va + e.size) continue;
        const pfn = e.pfn + Math.floor((addr - e.va) / PAGE_SIZE);
        if (pred(pfn, e.write)) found.push(`${w.tlb.name} (tag ${e.tag}) maps ${hex(addr)} -> pfn ${pfn} ${e.write ? "rw" : "ro"}`);
      }
    }
    return found;
  }

  /** A leaf entry covering [addr, addr + size) changed from oldPfn (present) under `ptl`. */
  pteChanged(mm: mm_struct, addr: number, size: number, oldPfn: number, fate: PteFate, ptl: SpinLock): void {
    for (let a = addr; a < addr + size; a += PAGE_SIZE) {
      const k = this.key(mm, a);
      const pfn = oldPfn + (a - addr) / PAGE_SIZE;
      if (fate === "remap") {
        this.dueAtUnlock.set(k, pfn + 1);
        this.dueAtUnlockLock.set(k, { lock: ptl, mm, addr: a });
      } else if (fate === "protect") {
        this.dueAtEnd.set(k, 1);
        this.dueAtEndWhere.set(k, { mm, addr: a });
      }
    }
  }

  /** Called by spin_unlock of a page-table lock. */
  ptlReleased(lock: SpinLock): void {
    for (const [k, where] of this.dueAtUnlockLock) {
      if (where.lock !== lock) continue;
      const v = this.dueAtUnlock.get(k);
      if (v === 0) continue;
      this.dueAtUnlock.set(k, 0);
      const oldPfn = v - 1;
      const stale = this.staleEntries(where.mm, where.addr, (pfn) => pfn === oldPfn);
      if (stale.length) {
        this.sim.report(
          "stale-tlb-after-ptl-release",
          `${lock.name} released while ${stale[0]}, but the PTE for ${hex(where.addr)} no longer points to pfn ${oldPfn}: the secondary TLB must be invalidated under the page-table lock, when the CPU TLB is flushed (invalidate_secondary_tlbs), not later`,
          { address: where.addr, pfn: oldPfn },
        );
      }
    }
  }

  /** Called by mmu_notifier_invalidate_range_end after the subscriptions ran. */
  rangeEnded(mm: mm_struct, start: number, end: number): void {
    for (const [k, where] of this.dueAtEndWhere) {
      if (where.mm !== mm || where.addr < start || where.addr >= end) continue;
      if (this.dueAtEnd.get(k) === 0) continue;
      this.dueAtEnd.set(k, 0);
      const pte = mm.pgd.walk(where.addr);
      const stillWritable = pte !== null && (pte.entry & 3) === 3;
      if (stillWritable) continue;
      const stale = this.staleEntries(mm, where.addr, (_pfn, write) => write);
      if (stale.length) {
        this.sim.report(
          "stale-write-permission",
          `invalidate_range_end for [${hex(start)}, ${hex(end)}) returned while ${stale[0]}, but the PTE was write-protected: write permission must be gone from secondary TLBs by range_end`,
          { address: where.addr },
        );
      }
    }
  }

  private frameFreed(pfn: number, nr: number): void {
    for (const w of this.watched) {
      for (const e of w.tlb.entriesMapping(pfn, nr)) {
        const mm = w.mmOfTag(e.tag);
        this.sim.report(
          "stale-tlb-at-free",
          `page pfn ${pfn} freed while ${w.tlb.name} (tag ${e.tag}${mm ? `, ${mm.name}` : ""}) still maps ${hex(e.va)} -> pfn ${e.pfn}: secondary TLBs must be invalidated before the page is freed (tlb_flush_mmu_tlbonly runs before the gathered pages are freed)`,
          { address: e.va, pfn },
        );
        return;
      }
    }
    for (const t of this.cpuTlbs) {
      for (const e of t.entriesMapping(pfn, nr)) {
        this.sim.report("stale-tlb-at-free", `page pfn ${pfn} freed while CPU TLB ${t.name} still maps ${hex(e.va)}: the CPU TLB flush was skipped`, { address: e.va, pfn });
        return;
      }
    }
  }

  /**
   * A device read or wrote `addr` in `mm` through a cached translation `hit`.
   * Reports corruption, use-after-free, lost writes and ordering breaks. `horizonSlot`
   * holds the newest write id this device has observed.
   */
  deviceAccess(dev: string, mm: mm_struct, addr: number, hit: TlbHit, write: boolean, horizonSlot: number): void {
    const { pfn } = hit;
    const phys = this.phys;
    if (!phys.allocated(pfn)) {
      this.sim.report(
        "use-after-free",
        `${dev} ${write ? "wrote" : "read"} ${hex(addr)} through a stale translation to pfn ${pfn}, which has been freed: use-after-free by DMA`,
        { address: addr, pfn },
      );
      return;
    }
    if (phys.generation(pfn) !== hit.gen) {
      this.sim.report(
        "corruption",
        `${dev} ${write ? "wrote" : "read"} ${hex(addr)} through a stale translation to pfn ${pfn}, which was freed and reused by ${phys.ownerOf(pfn)}: memory corruption`,
        { address: addr, pfn },
      );
      return;
    }
    const now = mm.pgd.walk(addr);
    // Unmapped by the process itself (munmap, exit): late accesses are its own race.
    if (now === null) return;
    const nowPfn = now.entry & 1 ? (now.entry >>> 8) + Math.floor((addr % (now.level === "pte" ? PAGE_SIZE : now.level === "pmd" ? 2 ** 21 : 2 ** 30)) / PAGE_SIZE) : -1;
    if (nowPfn === pfn) return;
    if (write) {
      this.sim.report(
        "lost-write",
        `${dev} wrote ${hex(addr)} into pfn ${pfn}, but ${mm.name} now maps that address ${nowPfn < 0 ? "to nothing" : `to pfn ${nowPfn}`}: the write is lost`,
        { address: addr, pfn },
      );
      return;
    }
    if (nowPfn < 0) return;
    const seen = phys.read(pfn);
    const current = phys.read(nowPfn);
    const horizon = this.sim.store.get(horizonSlot);
    if (current > seen && current < horizon) {
      this.sim.report(
        "ordering",
        `${dev} read a stale value at ${hex(addr)} (write #${seen}) after it had already seen write #${horizon}, although write #${current} to ${hex(addr)} came first: the device saw the CPU's writes out of order (Documentation/mm/mmu_notifier.rst)`,
        { address: addr, pfn },
      );
    }
  }
}
