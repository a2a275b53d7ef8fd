/** Kata 02-notifier-core: the learner's mm_has_notifiers and invalidate_secondary_tlbs walk, plugged into the core. */
import type { KernelOptions } from "../../kernel/kernel";
import type { mm_struct } from "../../mm/mm";
import type { MmuNotifierCore } from "../../notifier/mmu_notifier";
import { pluggableCore } from "./shared/pluggable-core";

/** Kata 02-notifier-core: what the learner's file exports. */
export interface NotifierCoreModule {
  readonly mm_has_notifiers: (mm: mm_struct) => boolean;
  readonly mmu_notifier_invalidate_secondary_tlbs: (core: MmuNotifierCore, mm: mm_struct, start: number, end: number) => void;
  readonly __mmu_notifier_invalidate_secondary_tlbs: (core: MmuNotifierCore, mm: mm_struct, start: number, end: number) => void;
}

export const notifierCoreKernel = (m: NotifierCoreModule): KernelOptions => ({
  core: pluggableCore({
    mm_has_notifiers: m.mm_has_notifiers,
    mmu_notifier_invalidate_secondary_tlbs: m.mmu_notifier_invalidate_secondary_tlbs,
    __mmu_notifier_invalidate_secondary_tlbs: m.__mmu_notifier_invalidate_secondary_tlbs,
  }),
});
