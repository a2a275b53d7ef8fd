/**
 * struct mm_struct and struct vm_area_struct, reduced to what secondary-TLB coherence
 * needs. The mmu_notifier subscriptions hang off the mm, as in the kernel.
 */
import type { Sim } from "../sim/sim";
import { Cell } from "../sim/store";
import { RwSemaphore, SpinLock, type LockRegistry } from "../locking/lock";
import { PageTable } from "./pgtable";
import { hex } from "./constants";
import { nextId } from "../kernel/ids";

export interface VmaFlags {
  readonly write: boolean;
  /** Anonymous private memory (COW on fork), else a file/shared mapping. */
  readonly anon: boolean;
  /** A hugetlbfs mapping of PMD-sized pages. */
  readonly hugetlb?: boolean;
}

export class vm_area_struct {
  private readonly live: Cell;
  private readonly writable: Cell;
  constructor(
    sim: Sim,
    readonly vm_mm: mm_struct,
    readonly vm_start: number,
    readonly vm_end: number,
    readonly flags: VmaFlags,
  ) {
    this.live = new Cell(sim.store, `${vm_mm.name}.vma[${hex(vm_start)}].live`, 1);
    this.writable = new Cell(sim.store, `${vm_mm.name}.vma[${hex(vm_start)}].VM_WRITE`, flags.write ? 1 : 0);
  }
  /** VM_WRITE: mprotect() changes it. */
  get vm_write(): boolean {
    return this.writable.value !== 0;
  }
  set vm_write(v: boolean) {
    this.writable.value = v ? 1 : 0;
  }
  get alive(): boolean {
    return this.live.value !== 0;
  }
  /** Unlinked by munmap or exit. */
  unlink(): void {
    this.live.value = 0;
  }
  contains(addr: number): boolean {
    return addr >= this.vm_start && addr < this.vm_end;
  }
}

/** Hooks the mmu_notifier core hangs on an mm (kept opaque here to avoid a cycle). */
export interface NotifierSubscriptions {
  readonly kind: "mmu_notifier_subscriptions";
}

export class mm_struct {
  readonly pgd: PageTable;
  readonly mmap_lock: RwSemaphore;
  readonly page_table_lock: SpinLock;
  readonly vmas: vm_area_struct[] = [];
  /** mm->notifier_subscriptions; null until the first registration. */
  notifier_subscriptions: NotifierSubscriptions | null = null;
  /** mm->context.id on powerpc: the PID an OpenCAPI shootdown names. */
  readonly context_id: number;
  /** mm->pasid: the PASID the IOMMU SVA core gave this mm when it was first bound (-1: none yet). */
  pasid = -1;
  /** The ASID arm64 gives this mm (its mm->context.id there), shared by an SMMU SVA context. */
  readonly asid: number;
  /** Set while exit_mmap() tears the mm down. */
  private readonly exiting: Cell;

  constructor(
    private readonly sim: Sim,
    locks: LockRegistry,
    readonly id: number,
    readonly name: string,
  ) {
    this.mmap_lock = new RwSemaphore(locks, `${name}.mmap_lock`, "mmap_lock");
    this.page_table_lock = new SpinLock(locks, `${name}.page_table_lock`, "page_table_lock");
    this.pgd = new PageTable(sim, locks, name, this.page_table_lock);
    // Distinct ids: each from a range of its own; otherwise both are the mm's number.
    this.context_id = nextId(sim, "context id", id);
    this.asid = nextId(sim, "asid", id);
    this.exiting = new Cell(sim.store, `${name}.exiting`);
  }

  add_vma(start: number, end: number, flags: VmaFlags): vm_area_struct {
    const vma = new vm_area_struct(this.sim, this, start, end, flags);
    this.vmas.push(vma);
    return vma;
  }

  /** find_vma(): the live VMA containing addr, if any. */
  find_vma(addr: number): vm_area_struct | null {
    for (const v of this.vmas) if (v.alive && v.contains(addr)) return v;
    return null;
  }

  get is_exiting(): boolean {
    return this.exiting.value !== 0;
  }
  set_exiting(): void {
    this.exiting.value = 1;
  }
}
