/**
 * The simulated kernel: one object holding the machine (physical memory, CPUs,
 * IOMMUs), the address spaces, the mmu_notifier core and the oracle. Kernel paths,
 * drivers and scenarios all take it as their first argument.
 */
import { Sim } from "../sim/sim";
import { LockRegistry } from "../locking/lock";
import { PhysMem } from "../mm/frames";
import { mm_struct } from "../mm/mm";
import { Oracle } from "../oracle/oracle";
import { Cpu, DEFAULT_ARCH, type ArchOptions } from "../hw/cpu";
import { MmuNotifierCore } from "../notifier/mmu_notifier";
import type { IommuModel } from "../hw/iommu";
import type { KernelHooks } from "./hooks";
import { DEFAULT_MODEL, type ModelOptions } from "../sim/model-options";

export interface KernelOptions {
  readonly cpus?: number;
  /** Base-page frames available to the allocator. */
  readonly frames?: number;
  readonly arch?: Partial<ArchOptions>;
  /** Replace parts of the mmu_notifier core (katas plug a learner's version in here). */
  readonly core?: (base: MmuNotifierCore) => MmuNotifierCore;
  /** Replace kernel helpers (katas plug a learner's version in here); see kernel/hooks.ts. */
  readonly hooks?: Partial<KernelHooks>;
  /** Finer parts of the model to turn off (all on by default); see sim/model-options.ts. */
  readonly model?: Partial<ModelOptions>;
}

/** First pfn the allocator hands out; huge pages are carved from HUGE_POOL_PFN up. */
export const FIRST_PFN = 0x100;
export const HUGE_POOL_PFN = 0x10000;

export class Kernel {
  readonly sim = new Sim();
  readonly locks = new LockRegistry(this.sim);
  readonly phys: PhysMem;
  readonly oracle: Oracle;
  readonly cpus: Cpu[] = [];
  readonly mn: MmuNotifierCore;
  readonly arch: ArchOptions;
  readonly mms: mm_struct[] = [];
  readonly iommus: IommuModel[] = [];
  /** Hardware that sees the CPUs' broadcast TLB invalidations (arm64 BTM), called on every CPU TLB flush. */
  readonly tlbiSnoopers: ((mm: mm_struct, start: number, end: number) => void)[] = [];
  /** Helpers replaced by a kata (empty: the kernel's own). */
  readonly hooks: Partial<KernelHooks>;
  private nextHugePfn = HUGE_POOL_PFN;

  constructor(opts: KernelOptions = {}) {
    this.arch = { ...DEFAULT_ARCH, ...opts.arch };
    this.sim.model = { ...DEFAULT_MODEL, ...opts.model };
    this.hooks = opts.hooks ?? {};
    this.phys = new PhysMem(this.sim, FIRST_PFN, opts.frames ?? 32);
    this.oracle = new Oracle(this.sim, this.phys);
    // Write permission is due where each model flushes secondary TLBs for mprotect.
    this.oracle.protectDeadline = this.arch.notifierModel === "rfc" ? "range_end" : "cpu_flush";
    for (let i = 0; i < (opts.cpus ?? 2); i++) {
      const cpu = new Cpu(this.sim, i);
      this.cpus.push(cpu);
      this.oracle.watchCpu(cpu.tlb);
    }
    const base = new MmuNotifierCore(this.sim, this.locks);
    this.mn = opts.core ? opts.core(base) : base;
    this.mn.secondaryAtRangeEnd = this.arch.notifierModel === "rfc";
    this.mn.onRangeEnd = (mm, start, end) => this.oracle.rangeEnded(mm, start, end);
    this.locks.onSpinUnlock = (lock) => {
      if (lock.lockClass === "ptl" || lock.lockClass === "page_table_lock") this.oracle.ptlReleased(lock);
    };
  }

  mm_alloc(name: string): mm_struct {
    const mm = new mm_struct(this.sim, this.locks, this.mms.length + 1, name);
    if (this.sim.model.freePageTables) mm.pgd.useTableFrames(this.phys);
    this.mms.push(mm);
    return mm;
  }

  addIommu<T extends IommuModel>(iommu: T): T {
    this.iommus.push(iommu);
    for (const w of iommu.watched()) this.oracle.watchSecondary(w);
    return iommu;
  }

  /** A naturally aligned run of `nr` frames for a huge page, allocated at setup. */
  alloc_huge_page(nr: number, owner: string): number {
    const pfn = Math.ceil(this.nextHugePfn / nr) * nr;
    this.nextHugePfn = pfn + nr;
    this.phys.claim(pfn, owner, nr);
    return pfn;
  }
}
