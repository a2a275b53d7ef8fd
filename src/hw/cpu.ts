/**
 * CPUs and their TLBs, and the architecture switch.
 *
 * "x86": a fault drops the faulting TLB entry, so a permission upgrade (read-only to
 * writable) needs no flush. "arm64": the upgrade is done without a TLB invalidation
 * and the CPU copes with the spurious fault; a secondary MMU that caches the old
 * read-only entry may not (the RFC's patch 2/2).
 */
import type { Sim } from "../sim/sim";
import { Tlb } from "./tlb";

export type ArchName = "x86" | "arm64";

/**
 * Where secondary TLBs are told: "rfc" is the June 2023 RFC (notifier calls at the
 * clear-flush and mmu_gather call sites, plus range_end); "v6.6" is what was merged
 * (the call sits in the architecture's own TLB flush, and range_end no longer flushes).
 */
export type NotifierModel = "rfc" | "v6.6";

export interface ArchOptions {
  readonly arch: ArchName;
  readonly notifierModel: NotifierModel;
  /** arm64 only: notify secondary TLBs on permission upgrades (RFC patch 2/2). */
  readonly notifyOnUpgrade: boolean;
}

export const DEFAULT_ARCH: ArchOptions = { arch: "x86", notifierModel: "rfc", notifyOnUpgrade: false };

export class Cpu {
  readonly tlb: Tlb;
  constructor(
    sim: Sim,
    readonly id: number,
  ) {
    this.tlb = new Tlb(sim, `cpu${id}.tlb`, "cpu");
  }
}
