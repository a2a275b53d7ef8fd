/**
 * Intel VT-d with scalable mode, as intel/svm.c sees it: a PASID table (PASID -> the
 * process page table, with a present bit and a fault-processing-disable bit), an
 * IOTLB tagged by (domain id, PASID), a device-TLB (ATC) in an ATS device, and an
 * invalidation queue (QI). Software writes descriptors at the queue's tail; the unit
 * fetches and executes them when it gets to them; an invalidation wait descriptor,
 * whose status word the CPU polls without sleeping, is how software knows that
 * everything before it has been done (docs/KERNEL-FACTS.md#cmd-waits).
 *
 * The hardware rule that makes this driver interesting: a page-selective descriptor
 * does not name [address, address + size) but a naturally aligned block of 2^AM pages.
 * The unit ignores the address bits below that size, so an unaligned address names
 * the aligned block that contains it (the wrong one), and a size that is not rounded
 * up to a power of two leaves the end of the range cached.
 */
import type { Sim } from "../../sim/sim";
import type { PhysMem } from "../../mm/frames";
import type { mm_struct } from "../../mm/mm";
import { Cell } from "../../sim/store";
import { SpinLock, type LockRegistry } from "../../locking/lock";
import { IommuModel } from "../iommu";
import { Tlb } from "../tlb";
import { CommandQueue, type Command } from "../cmdqueue";
import { nextId } from "../../kernel/ids";
import { PAGE_SHIFT, PAGE_SIZE, hex } from "../../mm/constants";
import { check_ulong_arg } from "../../mm/ulong";

/** VT-d pages are 4 KiB, as the CPU's. */
export const VTD_PAGE_SHIFT = PAGE_SHIFT;
export const VTD_PAGE_SIZE = PAGE_SIZE;

/** Descriptor types (the values of the VT-d specification, defined in drivers/iommu/intel/iommu.h). */
export const QI_IWD_TYPE = 0x5;
export const QI_EIOTLB_TYPE = 0x6;
export const QI_DEIOTLB_TYPE = 0x8;

/** Granularities of a PASID-based IOTLB invalidation (p_iotlb_inv_dsc). */
export const QI_GRAN_NONG_PASID = 2;
export const QI_GRAN_PSI_PASID = 3;

/** A device-TLB size order this large names the whole address space (address 0, every S bit set). */
export const QI_DEV_EIOTLB_ALL_ORDER = 64 - VTD_PAGE_SHIFT;

/**
 * The domain id scalable-mode SVA binds use for first-level tables: FLPT_DEFAULT_DID of
 * drivers/iommu/intel/pasid.h, given by intel_svm_bind_mm()
 * (v6.6:drivers/iommu/intel/svm.c:334,345-346; docs/KERNEL-FACTS.md#flpt-default-did).
 */
export const FLPT_DEFAULT_DID = 1;

/** PASID-based IOTLB invalidation. */
export interface p_iotlb_inv_dsc {
  readonly type: typeof QI_EIOTLB_TYPE;
  readonly did: number;
  readonly pasid: number;
  /** QI_GRAN_PSI_PASID (2^am pages at addr) or QI_GRAN_NONG_PASID (all of the PASID). */
  readonly granu: number;
  /** Page-selective only: the block's address; the unit ignores bits below 2^am pages. */
  readonly addr: number;
  /** Page-selective only: address mask, the block is 2^am pages. */
  readonly am: number;
  /**
   * Invalidation hint: 1 says only leaf entries changed, so the unit keeps its
   * paging-structure caches; 0 drops them in the block too (with model.freePageTables).
   */
  readonly ih: number;
}

/** PASID-based device-TLB invalidation, sent to an ATS device as an ATS invalidation request. */
export interface dev_tlb_pasid_inv_dsc {
  readonly type: typeof QI_DEIOTLB_TYPE;
  /** Source id of the device (bus/device/function). */
  readonly sid: number;
  readonly pasid: number;
  /** The device's invalidation queue depth (flow control only). */
  readonly qdep: number;
  /** The block's address; like the IOTLB, the device reads a naturally aligned block. */
  readonly addr: number;
  /** The block is 2^size_order pages; QI_DEV_EIOTLB_ALL_ORDER means everything. */
  readonly size_order: number;
}

/** Invalidation wait: the unit writes a status word when every earlier descriptor is done. */
export interface inv_wait_dsc {
  readonly type: typeof QI_IWD_TYPE;
}

export type qi_desc = p_iotlb_inv_dsc | dev_tlb_pasid_inv_dsc | inv_wait_dsc;

/** A PASID-based IOTLB invalidation of 2^am pages at addr (page-selective-within-PASID). */
export function build_p_iotlb_inv_dsc(did: number, pasid: number, addr: number, am: number, ih = 0): p_iotlb_inv_dsc {
  check_ulong_arg("build_p_iotlb_inv_dsc", "addr", addr);
  return { type: QI_EIOTLB_TYPE, did, pasid, granu: QI_GRAN_PSI_PASID, addr, am, ih };
}

/** A PASID-based IOTLB invalidation of everything the domain caches for the PASID. */
export function build_p_iotlb_inv_dsc_all(did: number, pasid: number): p_iotlb_inv_dsc {
  return { type: QI_EIOTLB_TYPE, did, pasid, granu: QI_GRAN_NONG_PASID, addr: 0, am: 0, ih: 0 };
}

/** A device-TLB invalidation of 2^size_order pages at addr for the PASID. */
export function build_dev_tlb_pasid_inv_dsc(sid: number, pasid: number, qdep: number, addr: number, size_order: number): dev_tlb_pasid_inv_dsc {
  check_ulong_arg("build_dev_tlb_pasid_inv_dsc", "addr", addr);
  return { type: QI_DEIOTLB_TYPE, sid, pasid, qdep, addr, size_order };
}

/** A device-TLB invalidation of every translation the device caches for the PASID. */
export function build_dev_tlb_pasid_inv_dsc_all(sid: number, pasid: number, qdep: number): dev_tlb_pasid_inv_dsc {
  return build_dev_tlb_pasid_inv_dsc(sid, pasid, qdep, 0, QI_DEV_EIOTLB_ALL_ORDER);
}

export function build_inv_wait_dsc(): inv_wait_dsc {
  return { type: QI_IWD_TYPE };
}

/** The naturally aligned block of pages a page-selective descriptor names: [first, first + count) in pages. */
export function vtd_block(addr: number, order: number): { first: number; count: number } {
  const count = 2 ** order;
  const first = Math.floor(Math.floor(addr / VTD_PAGE_SIZE) / count) * count;
  return { first, count };
}

/** Short text for traces and test messages. */
export function describe_qi_desc(d: qi_desc): string {
  if (d.type === QI_IWD_TYPE) return "inv_wait_dsc";
  if (d.type === QI_EIOTLB_TYPE) {
    if (d.granu === QI_GRAN_NONG_PASID) return `p_iotlb_inv_dsc did ${d.did} pasid ${d.pasid} all`;
    return `p_iotlb_inv_dsc did ${d.did} pasid ${d.pasid} addr ${hex(d.addr)} am ${d.am}`;
  }
  if (d.size_order >= QI_DEV_EIOTLB_ALL_ORDER) return `dev_tlb_pasid_inv_dsc sid ${hex(d.sid)} pasid ${d.pasid} all`;
  return `dev_tlb_pasid_inv_dsc sid ${hex(d.sid)} pasid ${d.pasid} addr ${hex(d.addr)} size_order ${d.size_order}`;
}

/** What a cost table calls each descriptor. */
export function qi_desc_kind(d: qi_desc): string {
  if (d.type === QI_IWD_TYPE) return "inv_wait_dsc";
  if (d.type === QI_EIOTLB_TYPE) return d.granu === QI_GRAN_NONG_PASID ? "p_iotlb_inv_dsc (all of PASID)" : "p_iotlb_inv_dsc (page-selective)";
  return d.size_order >= QI_DEV_EIOTLB_ALL_ORDER ? "dev_tlb_pasid_inv_dsc (all)" : "dev_tlb_pasid_inv_dsc";
}

export interface IntelIommuOptions {
  /** The device behind this unit uses ATS, so it has a device-TLB of its own (default true). */
  readonly ats?: boolean;
  /** Source id of the device behind this unit (default 0x100: bus 1, device 0, function 0). */
  readonly sid?: number;
  /** The device's invalidation queue depth. */
  readonly qdep?: number;
  /** cap_max_amask_val: the largest AM a page-selective descriptor may carry (default 18, 1 GiB). */
  readonly mamv?: number;
}

/** One PASID table entry: first-level translation through mm's page table. */
interface pasid_entry {
  readonly mm: mm_struct;
  readonly did: number;
  /** P bit. */
  readonly present: Cell;
  /** FPD: faults through this entry are not recorded or reported. */
  readonly fpd: Cell;
}

const EIOTLB_GRAN_BITS = 4;
const EIOTLB_AM_SHIFT = 4;
const EIOTLB_IH_SHIFT = 12;

export class IntelIommu extends IommuModel {
  readonly iotlb: Tlb;
  /** The ATS device's device-TLB (absent without ATS). */
  readonly devtlb: Tlb | null;
  /** The invalidation queue. */
  readonly qi: CommandQueue;
  /** qi->q_lock: serialises writers of the queue (not held while polling: see qi_wait). */
  readonly qi_lock: SpinLock;
  readonly sid: number;
  readonly qdep: number;
  /** cap_max_amask_val(iommu->cap). */
  readonly mamv: number;
  /** Status word of the wait descriptors: the number of the last one the unit completed. */
  private readonly waitStatus: Cell;
  private readonly waitSeq: Cell;
  private readonly pasidTable = new Map<number, pasid_entry>();
  /** Non-recoverable faults the unit recorded and reported (DMA through a cleared PASID entry without FPD). */
  faultsReported = 0;
  /** Descriptors the unit rejected as invalid (an invalidation queue error), by the hardware rule. */
  readonly rejected: string[] = [];
  /** When set, every submitted descriptor is appended here (tests look at what the driver sent). */
  submitted: qi_desc[] | null = null;

  constructor(sim: Sim, phys: PhysMem, locks: LockRegistry, o: IntelIommuOptions = {}, name = "dmar0") {
    // VT-d re-walks the page table on a write through a cached read-only entry.
    super(sim, phys, name, { rewalkOnPermissionFault: true });
    this.sid = o.sid ?? nextId(sim, "devid", 0x100);
    this.qdep = o.qdep ?? 16;
    this.mamv = o.mamv ?? 18;
    this.iotlb = new Tlb(sim, `${name}.iotlb`, "secondary");
    this.devtlb = o.ats === false ? null : new Tlb(sim, `dev ${hex(this.sid)}.devtlb`, "secondary");
    this.qi = new CommandQueue(sim, `${name}.qi`, 64, (c) => this.execute(c));
    this.qi_lock = new SpinLock(locks, `${name}.qi->q_lock`, "qi_lock");
    this.waitStatus = new Cell(sim.store, `${name}.qi.wait_status`);
    this.waitSeq = new Cell(sim.store, `${name}.qi.wait_seq`);
    this.addWalkCache();
  }

  caches(): readonly Tlb[] {
    return this.devtlb ? [this.devtlb, this.iotlb] : [this.iotlb];
  }

  /** Write a present PASID table entry: first-level translation through mm's page table. */
  pasid_set_entry(pasid: number, mm: mm_struct, did: number): void {
    const e = this.pasidTable.get(pasid);
    if (e) {
      e.present.value = 1;
      e.fpd.value = 0;
      return;
    }
    this.pasidTable.set(pasid, {
      mm,
      did,
      present: new Cell(this.sim.store, `${this.name}.pasid_table[${pasid}].P`, 1),
      fpd: new Cell(this.sim.store, `${this.name}.pasid_table[${pasid}].FPD`, 0),
    });
    this.sim.log(() => `${this.name}: PASID ${pasid} entry present, did ${did}, first level -> ${mm.name}`);
  }

  /**
   * Clear the PASID's entry (P = 0), with FPD set when faults must be quiet. New walks
   * fail; what is already cached stays until invalidated. (The PASID-entry cache is not
   * modelled: the cleared entry is seen at once.)
   */
  pasid_clear_entry(pasid: number, fault_processing_disable: boolean): void {
    const e = this.pasidTable.get(pasid);
    if (!e) return;
    e.present.value = 0;
    e.fpd.value = fault_processing_disable ? 1 : 0;
    this.sim.log(() => `${this.name}: PASID ${pasid} entry cleared${fault_processing_disable ? " with FPD" : ""}`);
  }

  /** The PASID entry's P bit. */
  pasid_entry_present(pasid: number): boolean {
    return (this.pasidTable.get(pasid)?.present.value ?? 0) !== 0;
  }

  /** The domain id the PASID entry carries (pasid_get_domain_id), or -1. */
  pasid_entry_did(pasid: number): number {
    return this.pasidTable.get(pasid)?.did ?? -1;
  }

  context(pasid: number): { tag: number; mm: mm_struct } | null {
    const e = this.pasidTable.get(pasid);
    if (e && e.present.value) return { tag: pasid, mm: e.mm };
    if (e && !e.fpd.value) {
      // A non-recoverable fault: recorded in the fault registers and reported by the DMAR interrupt.
      this.faultsReported++;
      this.sim.log(() => `${this.name}: DMAR fault: PASID ${pasid} entry not present (reported)`);
    } else if (e) {
      this.sim.log(() => `${this.name}: PASID ${pasid} entry not present, FPD set: DMA aborted quietly`);
    }
    return null;
  }

  /**
   * Caches are keyed by PASID: every entry here belongs to the one domain of the
   * PASID's entry, and a descriptor naming another domain id misses.
   */
  mmOfTag(tag: number): mm_struct | null {
    return this.pasidTable.get(tag)?.mm ?? null;
  }

  hasPendingWork(): boolean {
    return this.qi.pending > 0;
  }

  override nextWork(): string {
    const op = this.qi.headOp();
    return `fetch and execute ${op === QI_IWD_TYPE ? "inv_wait_dsc" : op === QI_EIOTLB_TYPE ? "p_iotlb_inv_dsc" : "dev_tlb_pasid_inv_dsc"}`;
  }

  doPendingWork(): string {
    const op = this.qi.headOp();
    this.qi.consumeOne();
    const name = op === QI_IWD_TYPE ? "inv_wait_dsc" : op === QI_EIOTLB_TYPE ? "p_iotlb_inv_dsc" : "dev_tlb_pasid_inv_dsc";
    return `${this.name} fetched and executed ${name}`;
  }

  /** Write one descriptor at the queue's tail (under qi->q_lock). The unit executes it later. */
  qi_submit(desc: qi_desc): void {
    this.qi_lock.spin_lock();
    this.queue(desc);
    this.qi_lock.spin_unlock();
  }

  /**
   * Write an invalidation wait descriptor and poll its status word (spinning, never
   * sleeping): when this returns, every descriptor written before it has been executed.
   * The kernel's qi_submit_sync() writes the descriptors and the wait descriptor under
   * qi->q_lock and drops the lock around each poll, so other CPUs can queue meanwhile;
   * here the wait descriptor is written under the lock and the poll runs without it,
   * and each descriptor of a submission takes the lock on its own
   * (docs/KERNEL-FACTS.md#cmd-waits).
   */
  qi_wait(): void {
    this.qi_lock.spin_lock();
    const seq = this.waitSeq.value + 1;
    this.waitSeq.value = seq;
    this.queue(build_inv_wait_dsc(), seq);
    this.qi_lock.spin_unlock();
    if (this.sim.hardwareWaitBlocks()) {
      // The unit writes the status word when it reaches the descriptor; the CPU spins on it.
      this.sim.waitUntil(() => this.waitStatus.value >= seq, `${this.name}: inv_wait_dsc ${seq}`);
    } else {
      while (this.waitStatus.value < seq) {
        if (this.qi.consume(1) === 0) throw new Error(`${this.name}: wait descriptor ${seq} lost`);
      }
    }
  }

  /** qi_submit_sync(): write the descriptors, then a wait descriptor, and poll it. */
  qi_submit_sync(...descs: qi_desc[]): void {
    for (const d of descs) this.qi_submit(d);
    this.qi_wait();
  }

  /** Descriptors executed so far. */
  get executed(): number {
    return this.qi.executed;
  }

  private queue(d: qi_desc, seq = 0): void {
    this.charge(qi_desc_kind(d));
    this.submitted?.push(d);
    this.sim.log(() => `${this.name}: queue ${describe_qi_desc(d)}`);
    if (d.type === QI_IWD_TYPE) {
      this.qi.push(QI_IWD_TYPE, seq);
    } else if (d.type === QI_EIOTLB_TYPE) {
      this.qi.push(QI_EIOTLB_TYPE, d.did, d.pasid, d.granu | (d.am << EIOTLB_AM_SHIFT) | (d.ih << EIOTLB_IH_SHIFT), Math.floor(d.addr / VTD_PAGE_SIZE));
    } else {
      this.qi.push(QI_DEIOTLB_TYPE, d.sid, d.pasid, d.size_order, Math.floor(d.addr / VTD_PAGE_SIZE));
    }
  }

  private execute(c: Command): void {
    if (c.op === QI_IWD_TYPE) {
      this.waitStatus.value = c.a;
      return;
    }
    if (c.op === QI_EIOTLB_TYPE) {
      const did = c.a;
      const pasid = c.b;
      const granu = c.c & ((1 << EIOTLB_GRAN_BITS) - 1);
      const am = (c.c >> EIOTLB_AM_SHIFT) & 0xff;
      // The IOTLB is tagged by domain too: a descriptor for another domain misses.
      const mine = this.pasidTable.get(pasid)?.did === did;
      if (granu === QI_GRAN_NONG_PASID) {
        if (mine) {
          this.iotlb.invalidateTag(pasid);
          this.walkCache?.invalidateTag(pasid);
        }
        return;
      }
      if (granu !== QI_GRAN_PSI_PASID || am > this.mamv) {
        // The specification leaves an AM above MAMV undefined; this model treats it as an
        // invalid descriptor (invalidation queue error, nothing invalidated) so the mistake shows.
        const why = granu !== QI_GRAN_PSI_PASID ? `granularity ${granu}` : `AM ${am} above cap_max_amask_val ${this.mamv}`;
        this.rejected.push(`p_iotlb_inv_dsc pasid ${pasid}: ${why}`);
        this.sim.log(() => `${this.name}: invalid descriptor (${why}): invalidation queue error, nothing invalidated`);
        return;
      }
      // The unit ignores the address bits below the block size: a naturally aligned block.
      const b = vtd_block(c.d * VTD_PAGE_SIZE, am);
      if (!mine) return;
      const start = b.first * VTD_PAGE_SIZE;
      const end = (b.first + b.count) * VTD_PAGE_SIZE;
      this.iotlb.invalidateRange(pasid, start, end);
      // ih = 1: only leaf entries changed, the paging-structure caches stay.
      if (((c.c >> EIOTLB_IH_SHIFT) & 1) === 0) this.invalidateWalks(pasid, start, end);
      return;
    }
    if (c.op === QI_DEIOTLB_TYPE) {
      const sid = c.a;
      const pasid = c.b;
      const order = c.c;
      if (sid !== this.sid || !this.devtlb) {
        this.sim.log(() => `${this.name}: device-TLB invalidation for ${hex(sid)}: no ATS device there`);
        return;
      }
      if (order >= QI_DEV_EIOTLB_ALL_ORDER) {
        this.devtlb.invalidateTag(pasid);
        return;
      }
      // The device decodes the size from the address's low bits: a naturally aligned block.
      const b = vtd_block(c.d * VTD_PAGE_SIZE, order);
      this.devtlb.invalidateRange(pasid, b.first * VTD_PAGE_SIZE, (b.first + b.count) * VTD_PAGE_SIZE);
    }
  }
}

/** cap_max_amask_val(iommu->cap): the largest address mask a page-selective descriptor may use. */
export function cap_max_amask_val(iommu: IntelIommu): number {
  return iommu.mamv;
}
