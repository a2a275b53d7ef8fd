/**
 * The oracle: watches page-table changes, lock releases, range ends, frees and device
 * accesses, and reports every broken rule as a typed Violation.
 *
 * When a secondary TLB must have dropped a translation depends on what the kernel
 * path did to the PTE (its "fate"), following the kernel's documented reasoning:
 * - "remap": the PTE now points elsewhere (COW, reclaim to swap or discard, THP
 *   collapse); other CPUs may use the new page as soon as the ptl is dropped, so the
 *   device must be clean by then.
 * - "migrate": the PTE is now a migration entry (try_to_migrate_one). CPUs that fault
 *   wait for the migration, and a device write to the old page before the copy is
 *   copied with it, so the kernel leaves the secondary flush to range_end
 *   (v6.5:mm/rmap.c:2104-2107,2123): the device must be clean before the copy
 *   (v6.5:mm/migrate.c:1741-1757).
 * - "unmap": the mapping is gone for good (munmap, exit, MADV_DONTNEED); like the
 *   CPU's own TLB, stale entries are harmless until the page is freed.
 * - "protect": same page, less permission (mprotect, writeback's mkclean, KSM's
 *   write_protect_page); may be flushed after the ptl is dropped. The deadline
 *   depends on the notifier model: in the RFC, invalidate_range_end (which flushes
 *   secondary TLBs); in v6.6, where range_end flushes nothing, once both range_end
 *   and the CPU TLB flush that covers the page have run (mprotect's flush comes after
 *   range_end, v6.6:mm/mprotect.c:430,508).
 * - "same-content": a read-only page replaced by another read-only page with the same
 *   content (KSM's replace_page); like "unmap", checked when the old page is freed.
 * In every case no TLB may map a page when it is freed.
 */
import type { Sim } from "../sim/sim";
import { SlotMap } from "../sim/store";
import type { PhysMem } from "../mm/frames";
import type { mm_struct } from "../mm/mm";
import type { SpinLock } from "../locking/lock";
import { TlbEntryList, type Tlb, type TlbHit } from "../hw/tlb";
import { PAGE_SIZE, PMD_SIZE, PUD_SIZE, hex } from "../mm/constants";

export type PteFate =
  | "remap"
  | "unmap"
  /** A migration entry replaced the PTE: due before the contents are copied. */
  | "migrate"
  | "protect"
  /**
   * A read-only page replaced by a read-only page with the same content: KSM's
   * replace_page(), after write_protect_page() took write permission away. The kernel
   * calls plain ptep_clear_flush() there, "no need to notify as we are replacing a read
   * only page with another read only page with the same content" (see
   * Documentation/mm/mmu_notifier.rst): until range_end a device may go on reading
   * the old page, which reads the same, and nobody can write it (no PTE or TLB allows
   * writes any more), so nothing is seen out of order. What remains is the rule for
   * every page: no TLB may map it when it is freed, which KSM's order (the last put
   * after range_end) keeps. So it is checked at free, like "unmap"; the device's reads
   * of the old page are still checked for ordering at each access.
   */
  | "same-content";

/** A secondary translation cache and how its tags map to address spaces. */
export interface WatchedTlb {
  readonly tlb: Tlb;
  /** The mm a tag (PASID, ASID) translates for, or null for an unbound tag. */
  mmOfTag(tag: number): mm_struct | null;
}

/** Keys: mm id, then the page number (< 2^36: user addresses up to 2^48). */
const MM_SPACE = 2 ** 36;

/**
 * When write permission removed from a PTE ("protect") must be gone from secondary
 * TLBs: at invalidate_range_end (the RFC, where range_end flushes them), or once both
 * range_end and the CPU TLB flush covering the page have run (v6.6: the arch flush
 * tells secondary TLBs, range_end tells start/end users; mprotect flushes after
 * range_end, KSM and writeback before it).
 */
export type ProtectDeadline = "range_end" | "cpu_flush";

/** Bits of a pending "protect" record: pending, range_end seen, CPU flush seen. */
const PROTECT_PENDING = 1;
const RANGE_END_SEEN = 2;
const CPU_FLUSH_SEEN = 4;

/** One (mm, base page) the oracle has had a deadline for, with the lock it waits on. */
class Due {
  constructor(
    /** Its slot in dueAtUnlock or dueAtEnd. */
    readonly slot: number,
    /** First-use order: checks go in this order, as in one insertion-ordered map. */
    readonly seq: number,
    readonly mm: mm_struct,
    readonly addr: number,
    public lock: SpinLock | null,
  ) {}
}

/** Insert keeping `seq` order (almost always an append). */
function insertBySeq(list: Due[], d: Due): void {
  let i = list.length;
  while (i > 0 && list[i - 1]!.seq > d.seq) i--;
  list.splice(i, 0, d);
}

export class Oracle {
  private readonly watched: WatchedTlb[] = [];
  private readonly cpuTlbs: Tlb[] = [];
  /** (mm, vpn) -> old pfn + 1, due when the ptl covering it is released. */
  private readonly dueAtUnlock: SlotMap;
  /** Records of dueAtUnlock by slot, and by the lock they wait for now. */
  private readonly unlockBySlot: (Due | undefined)[] = [];
  private readonly unlockByLock = new Map<SpinLock, Due[]>();
  /** (mm, vpn) -> PROTECT_PENDING and the *_SEEN bits: write permission must go (see ProtectDeadline). */
  private readonly dueAtEnd: SlotMap;
  private readonly endBySlot: (Due | undefined)[] = [];
  private readonly endByMm = new Map<mm_struct, Due[]>();
  private seq = 0;
  /** pfn -> its generation + 1 once migration copied its contents (later writes to it are lost). */
  private readonly copied: SlotMap;
  /** (mm, vpn) -> pfn + 1 of a clean lazy-free page reclaim discarded there. */
  private readonly discarded: SlotMap;
  /** See ProtectDeadline; the Kernel sets it from its notifier model. */
  protectDeadline: ProtectDeadline = "range_end";
  /** Live secondary entries, gathered once per check (a check changes no TLB). */
  private readonly live = new TlbEntryList();
  private readonly liveMm: (mm_struct | null)[] = [];
  private readonly liveWatch: WatchedTlb[] = [];

  constructor(
    private readonly sim: Sim,
    private readonly phys: PhysMem,
  ) {
    this.dueAtUnlock = new SlotMap(sim.store, "oracle.due_at_unlock");
    this.dueAtEnd = new SlotMap(sim.store, "oracle.due_at_end");
    this.copied = new SlotMap(sim.store, "oracle.migration_copied");
    this.discarded = new SlotMap(sim.store, "oracle.discarded");
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

  /** Gather the live entries of every watched TLB that cover `addr`, with the mm of each one's tag. */
  private scanSecondary(addr: number): void {
    const live = this.live;
    live.clear();
    for (const w of this.watched) {
      const from = live.n;
      w.tlb.liveEntriesCoveringInto(addr, live);
      for (let i = from; i < live.n; i++) this.liveWatch[i] = w;
    }
    for (let i = 0; i < live.n; i++) this.liveMm[i] = this.liveWatch[i]!.mmOfTag(live.tags[i]!);
  }

  /**
   * Index in `live` of the first entry for `addr` in `mm` whose frame there is `pfn`
   * (any frame if pfn < 0) and which allows writes (if `writeOnly`); -1 if none.
   */
  private firstStale(mm: mm_struct, addr: number, pfn: number, writeOnly: boolean): number {
    const live = this.live;
    for (let i = 0; i < live.n; i++) {
      if (this.liveMm[i] !== mm) continue;
      const va = live.vas[i]!;
      if (addr < va || addr >= va + live.sizes[i]!) continue;
      if (writeOnly && !live.writes[i]) continue;
      if (pfn >= 0 && live.pfns[i]! + Math.floor((addr - va) / PAGE_SIZE) !== pfn) continue;
      return i;
    }
    return -1;
  }

  private describe(i: number, addr: number): string {
    const live = this.live;
    const pfn = live.pfns[i]! + Math.floor((addr - live.vas[i]!) / PAGE_SIZE);
    return `${live.tlbs[i]!.name} (tag ${live.tags[i]}) maps ${hex(addr)} -> pfn ${pfn} ${live.writes[i] ? "rw" : "ro"}`;
  }

  /** The record of slot `slot`, created on first use. */
  private due(bySlot: (Due | undefined)[], slot: number, mm: mm_struct, addr: number): Due {
    let d = bySlot[slot];
    if (d === undefined) bySlot[slot] = d = new Due(slot, this.seq++, mm, addr, null);
    return d;
  }

  /** A leaf entry covering [addr, addr + size) changed from oldPfn (present) under `ptl`. */
  pteChanged(mm: mm_struct, addr: number, size: number, oldPfn: number, fate: PteFate, ptl: SpinLock): void {
    // An unmap, or a replacement with the same content, is checked when the page is
    // freed (frameFreed); a migration, when its contents are copied (migrationCopy).
    if (fate === "unmap" || fate === "same-content" || fate === "migrate") return;
    const st = this.sim.store;
    for (let a = addr; a < addr + size; a += PAGE_SIZE) {
      const k = this.key(mm, a);
      if (fate === "remap") {
        const slot = this.dueAtUnlock.slotFor(k);
        st.set(slot, oldPfn + (a - addr) / PAGE_SIZE + 1);
        const d = this.due(this.unlockBySlot, slot, mm, a);
        if (d.lock !== ptl) {
          if (d.lock !== null) {
            const old = this.unlockByLock.get(d.lock)!;
            old.splice(old.indexOf(d), 1);
          }
          d.lock = ptl;
          let list = this.unlockByLock.get(ptl);
          if (!list) this.unlockByLock.set(ptl, (list = []));
          insertBySeq(list, d);
        }
      } else {
        const slot = this.dueAtEnd.slotFor(k);
        st.set(slot, PROTECT_PENDING);
        if (this.endBySlot[slot] === undefined) {
          const d = this.due(this.endBySlot, slot, mm, a);
          let list = this.endByMm.get(mm);
          if (!list) this.endByMm.set(mm, (list = []));
          insertBySeq(list, d);
        }
      }
    }
  }

  /** Called by spin_unlock of a page-table lock. */
  ptlReleased(lock: SpinLock): void {
    const list = this.unlockByLock.get(lock);
    if (list === undefined) return;
    const st = this.sim.store;
    for (let j = 0; j < list.length; j++) {
      const d = list[j]!;
      const v = st.get(d.slot);
      if (v === 0) continue;
      st.set(d.slot, 0);
      const oldPfn = v - 1;
      this.scanSecondary(d.addr);
      const i = this.firstStale(d.mm, d.addr, oldPfn, false);
      if (i >= 0) {
        this.sim.report(
          "stale-tlb-after-ptl-release",
          `${lock.name} released while ${this.describe(i, d.addr)}, but the PTE for ${hex(d.addr)} no longer points to pfn ${oldPfn}: the secondary TLB must be invalidated under the page-table lock, when the CPU TLB is flushed (invalidate_secondary_tlbs), not later`,
          { address: d.addr, pfn: oldPfn },
        );
      }
    }
  }

  /** Called by mmu_notifier_invalidate_range_end after the subscriptions ran. */
  rangeEnded(mm: mm_struct, start: number, end: number): void {
    this.protectDue(mm, start, end, RANGE_END_SEEN, "invalidate_range_end");
  }

  /**
   * Called by the CPU TLB flush of [start, end) in mm, after it told secondary TLBs
   * (v6.6: the arch flush calls the notifier).
   */
  cpuTlbFlushed(mm: mm_struct, start: number, end: number): void {
    if (this.protectDeadline === "cpu_flush") this.protectDue(mm, start, end, CPU_FLUSH_SEEN, "the CPU TLB flush");
  }

  /**
   * Record that `seen` (range_end, or the CPU TLB flush) happened for the
   * write-protected pages of [start, end), and check those whose deadline has come:
   * range_end in the RFC; in v6.6, once both range_end and the CPU flush have passed
   * (a start/end user is told at range_end, a secondary TLB at the flush).
   */
  private protectDue(mm: mm_struct, start: number, end: number, seen: number, what: string): void {
    const list = this.endByMm.get(mm);
    if (list === undefined) return;
    const st = this.sim.store;
    const needed = this.protectDeadline === "range_end" ? RANGE_END_SEEN : RANGE_END_SEEN | CPU_FLUSH_SEEN;
    for (let j = 0; j < list.length; j++) {
      const d = list[j]!;
      if (d.addr < start || d.addr >= end) continue;
      const v = st.get(d.slot);
      if (v === 0) continue;
      const now = v | seen;
      if ((now & needed) !== needed) {
        st.set(d.slot, now);
        continue;
      }
      st.set(d.slot, 0);
      const stillWritable = (mm.pgd.leaf(d.addr) & 3) === 3;
      if (stillWritable) continue;
      this.scanSecondary(d.addr);
      const i = this.firstStale(mm, d.addr, -1, true);
      if (i >= 0) {
        const rule =
          this.protectDeadline === "range_end"
            ? "by range_end (in the RFC, range_end flushes them)"
            : "once range_end and the CPU TLB flush have both run (in v6.6 the arch flush notifies; range_end flushes nothing)";
        this.sim.report(
          "stale-write-permission",
          `${what} for [${hex(start)}, ${hex(end)}) returned while ${this.describe(i, d.addr)}, but the PTE was write-protected: write permission must be gone from secondary TLBs ${rule}`,
          { address: d.addr },
        );
      }
    }
  }

  /**
   * Migration is about to copy `oldPfn`, which `addr` in mm mapped before its PTE
   * became a migration entry. A device still caching that translation could write the
   * old page after the copy, and the write would be lost with it.
   */
  migrationCopy(mm: mm_struct, addr: number, oldPfn: number): void {
    this.copied.set(oldPfn, this.phys.generation(oldPfn) + 1);
    this.scanSecondary(addr);
    const i = this.firstStale(mm, addr, oldPfn, false);
    if (i >= 0) {
      this.sim.report(
        "stale-tlb-at-copy",
        `migration copies pfn ${oldPfn} to its new page while ${this.describe(i, addr)}: a device write through it after the copy would be lost. try_to_migrate_one makes no call of its own for a migration entry: secondary TLBs must be flushed before the copy, by invalidate_range_end in the RFC, by ptep_clear_flush's CPU TLB flush in v6.6`,
        { address: addr, pfn: oldPfn },
      );
    }
  }

  /** Reclaim dropped clean lazy-free page `pfn` at addr (try_to_unmap_one's discard). */
  pageDiscarded(mm: mm_struct, addr: number, pfn: number): void {
    this.discarded.set(this.key(mm, addr), pfn + 1);
  }

  private frameFreed(pfn: number, nr: number): void {
    for (const w of this.watched) {
      const e = w.tlb.firstEntryMapping(pfn, nr);
      if (e !== null) {
        const mm = w.mmOfTag(e.tag);
        // At exit the zap notifies no one: release was the subscription's last call.
        const why = mm?.is_exiting
          ? "at exit: exit_mmap's mmu_notifier_release is a subscription's last callback before the zap frees the pages; unhashed, it hears nothing of the zap's tlb_flush_mmu_tlbonly, so release must flush the device's TLBs and stop it using the mm"
          : "tlb_flush_mmu_tlbonly runs before the gathered pages are freed";
        this.sim.report(
          "stale-tlb-at-free",
          `page pfn ${pfn} freed while ${w.tlb.name} (tag ${e.tag}${mm ? `, ${mm.name}` : ""}) still maps ${hex(e.va)} -> pfn ${e.pfn}: secondary TLBs must be invalidated before the page is freed (${why})`,
          { address: e.va, pfn },
        );
        return;
      }
    }
    for (const t of this.cpuTlbs) {
      const e = t.firstEntryMapping(pfn, nr);
      if (e !== null) {
        this.sim.report("stale-tlb-at-free", `page pfn ${pfn} freed while CPU TLB ${t.name} still maps ${hex(e.va)}: the CPU TLB flush was skipped`, { address: e.va, pfn });
        return;
      }
    }
  }

  private lostWrite(dev: string, addr: number, pfn: number, why: string): void {
    this.sim.report("lost-write", `${dev} wrote ${hex(addr)} into pfn ${pfn} through a stale translation, and the write is lost: ${why}`, { address: addr, pfn });
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
    const now = mm.pgd.leaf(addr);
    const level = mm.pgd.leafLevel;
    // A discarded lazy-free page: the process still maps the address, and its next
    // access gets a zero page, not what the device wrote.
    const discarded = this.discarded.get(this.key(mm, addr)) === pfn + 1;
    if (now === 0) {
      // Otherwise unmapped by the process itself (munmap, exit): late accesses are its own race.
      if (write && discarded) this.lostWrite(dev, addr, pfn, "reclaim discarded that clean lazy-free (MADV_FREE) page: the next access at that address gets a zero page");
      return;
    }
    const nowPfn = now & 1 ? (now >>> 8) + Math.floor((addr % (level === "pte" ? PAGE_SIZE : level === "pmd" ? PMD_SIZE : PUD_SIZE)) / PAGE_SIZE) : -1;
    if (nowPfn === pfn) return;
    const copiedAway = this.copied.get(pfn) === phys.generation(pfn) + 1;
    if (write) {
      // A swap or migration entry still points at this page's contents: pageout, or
      // the migration copy, carries the write, unless the copy has been taken.
      if (nowPfn < 0 && !copiedAway) return;
      const why = discarded
        ? "reclaim discarded that clean lazy-free (MADV_FREE) page; the address now maps a fresh zero page"
        : copiedAway
        ? "migration had already copied that page to its new one"
        : `${mm.name} now maps that address to pfn ${nowPfn}, and nothing copies pfn ${pfn} there`;
      this.lostWrite(dev, addr, pfn, why);
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
