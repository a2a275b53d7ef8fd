/**
 * A generic SVA-capable IOMMU: one IOTLB tagged by PASID, a command queue with
 * invalidate-page, invalidate-range and invalidate-PASID commands, and a sync that
 * waits for them. The vendor models refine this picture; the generic drivers of the
 * first notebooks talk to this one.
 */
import type { Sim } from "../../sim/sim";
import type { PhysMem } from "../../mm/frames";
import type { mm_struct } from "../../mm/mm";
import { Cell } from "../../sim/store";
import { IommuModel, type IommuOptions } from "../iommu";
import { Tlb } from "../tlb";
import { CommandQueue, type Command } from "../cmdqueue";
import { PAGE_SIZE, TASK_SIZE, hex, ULONG_MAX } from "../../mm/constants";

const INV_PAGE = 1;
const INV_RANGE = 2;
const INV_PASID = 3;

export class GenericIommu extends IommuModel {
  readonly iotlb: Tlb;
  readonly cmdq: CommandQueue;
  private readonly bound = new Map<number, { mm: mm_struct; valid: Cell }>();

  constructor(sim: Sim, phys: PhysMem, name = "iommu0", opts: IommuOptions = { rewalkOnPermissionFault: true }) {
    super(sim, phys, name, opts);
    this.iotlb = new Tlb(sim, `${name}.iotlb`, "secondary");
    this.cmdq = new CommandQueue(sim, `${name}.cmdq`, 16, (c) => this.execute(c));
    this.addWalkCache();
  }

  caches(): readonly Tlb[] {
    return [this.iotlb];
  }

  /** Bind `mm` to `pasid` (setup time: the PASID table entry points at mm's page table). */
  bind(pasid: number, mm: mm_struct): void {
    this.bound.set(pasid, { mm, valid: new Cell(this.sim.store, `${this.name}.pasid[${pasid}].valid`, 1) });
  }
  /** Clear the PASID entry: later DMA with this PASID faults. */
  unbind(pasid: number): void {
    const b = this.bound.get(pasid);
    if (b) b.valid.value = 0;
  }

  context(pasid: number): { tag: number; mm: mm_struct } | null {
    const b = this.bound.get(pasid);
    return b && b.valid.value ? { tag: pasid, mm: b.mm } : null;
  }
  mmOfTag(tag: number): mm_struct | null {
    return this.bound.get(tag)?.mm ?? null;
  }

  hasPendingWork(): boolean {
    return this.cmdq.pending > 0;
  }
  override nextWork(): string {
    const op = this.cmdq.headOp();
    return `execute ${op === INV_PAGE ? "INV_PAGE" : op === INV_RANGE ? "INV_RANGE" : op === INV_PASID ? "INV_PASID" : "SYNC"}`;
  }

  doPendingWork(): string {
    const op = this.cmdq.headOp();
    this.cmdq.consumeOne();
    return `${this.name} executed ${op === INV_PAGE ? "INV_PAGE" : op === INV_RANGE ? "INV_RANGE" : op === INV_PASID ? "INV_PASID" : "SYNC"}`;
  }

  /** Every command invalidates the walk cache in its range too (none is leaf-only). */
  private execute(c: Command): void {
    if (c.op === INV_PASID) {
      this.iotlb.invalidateTag(c.a);
      this.walkCache?.invalidateTag(c.a);
      return;
    }
    const start = c.b * PAGE_SIZE;
    const end = c.op === INV_PAGE ? start + PAGE_SIZE : c.op === INV_RANGE ? (c.c < 0 ? Infinity : (c.b + c.c) * PAGE_SIZE) : -1;
    if (end < 0) return;
    this.iotlb.invalidateRange(c.a, start, end);
    this.invalidateWalks(c.a, start, end);
  }

  /** Queue an invalidation of one page for `pasid`. */
  inv_page(pasid: number, addr: number): void {
    this.charge("inv_page");
    this.cmdq.push(INV_PAGE, pasid, Math.floor(addr / PAGE_SIZE));
    this.sim.log(() => `${this.name}: queue INV_PAGE pasid ${pasid} ${hex(addr)}`);
  }
  /** Queue an invalidation of [start, end) for `pasid` as one range command. */
  inv_range(pasid: number, start: number, end: number): void {
    this.charge("inv_range");
    const first = Math.floor(start / PAGE_SIZE);
    const pages = end >= TASK_SIZE || end >= ULONG_MAX ? -1 : Math.ceil(end / PAGE_SIZE) - first;
    this.cmdq.push(INV_RANGE, pasid, first, pages);
    this.sim.log(() => `${this.name}: queue INV_RANGE pasid ${pasid} [${hex(start)}, ${hex(end)})`);
  }
  /** Queue an invalidation of everything cached for `pasid`. */
  inv_pasid(pasid: number): void {
    this.charge("inv_pasid");
    this.cmdq.push(INV_PASID, pasid);
    this.sim.log(() => `${this.name}: queue INV_PASID ${pasid}`);
  }
  /** Wait until every queued command has been executed. */
  sync(): void {
    this.charge("sync");
    this.cmdq.sync("SYNC");
  }
}
