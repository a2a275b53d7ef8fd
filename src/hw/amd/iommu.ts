/**
 * AMD IOMMU with v2 (PASID) support, as iommu_v2 sees it: a GCR3 table per domain
 * mapping each PASID to a process page table, an IOTLB tagged by (domain, PASID), a
 * device IOTLB (ATC) on ATS-capable devices, and a command buffer. Drivers queue
 * INVALIDATE_IOMMU_PAGES, INVALIDATE_IOTLB_PAGES and COMPLETION_WAIT commands; the
 * IOMMU executes them when it gets to them, and a COMPLETION_WAIT makes the driver
 * spin until everything queued before it has run.
 */
import type { Sim } from "../../sim/sim";
import type { PhysMem } from "../../mm/frames";
import type { mm_struct } from "../../mm/mm";
import { Cell } from "../../sim/store";
import { IommuModel } from "../iommu";
import { Tlb } from "../tlb";
import { CommandQueue, type Command } from "../cmdqueue";
import { nextId } from "../../kernel/ids";
import { PAGE_SHIFT, PAGE_SIZE, hex } from "../../mm/constants";
import { u64_arg, ul_shr, type unsigned_long } from "../../mm/ulong";

/** Command opcodes (the values the AMD IOMMU specification gives them). */
export const CMD_COMPL_WAIT = 0x01;
export const CMD_INV_IOMMU_PAGES = 0x03;
export const CMD_INV_IOTLB_PAGES = 0x04;

/** One entry of the command buffer. */
export interface amd_iommu_cmd {
  readonly opcode: number;
  /** INVALIDATE_IOMMU_PAGES: the domain id; INVALIDATE_IOTLB_PAGES: the device id. */
  readonly id: number;
  readonly pasid: number;
  /** The address of the one page to invalidate, a u64 as the kernel's (ignored when `all`). */
  readonly address: unsigned_long;
  /** The S bit with the kernel's all-pages address (CMD_INV_IOMMU_ALL_PAGES_ADDRESS, 0x7fff_ffff_ffff_ffff): every page of the PASID. */
  readonly all: boolean;
}

/**
 * INVALIDATE_IOMMU_PAGES for a PASID: one page, or every page when `all`. The kernel's
 * builder takes `u64 address` (build_inv_iommu_pasid(), called from __flush_pasid(),
 * v6.5:drivers/iommu/amd/iommu.c:2561-2621).
 */
export function build_inv_iommu_pasid(domid: number, pasid: number, address: unsigned_long, all: boolean): amd_iommu_cmd {
  const a = u64_arg("build_inv_iommu_pasid", "address", address);
  return { opcode: CMD_INV_IOMMU_PAGES, id: domid, pasid, address: all ? 0n : a, all };
}

/** INVALIDATE_IOTLB_PAGES: the same, sent on to an ATS device's own IOTLB. */
export function build_inv_iotlb_pasid(devid: number, pasid: number, address: unsigned_long, all: boolean): amd_iommu_cmd {
  const a = u64_arg("build_inv_iotlb_pasid", "address", address);
  return { opcode: CMD_INV_IOTLB_PAGES, id: devid, pasid, address: all ? 0n : a, all };
}

export function build_completion_wait(): amd_iommu_cmd {
  return { opcode: CMD_COMPL_WAIT, id: 0, pasid: 0, address: 0n, all: false };
}

export interface AmdIommuOptions {
  /** The device uses ATS, so it has an IOTLB of its own that must be invalidated too. */
  readonly ats?: boolean;
  /** The one domain the scenario's device is attached to. */
  readonly domid?: number;
  readonly devid?: number;
}

const NAME_OF: Record<number, string> = {
  [CMD_COMPL_WAIT]: "COMPLETION_WAIT",
  [CMD_INV_IOMMU_PAGES]: "INVALIDATE_IOMMU_PAGES",
  [CMD_INV_IOTLB_PAGES]: "INVALIDATE_IOTLB_PAGES",
};

export class AmdIommu extends IommuModel {
  readonly iotlb: Tlb;
  /** The ATS device's own IOTLB (absent without ATS). */
  readonly devIotlb: Tlb | null;
  readonly cmdbuf: CommandQueue;
  readonly domid: number;
  readonly devid: number;
  /** GCR3 table of the domain: PASID -> process page table, with a valid bit. */
  private readonly gcr3 = new Map<number, { mm: mm_struct; valid: Cell }>();

  constructor(sim: Sim, phys: PhysMem, o: AmdIommuOptions = {}, name = "amd_iommu0") {
    // An AMD IOMMU re-walks on a write to a cached read-only entry.
    super(sim, phys, name, { rewalkOnPermissionFault: true });
    this.domid = o.domid ?? nextId(sim, "domain id", 1);
    this.devid = o.devid ?? nextId(sim, "devid", 0x100);
    this.iotlb = new Tlb(sim, `${name}.iotlb`, "secondary");
    this.devIotlb = o.ats === false ? null : new Tlb(sim, `dev ${hex(this.devid)}.iotlb`, "secondary");
    this.cmdbuf = new CommandQueue(sim, `${name}.cmdbuf`, 32, (c) => this.execute(c));
    this.addWalkCache();
  }

  caches(): readonly Tlb[] {
    return this.devIotlb ? [this.devIotlb, this.iotlb] : [this.iotlb];
  }

  /** Point the PASID's GCR3 entry at mm's page table. */
  amd_iommu_domain_set_gcr3(pasid: number, mm: mm_struct): void {
    const e = this.gcr3.get(pasid);
    if (e) {
      e.valid.value = 1;
      return;
    }
    this.gcr3.set(pasid, { mm, valid: new Cell(this.sim.store, `${this.name}.gcr3[${pasid}]`, 1) });
  }

  /** Clear the PASID's GCR3 entry: new walks fail. Cached translations stay until flushed. */
  amd_iommu_domain_clear_gcr3(pasid: number): void {
    const e = this.gcr3.get(pasid);
    if (e) e.valid.value = 0;
    this.sim.log(() => `${this.name}: GCR3[${pasid}] cleared`);
  }

  context(pasid: number): { tag: number; mm: mm_struct } | null {
    const e = this.gcr3.get(pasid);
    return e && e.valid.value ? { tag: pasid, mm: e.mm } : null;
  }

  mmOfTag(tag: number): mm_struct | null {
    return this.gcr3.get(tag)?.mm ?? null;
  }

  hasPendingWork(): boolean {
    return this.cmdbuf.pending > 0;
  }

  override nextWork(): string {
    const op = this.cmdbuf.headOp();
    return `execute ${NAME_OF[op] ?? `opcode ${op}`}`;
  }

  doPendingWork(): string {
    const op = this.cmdbuf.headOp();
    this.cmdbuf.consumeOne();
    return `${this.name} executed ${NAME_OF[op] ?? `opcode ${op}`}`;
  }

  /** Put a command in the command buffer and ring the tail doorbell. It runs later. */
  iommu_queue_command(cmd: amd_iommu_cmd): void {
    const name = NAME_OF[cmd.opcode] ?? `opcode ${cmd.opcode}`;
    // Counted apart: whole-PASID invalidations are what a notebook compares against per-page ones.
    this.charge(cmd.all ? `${name} (all pages)` : name);
    // The page number of a 64-bit address has at most 52 bits: a JS number holds it exactly.
    this.cmdbuf.push(cmd.opcode, cmd.id, cmd.pasid, cmd.all ? -1 : Number(ul_shr(cmd.address, PAGE_SHIFT)));
    this.sim.log(() => `${this.name}: queue ${name} ${cmd.opcode === CMD_COMPL_WAIT ? "" : `id ${hex(cmd.id)} pasid ${cmd.pasid} ${cmd.all ? "all pages" : `0x${cmd.address.toString(16)}`}`}`);
  }

  /**
   * Queue a COMPLETION_WAIT and spin on its semaphore until the IOMMU gets there:
   * every earlier command has run when this returns (docs/KERNEL-FACTS.md#cmd-waits).
   */
  iommu_completion_wait(): void {
    this.iommu_queue_command(build_completion_wait());
    this.cmdbuf.sync("COMPLETION_WAIT");
  }

  /** Commands executed so far, by the hardware (the cost a notebook plots). */
  get executed(): number {
    return this.cmdbuf.executed;
  }

  private execute(c: Command): void {
    const pasid = c.b;
    const all = c.c === -1;
    const start = all ? 0 : c.c * PAGE_SIZE;
    const end = all ? Infinity : start + PAGE_SIZE;
    if (c.op === CMD_INV_IOMMU_PAGES) {
      // The IOTLB is tagged by domain too: a command for another domain misses. The
      // kernel's build_inv_iommu_pasid always sets the PDE bit, so the command drops
      // cached page-directory entries in range too: AMD has no leaf-only choice.
      if (c.a === this.domid) {
        this.iotlb.invalidateRange(pasid, start, end);
        this.invalidateWalks(pasid, start, end);
      }
    } else if (c.op === CMD_INV_IOTLB_PAGES) {
      if (c.a === this.devid && this.devIotlb) this.devIotlb.invalidateRange(pasid, start, end);
    }
  }
}
