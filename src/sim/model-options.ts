/**
 * Switches for the finer parts of the hardware and kernel model. Each defaults to on;
 * turning one off gives back the coarser model it replaced, so a test can show that a
 * bug is caught because of that part of the model and not by accident.
 */
export interface ModelOptions {
  /**
   * Hardware queues execute one command per step of their own, and a completion wait
   * (COMPLETION_WAIT, CMD_SYNC, a VT-d wait descriptor, OpenCAPI's STAT poll) blocks
   * the calling CPU until the hardware gets there. Off: a wait drains the queue at once.
   */
  readonly asyncHardware: boolean;
  /**
   * How many hardware waits of one step may block (the first ones); later waits in the
   * same step see the hardware finish at once. A resumed step replays everything it
   * did before, so a per-page loop that blocked on every page would cost the square
   * of its length: this bounds it, as a context bound does, and only where the first
   * model interleaved nothing at all.
   */
  readonly blockingWaitsPerStep: number;
  /**
   * A device-TLB (ATC, device IOTLB) miss is served from the IOMMU's TLB when that
   * holds the entry, and fills the device TLB from it. Off: every miss walks.
   */
  readonly tlbHierarchy: boolean;
  /**
   * A write through a cached writable entry the walker has not marked dirty goes back
   * to the page table to set the dirty bit (x86 IOMMUs' A/D updates, an SMMU's HTTU, an
   * ATS request with write intent), and faults if the PTE has changed since. Off: any
   * cached writable entry takes writes, as in the first model.
   */
  readonly dirtyBitWalk: boolean;
  /**
   * PASIDs, domain ids, ASIDs, DIDs and mm context ids are drawn from separate ranges
   * so that no two coincide. Off: the small equal numbers of the first model.
   */
  readonly distinctIds: boolean;
  /**
   * With distinctIds: draw the identifiers inside each family's range from this seed
   * (the same seed gives the same machine) instead of taking them in order.
   */
  readonly idSeed?: number;
  /**
   * SRCU as the kernel has it: srcu_read_lock returns an index, synchronize_srcu and
   * call_srcu wait for the readers that were there before, mmu_notifier_put frees after
   * the grace period. Off: SRCU sections only count depth and grace periods are immediate.
   */
  readonly srcuGracePeriods: boolean;
  /**
   * Page-table pages are frames: munmap and exit free the tables a range no longer needs
   * (free_pgtables, through the mmu_gather: after the TLB flush), and the frame allocator
   * hands them out again. IOMMUs keep a paging-structure (walk) cache of the PTE tables
   * they walked, per address-space id; a leaf-only invalidation (ARM Leaf=1, VT-d ih=1)
   * leaves it, any other drops the entries in range. A walk through a freed table is
   * `device-walks-freed-page-table`. Off: tables are never freed and walks start from
   * the top, as in the first model.
   */
  readonly freePageTables: boolean;
}

export const DEFAULT_MODEL: ModelOptions = Object.freeze({
  asyncHardware: true,
  blockingWaitsPerStep: 4,
  tlbHierarchy: true,
  dirtyBitWalk: true,
  distinctIds: true,
  srcuGracePeriods: true,
  freePageTables: true,
});
