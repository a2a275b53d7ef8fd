/**
 * Physical memory: page frames with refcount, mapcount and contents, and an allocator
 * that hands a freed frame straight back out (LIFO), as the per-CPU page lists do. So
 * a device that writes through a stale translation lands in someone else's data.
 *
 * Contents are one word per base page: the id of the write that produced it. Writes
 * are numbered in one global order, which is what the ordering check needs.
 */
import type { Sim } from "../sim/sim";
import { SlotMap } from "../sim/store";
import { HPAGE_PMD_NR } from "./constants";

/** Frame states. A generation counter tells one allocation of a frame from the next. */
/** First frame of the page-table pool (below the huge-page pool, above any scenario's frames). */
export const PGTABLE_POOL_PFN = 0x8000;

export const enum FrameState {
  Free = 0,
  Allocated = 1,
}

export interface FreeHook {
  /** Called before a frame goes back to the allocator: the oracle checks TLBs here. */
  (pfn: number, nr: number): void;
}

export class PhysMem {
  private readonly refcount: SlotMap;
  private readonly mapcount: SlotMap;
  private readonly content: SlotMap;
  /** Low bit: allocated. Upper bits: generation (bumped on each allocation). */
  private readonly stateGen: SlotMap;
  /** Owner label (index into `owners`) of each allocated frame, for messages. */
  private readonly owner: SlotMap;
  readonly owners: string[] = ["-"];
  /** Free list as a stack of pfns in the store. */
  private readonly freeTop: number;
  private readonly freeStack: SlotMap;
  /** Global write counter: contents are write ids. */
  private readonly writeSeq: number;
  /** Page-table pages handed out so far (alloc_table_page). */
  private readonly tablesTaken: number;
  private readonly freeHooks: FreeHook[] = [];
  /**
   * Set at build time by a kernel path that will free page tables (free_pgtables' users:
   * munmap, exit). Set-up data, not state: IOMMUs keep a walk cache only in such worlds,
   * where it can matter, so the others pay no states for it.
   */
  pageTablesFreed = false;

  constructor(
    private readonly sim: Sim,
    /** Frames [firstPfn, firstPfn + nr) start free. Huge pages come from a separate pool. */
    readonly firstPfn: number,
    readonly nr: number,
  ) {
    if (firstPfn + nr > PGTABLE_POOL_PFN) throw new RangeError(`${nr} frames from pfn ${firstPfn} reach the page-table pool at pfn ${PGTABLE_POOL_PFN}`);
    const st = sim.store;
    this.refcount = new SlotMap(st, "page.refcount");
    this.mapcount = new SlotMap(st, "page.mapcount");
    this.content = new SlotMap(st, "page.data");
    this.stateGen = new SlotMap(st, "page.state");
    this.owner = new SlotMap(st, "page.owner");
    this.freeStack = new SlotMap(st, "freelist");
    this.freeTop = st.alloc("freelist.top");
    this.writeSeq = st.alloc("write_seq");
    this.tablesTaken = st.alloc("pgtable.taken");
    // Push in reverse so the lowest pfn is handed out first: traces read better.
    for (let i = nr - 1; i >= 0; i--) this.pushFree(firstPfn + i);
  }

  onFree(hook: FreeHook): void {
    this.freeHooks.push(hook);
  }

  private pushFree(pfn: number): void {
    const top = this.sim.store.get(this.freeTop);
    this.freeStack.set(top, pfn + 1);
    this.sim.store.set(this.freeTop, top + 1);
  }

  private ownerId(label: string): number {
    let i = this.owners.indexOf(label);
    if (i < 0) i = this.owners.push(label) - 1;
    return i;
  }

  /** alloc_page(): the most recently freed frame, refcount 1. */
  alloc_page(owner: string): number {
    const st = this.sim.store;
    const top = st.get(this.freeTop);
    if (top === 0) throw new Error("simulated machine is out of memory (scenario too small)");
    const pfn = this.freeStack.get(top - 1) - 1;
    this.freeStack.set(top - 1, 0);
    st.set(this.freeTop, top - 1);
    this.claim(pfn, owner);
    if (this.sim.tracing) this.sim.log(() => `alloc_page -> pfn ${pfn} (${owner})`);
    return pfn;
  }

  /**
   * A frame for a page-table page (pte_alloc_one / pmd_alloc_one). Tables come from a
   * pool of their own, so that adding them leaves the pfns of data pages as they were;
   * a freed table goes back to the free list like any page, and alloc_page hands it out
   * again.
   */
  alloc_table_page(owner: string): number {
    const st = this.sim.store;
    const n = st.get(this.tablesTaken);
    st.set(this.tablesTaken, n + 1);
    const pfn = PGTABLE_POOL_PFN + n;
    this.claim(pfn, owner);
    if (this.sim.tracing) this.sim.log(() => `alloc table page -> pfn ${pfn} (${owner})`);
    return pfn;
  }

  /** Take specific frames: `nr` of them from `pfn` for a huge page, refcounted on the head. */
  claim(pfn: number, owner: string, nr = 1): void {
    const id = this.ownerId(owner);
    const st = this.sim.store;
    // Run by run of consecutive slots: a huge page is 512 frames.
    for (let p = pfn; p < pfn + nr; ) {
      const g = this.stateGen.run(p, pfn + nr - p);
      const o = this.owner.run(p, this.stateGen.runLength);
      const len = this.owner.runLength;
      for (let i = 0; i < len; i++) {
        const gen = st.get(g + i);
        st.set(g + i, ((gen >>> 1) + 1) * 2 + FrameState.Allocated);
        st.set(o + i, id);
      }
      p += len;
    }
    this.refcount.set(pfn, 1);
    this.mapcount.set(pfn, 0);
  }

  allocated(pfn: number): boolean {
    return (this.stateGen.get(pfn) & 1) === FrameState.Allocated;
  }
  generation(pfn: number): number {
    return this.stateGen.get(pfn) >>> 1;
  }
  ownerOf(pfn: number): string {
    return this.owners[this.owner.get(pfn)] ?? "-";
  }
  page_count(pfn: number): number {
    return this.refcount.get(pfn);
  }
  page_mapcount(pfn: number): number {
    return this.mapcount.get(pfn);
  }

  get_page(pfn: number): void {
    this.refcount.set(pfn, this.refcount.get(pfn) + 1);
  }

  /** Add `delta` to `map` at each of `nr` frames from `pfn`, run by run. */
  private addEach(map: SlotMap, pfn: number, nr: number, delta: number): void {
    for (let p = pfn; p < pfn + nr; ) {
      const first = map.run(p, pfn + nr - p);
      const len = map.runLength;
      this.sim.store.addRange(first, len, delta);
      p += len;
    }
  }

  /** get_page() on each of `nr` frames from `pfn` (the pages of a split folio). */
  get_page_range(pfn: number, nr: number): void {
    this.addEach(this.refcount, pfn, nr, 1);
  }

  /** put_page(): drop a reference; the last one frees the frame (or `nr` frames of a huge page). */
  put_page(pfn: number, nr = 1): void {
    const c = this.refcount.get(pfn) - 1;
    if (c < 0) throw new Error(`put_page on pfn ${pfn} with refcount 0`);
    this.refcount.set(pfn, c);
    if (c === 0) this.free(pfn, nr);
  }

  private free(pfn: number, nr: number): void {
    for (const hook of this.freeHooks) hook(pfn, nr);
    if (this.sim.tracing) this.sim.log(() => `free page pfn ${pfn}${nr > 1 ? ` (+${nr - 1})` : ""}`);
    const st = this.sim.store;
    for (let p = pfn; p < pfn + nr; ) {
      const g = this.stateGen.run(p, pfn + nr - p);
      const o = this.owner.run(p, this.stateGen.runLength);
      const len = this.owner.runLength;
      for (let i = 0; i < len; i++) {
        st.set(g + i, st.get(g + i) & ~1);
        st.set(o + i, 0);
      }
      p += len;
    }
    // Freed memory keeps its stale contents, as real memory does. A huge page goes
    // back as one block (its head).
    this.pushFree(pfn);
  }

  page_add_rmap(pfn: number): void {
    this.mapcount.set(pfn, this.mapcount.get(pfn) + 1);
  }
  /** page_add_rmap() on each of `nr` frames from `pfn` (folio_add_anon_rmap_ptes). */
  page_add_rmap_range(pfn: number, nr: number): void {
    this.addEach(this.mapcount, pfn, nr, 1);
  }
  page_remove_rmap(pfn: number): void {
    this.mapcount.set(pfn, this.mapcount.get(pfn) - 1);
  }

  read(pfn: number): number {
    return this.content.get(pfn);
  }
  /** A new write: returns its global id, which becomes the frame's content. */
  write(pfn: number): number {
    const id = this.sim.store.get(this.writeSeq) + 1;
    this.sim.store.set(this.writeSeq, id);
    this.content.set(pfn, id);
    return id;
  }
  /** copy_user_highpage(): the copy keeps the source's write id. */
  copy(dst: number, src: number): void {
    this.content.set(dst, this.content.get(src));
  }
  /**
   * copy() of each of `nr` frames from `src` to `dst` whose source has been written
   * (a never-written frame reads 0: its copy keeps whatever the target held).
   */
  copy_range(dst: number, src: number, nr: number): void {
    const st = this.sim.store;
    for (let i = 0; i < nr; ) {
      const s = this.content.run(src + i, nr - i);
      const d = this.content.run(dst + i, this.content.runLength);
      const len = this.content.runLength;
      for (let j = 0; j < len; j++) {
        const v = st.get(s + j);
        if (v !== 0) st.set(d + j, v);
      }
      i += len;
    }
  }
  /** Swap-in: the frame gets back the data (write id) it had when swapped out. */
  restore(pfn: number, writeId: number): void {
    this.content.set(pfn, writeId);
  }
  get lastWriteId(): number {
    return this.sim.store.get(this.writeSeq);
  }
}

export { HPAGE_PMD_NR };
