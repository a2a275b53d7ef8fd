/**
 * The I/O page-fault handler: a kernel thread that takes page requests from devices
 * (PRI), resolves them with handle_mm_fault() under mmap_lock for read, and sends the
 * page response that lets the device retry.
 */
import type { World, Agent } from "../sim/world";
import type { DmaDevice, PageRequestSink } from "../hw/device";
import { Cell } from "../sim/store";
import { WideCell } from "../mm/sparse";
import { handle_mm_fault } from "./memory";
import type { SwapSpace } from "./rmap";
import { is_migration_entry } from "../mm/pte";
import { hex } from "../mm/constants";

const IDLE = 0;
const LOCKING = 1;
const HANDLING = 2;
const RESPONDING = 3;

export class IopfQueue implements PageRequestSink {
  private readonly devices: DmaDevice[] = [];
  /** Page number + 1 of each device's pending request (0: none); wide, for addresses past 8 TiB. */
  private readonly reqAddr: WideCell[] = [];
  private readonly reqWrite: Cell[] = [];
  private readonly phase: Cell;
  private readonly cur: Cell;
  private readonly result: Cell;
  readonly agent: Agent;

  constructor(
    private readonly world: World,
    private readonly swap?: SwapSpace,
    readonly name = "iopf",
  ) {
    const st = world.k.sim.store;
    this.phase = new Cell(st, `${name}.phase`);
    this.cur = new Cell(st, `${name}.cur`);
    this.result = new Cell(st, `${name}.result`);
    this.agent = world.addAgent((simId) => ({
      name,
      kind: "kernel",
      simId,
      enabled: () => this.enabled(),
      nextLabel: () => this.nextLabel(),
      step: () => this.step(),
      unfinished: () => null,
    }));
  }

  attach(dev: DmaDevice): void {
    const st = this.world.k.sim.store;
    this.devices.push(dev);
    this.reqAddr.push(new WideCell(st, `${this.name}.req[${dev.name}].addr`));
    this.reqWrite.push(new Cell(st, `${this.name}.req[${dev.name}].write`));
  }

  request(dev: DmaDevice, addr: number, write: boolean): void {
    const i = this.devices.indexOf(dev);
    this.reqAddr[i]!.value = addr / 4096 + 1;
    this.reqWrite[i]!.value = write ? 1 : 0;
  }

  private pendingIndex(): number {
    for (let i = 0; i < this.reqAddr.length; i++) if (this.reqAddr[i]!.value !== 0) return i;
    return -1;
  }

  private get addr(): number {
    return (this.reqAddr[this.cur.value]!.value - 1) * 4096;
  }

  private enabled(): boolean {
    const p = this.phase.value;
    if (p === IDLE) return this.pendingIndex() >= 0;
    const dev = this.devices[this.cur.value]!;
    if (p === LOCKING) return dev.mm.mmap_lock.readAvailable();
    if (p === HANDLING) {
      // migration_entry_wait(): sleep until the migration has finished.
      return !is_migration_entry(dev.mm.pgd.get_pte(this.addr)) && dev.mm.pgd.pte_lockptr(this.addr).available();
    }
    return true;
  }

  private nextLabel(): string {
    const p = this.phase.value;
    if (p === IDLE) return "take a page request";
    const dev = this.devices[this.cur.value]!;
    if (p === LOCKING) return `mmap_read_lock(${dev.mm.name})`;
    if (p === HANDLING) return `handle_mm_fault ${hex(this.addr)}`;
    return `mmap_read_unlock; page response to ${dev.name}`;
  }

  private step(): void {
    const p = this.phase.value;
    if (p === IDLE) {
      this.cur.value = this.pendingIndex();
      this.phase.value = LOCKING;
      return;
    }
    const i = this.cur.value;
    const dev = this.devices[i]!;
    if (p === LOCKING) {
      dev.mm.mmap_lock.down_read();
      this.phase.value = HANDLING;
    } else if (p === HANDLING) {
      // A PASID whose mm is exiting gets an invalid response (mmget_not_zero fails).
      const r = dev.mm.is_exiting ? "sigsegv" : handle_mm_fault(this.world.k, dev.mm, this.addr, this.reqWrite[i]!.value !== 0, this.swap);
      this.result.value = r === "done" ? 0 : 1;
      if (this.world.k.sim.tracing) this.world.k.sim.log(() => `handle_mm_fault ${hex(this.addr)}: ${r}`);
      this.phase.value = RESPONDING;
    } else {
      dev.mm.mmap_lock.up_read();
      this.reqAddr[i]!.value = 0;
      this.reqWrite[i]!.value = 0;
      dev.pageResponse(this.result.value === 0);
      this.result.value = 0;
      this.phase.value = IDLE;
    }
  }
}
