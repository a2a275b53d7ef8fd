/**
 * A DMA-capable device bound to a process address space (a PASID). It runs a list of
 * accesses; each access is one atomic step: translate (cache hit, or walk and fill)
 * and touch memory. A failed translation becomes a page request (PRI) that a kernel
 * thread answers; the device then retries the same access.
 */
import type { World, Agent } from "../sim/world";
import type { IommuModel } from "./iommu";
import type { mm_struct } from "../mm/mm";
import { Cell } from "../sim/store";
import { hex } from "../mm/constants";
import { pte_present, pte_write } from "../mm/pte";

export interface DmaAccess {
  readonly op: "read" | "write";
  readonly addr: number;
  /** A name for the location in traces, such as "A". */
  readonly name?: string;
}

/** A device that keeps faulting on the same access this often is livelocked. */
export const MAX_FAULT_RETRIES = 3;

/** The page-request queue between devices and the fault-handling kernel thread. */
export interface PageRequestSink {
  request(dev: DmaDevice, addr: number, write: boolean): void;
}

export class DmaDevice {
  readonly pc: Cell;
  /** 1 while a page request is outstanding. */
  readonly waiting: Cell;
  readonly retries: Cell;
  /** The newest write id this device has read (for the ordering check). */
  readonly horizon: Cell;
  /** Values the device read, by access index (write ids), for tests and traces. */
  readonly observed: Cell[];
  agent!: Agent;

  constructor(
    private readonly world: World,
    readonly name: string,
    readonly iommu: IommuModel,
    readonly pasid: number,
    readonly mm: mm_struct,
    readonly accesses: readonly DmaAccess[],
    private readonly prq: PageRequestSink,
  ) {
    const st = world.k.sim.store;
    this.pc = new Cell(st, `${name}.pc`);
    this.waiting = new Cell(st, `${name}.waiting`);
    this.retries = new Cell(st, `${name}.retries`);
    this.horizon = new Cell(st, `${name}.horizon`);
    this.observed = accesses.map((_, i) => new Cell(st, `${name}.observed[${i}]`));
    // Nothing in a run reads them back: not part of the state (Store.markRecord).
    for (const c of this.observed) st.markRecord(c.slot);
  }

  private where(a: DmaAccess): string {
    return a.name ? `${a.name} (${hex(a.addr)})` : hex(a.addr);
  }

  nextLabel(): string {
    const a = this.accesses[this.pc.value];
    return a ? `dma ${a.op} ${this.where(a)}` : "(done)";
  }

  enabled(): boolean {
    return this.pc.value < this.accesses.length && this.waiting.value === 0;
  }

  /** The page request was answered: retry the access, or give it up if the answer was "invalid". */
  pageResponse(success: boolean): void {
    this.waiting.value = 0;
    if (!success) {
      this.world.k.sim.log(() => `${this.name}: page response INVALID for ${this.nextLabel()}: access aborted`);
      this.retries.value = 0;
      this.pc.value = this.pc.value + 1;
      this.retireWhenDone();
    }
  }

  step(): void {
    const k = this.world.k;
    const i = this.pc.value;
    const a = this.accesses[i]!;
    const write = a.op === "write";
    const r = this.iommu.translate(this.pasid, a.addr, write);
    if (!r.ok) {
      const n = this.retries.value + 1;
      this.retries.value = n;
      if (n > MAX_FAULT_RETRIES) {
        // Say what the page table holds now: the fault handler may not have changed it.
        const pte = this.mm.pgd.leaf(a.addr);
        const allowed = write ? pte_write(pte) : pte_present(pte);
        const now = pte_write(pte) ? "writable" : pte_present(pte) ? "present but read-only" : "not present";
        k.sim.report(
          "device-livelock",
          allowed
            ? `${this.name} faulted ${n} times on ${a.op} ${this.where(a)}: the page is ${now} in the page table, but the device keeps using a cached ${r.reason === "permission" ? "read-only " : ""}translation and makes no progress`
            : `${this.name} faulted ${n} times on ${a.op} ${this.where(a)}: every page request was answered, but the page is still ${now} in the page table, so the ${a.op} can never succeed`,
          { address: a.addr },
        );
      }
      this.waiting.value = 1;
      k.sim.log(() => `${this.name}: translation fault (${r.reason}) at ${this.where(a)}: page request sent`);
      this.prq.request(this, a.addr, write);
      return;
    }
    k.oracle.deviceAccess(this.name, this.mm, a.addr, r.hit, write, this.horizon.slot);
    if (write) {
      const id = k.phys.write(r.hit.pfn);
      k.sim.log(() => `${this.name}: wrote ${this.where(a)} in pfn ${r.hit.pfn} (write #${id})`);
    } else {
      const v = k.phys.read(r.hit.pfn);
      this.observed[i]!.value = v;
      if (v > this.horizon.value) this.horizon.value = v;
      k.sim.log(() => `${this.name}: read ${this.where(a)} from pfn ${r.hit.pfn}: write #${v}`);
    }
    this.retries.value = 0;
    this.pc.value = i + 1;
    this.retireWhenDone();
  }

  /** After the last access nothing reads the horizon again (Store.retire). */
  private retireWhenDone(): void {
    if (this.pc.value >= this.accesses.length) this.world.k.sim.store.retire(this.horizon.slot);
  }

  unfinished(): string | null {
    if (this.pc.value >= this.accesses.length) return null;
    return `${this.name} never completed ${this.nextLabel()}${this.waiting.value ? " (waiting for a page response)" : ""}`;
  }
}
