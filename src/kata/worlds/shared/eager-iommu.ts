/**
 * The hardware the core-path katas (04-clear-flush-notify, 04-call-sites,
 * 11-permission-upgrade) are graded on, and the correct SVA driver for it.
 *
 * `EagerIommu` is the generic SVA IOMMU made as unforgiving as real hardware is
 * allowed to be:
 * - its TLB (think of an ATS device's ATC) keeps **4 KiB pieces** of huge mappings, so
 *   an invalidation of the first 4 KiB of a 2 MiB page leaves the other pieces cached;
 * - the device has DMA in flight, so as soon as an invalidation completes it asks
 *   **again** for the translations it just lost: the IOMMU re-walks the page table
 *   right then. A kernel path that invalidates before it changes the PTE gets the old
 *   translation back at once (hardware may walk at any moment; this one walks at the
 *   worst one);
 * - on a write through a cached read-only entry it re-walks the page table (x86
 *   IOMMUs) or, with `rewalkOnPermissionFault: false`, faults from the cached entry
 *   (an SMMU may).
 *
 * `eagerSvaDriver()` binds a device to it with a correct `invalidate_secondary_tlbs`
 * and `release`, and can record every invalidation it is asked for.
 */
import type { Kernel } from "../../../kernel/kernel";
import type { mm_struct } from "../../../mm/mm";
import type { Sim } from "../../../sim/sim";
import type { PhysMem } from "../../../mm/frames";
import type { DriverSpec, BoundContext } from "../../../drivers/driver";
import type { IommuModel, TranslateResult } from "../../../hw/iommu";
import { GenericIommu } from "../../../hw/generic/iommu";
import { mmu_notifier, container_of, type mmu_notifier_ops } from "../../../notifier/mmu_notifier";
import { kstruct } from "../../../sim/store";
import { pte_present, pte_write, pte_pfn, pte_mkyoung, pte_mkdirty, pte_dirty } from "../../../mm/pte";
import { PAGE_SIZE, PMD_SIZE, PUD_SIZE, hex } from "../../../mm/constants";

export interface EagerIommuOptions {
  /** On a write through a cached read-only entry: re-walk (true, the default) or fault from the entry. */
  readonly rewalkOnPermissionFault?: boolean;
  /** Re-walk what an invalidation removed as soon as it completes (default true). */
  readonly rewalkAfterInvalidation?: boolean;
}

export class EagerIommu extends GenericIommu {
  private readonly rewalkAfterInvalidation: boolean;

  constructor(sim: Sim, phys: PhysMem, name = "iommu0", o: EagerIommuOptions = {}) {
    super(sim, phys, name, { rewalkOnPermissionFault: o.rewalkOnPermissionFault ?? true });
    this.rewalkAfterInvalidation = o.rewalkAfterInvalidation ?? true;
  }

  /** Translate as the base IOMMU does, but cache only the 4 KiB piece that was used. */
  override translate(pasid: number, addr: number, write: boolean): TranslateResult {
    const ctx = this.context(pasid);
    if (!ctx) return { ok: false, reason: "not-present" };
    const hit = this.iotlb.lookup(ctx.tag, addr);
    // A write through a clean writable entry walks to set the dirty bit (see Tlb).
    if (hit && !(write && hit.write && !hit.dirty && this.sim.model.dirtyBitWalk)) {
      if (!write || hit.write) return { ok: true, hit };
      if (!this.opts.rewalkOnPermissionFault) return { ok: false, reason: "permission" };
    }
    const w = ctx.mm.pgd.walk(addr);
    if (!w || !pte_present(w.entry)) return { ok: false, reason: "not-present" };
    if (write && !pte_write(w.entry)) return { ok: false, reason: "permission" };
    const size = w.level === "pte" ? PAGE_SIZE : w.level === "pmd" ? PMD_SIZE : PUD_SIZE;
    const base = Math.floor(addr / size) * size;
    const updated = write ? pte_mkdirty(pte_mkyoung(w.entry)) : pte_mkyoung(w.entry);
    if (updated !== w.entry) {
      if (w.level === "pte") ctx.mm.pgd.write_pte(addr, updated);
      else if (w.level === "pmd") ctx.mm.pgd.write_pmd(addr, updated);
      else ctx.mm.pgd.write_pud(addr, updated);
    }
    const va = Math.floor(addr / PAGE_SIZE) * PAGE_SIZE;
    const pfn = pte_pfn(w.entry) + (va - base) / PAGE_SIZE;
    const gen = this.phys.generation(pfn);
    const dirty = pte_dirty(updated);
    this.iotlb.fill(ctx.tag, va, "pte", pfn, pte_write(w.entry), gen, dirty);
    this.sim.log(() => `${this.name}: page walk ${hex(addr)} -> pfn ${pfn}${size > PAGE_SIZE ? ` (4 KiB piece of a ${w.level} mapping)` : ""}`);
    const entry = { tag: ctx.tag, va, size: PAGE_SIZE, pfn, write: pte_write(w.entry), dirty, gen };
    return { ok: true, hit: { pfn, write: entry.write, dirty, gen, entry } };
  }

  /** While set, the range of every inv_range command is appended here (kata 04-call-sites measures its sites with it). */
  watch: [number, number][] | null = null;

  override inv_range(pasid: number, start: number, end: number): void {
    if (!this.replayingNow()) this.watch?.push([start, end]);
    super.inv_range(pasid, start, end);
  }

  /** Whether the running step is being replayed after a wait (records were made the first time). */
  replayingNow(): boolean {
    return this.sim.store.replaying;
  }

  /** Whether the running step holds a spinlock (the driver records it). */
  inAtomicNow(): boolean {
    return this.sim.inAtomic();
  }

  /** Wait for the queued commands; then the device asks again for what it lost. */
  override sync(): void {
    if (!this.rewalkAfterInvalidation) return super.sync();
    const before = [...this.iotlb.entries()];
    super.sync();
    for (const e of before) {
      if (this.iotlb.lookup(e.tag, e.va)) continue;
      this.sim.log(() => `${this.name}: the device asks again for ${hex(e.va)} (DMA in flight)`);
      this.translate(e.tag, e.va, false);
    }
  }
}

/** One call of the driver's invalidate_secondary_tlbs, as recorded. */
export interface RecordedInvalidation {
  readonly start: number;
  readonly end: number;
  /** Whether the caller held a spinlock (the ptl) at the time. */
  readonly atomic: boolean;
}

export interface EagerDriverOptions extends EagerIommuOptions {
  /** Append every invalidate_secondary_tlbs call here (straight runs; exploration would repeat them). */
  readonly record?: RecordedInvalidation[];
  readonly name?: string;
}

interface eager_bond {
  mn: mmu_notifier;
  mm: mm_struct;
  pasid: number;
  iommu: EagerIommu;
  invalid: boolean;
}

/** A correct SVA driver for EagerIommu: flush [start, end) when told (no sleeping) and wait; release stops DMA. */
export function eagerSvaDriver(o: EagerDriverOptions = {}): DriverSpec {
  const name = o.name ?? "sva";
  const ops: mmu_notifier_ops = {
    name,
    invalidate_secondary_tlbs(mn, _mm, start, end) {
      const bond = container_of<eager_bond>(mn);
      const atomic = bond.iommu.inAtomicNow();
      if (!bond.iommu.replayingNow()) o.record?.push({ start, end, atomic });
      bond.iommu.inv_range(bond.pasid, start, end);
      bond.iommu.sync();
    },
    release(mn) {
      const bond = container_of<eager_bond>(mn);
      if (bond.invalid) return;
      bond.iommu.unbind(bond.pasid);
      bond.iommu.inv_pasid(bond.pasid);
      bond.iommu.sync();
      bond.invalid = true;
    },
  };
  return {
    name,
    description: "a correct SVA driver on an IOMMU that caches 4 KiB pieces and re-walks right after each invalidation",
    createIommu: (k: Kernel): IommuModel => k.addIommu(new EagerIommu(k.sim, k.phys, "iommu0", o)),
    bind(k: Kernel, iommu: IommuModel, mm: mm_struct, pasid: number): BoundContext {
      const io = iommu as EagerIommu;
      const bond: eager_bond = kstruct(k.sim.store, `${name}.bond`, {
        mn: new mmu_notifier(k.sim, ops, `${name}.notifier`),
        mm,
        pasid,
        iommu: io,
        invalid: false,
      });
      bond.mn.container = bond;
      io.bind(pasid, mm);
      const r = k.mn.mmu_notifier_register(bond.mn, mm);
      if (r !== 0) io.unbind(pasid);
      return { ret: r, tag: pasid };
    },
  };
}
