/**
 * CPUs and their TLBs, and the architecture switch.
 *
 * "x86": a fault drops the faulting TLB entry, so a permission upgrade (read-only to
 * writable) needs no flush. "arm64": the TLB may cache permissions, so an upgrade to
 * writable flushes the CPU TLB for the page (v6.5:arch/arm64/mm/fault.c:241-243). In
 * the RFC's kernel that flush tells no secondary TLB, and an SMMU (no BTM in mainline)
 * keeps its read-only entry: the device livelocks unless patch 2/2 notifies there
 * (notifyOnUpgrade). In v6.6 flush_tlb_page() itself notifies.
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
  /** arm64, RFC model only: notify secondary TLBs on permission upgrades (RFC patch 2/2); v6.6 needs no patch. */
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
