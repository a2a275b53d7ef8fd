/**
 * How the core katas (02-notifier-core, 02-register-rules, 04-range-end) plug a
 * learner's version of mm/mmu_notifier.c functions into the simulated kernel, and the
 * kernel-style helpers those functions are written with.
 *
 * A learner's function has the kernel's signature with the core as first argument
 * (it stands for the kernel's globals: the SRCU struct, the warnings, the lock
 * checker). `pluggableCore(parts)` gives a KernelOptions.core that calls them in
 * place of the core's own; every call is checked like a driver callback: an exception
 * is an oops, an SRCU read section left open is reported.
 */
import type { KernelOptions } from "../../../kernel/kernel";
import type { mm_struct } from "../../../mm/mm";
import type { LockRegistry } from "../../../locking/lock";
import {
  MmuNotifierCore,
  mmu_notifier,
  mmu_notifier_subscriptions,
  type mmu_notifier_ops,
  type mmu_notifier_range,
} from "../../../notifier/mmu_notifier";
import { StepAbort, type Sim } from "../../../sim/sim";
import { atUserFrame } from "../../../sim/where";
import { PAGE_SIZE, PMD_SIZE, hex } from "../../../mm/constants";

// ---------------------------------------------------------------------------------
// Kernel-style helpers for code that replaces part of the core
// ---------------------------------------------------------------------------------

/** mmap_assert_write_locked(): lockdep complains unless the caller holds mmap_lock for write. */
export function mmap_assert_write_locked(mm: mm_struct): void {
  mm.mmap_lock.assertWriteHeld(`${mm.name}: a caller of mmap_assert_write_locked`);
}

/** mm->notifier_subscriptions, typed (null until the first registration on the mm). */
export function mm_notifier_subscriptions(mm: mm_struct): mmu_notifier_subscriptions | null {
  return mm.notifier_subscriptions as mmu_notifier_subscriptions | null;
}

/** hlist_add_head_rcu(): put a subscription at the head of the list; SRCU readers see it from now on. */
export function hlist_add_head_rcu(subscription: mmu_notifier, subscriptions: mmu_notifier_subscriptions): void {
  if (!subscriptions.list.includes(subscription)) subscriptions.list.unshift(subscription);
  subscription.linked.value = 1;
}

/** hlist_del_init_rcu(): take a subscription off the list (readers already walking may still see it). */
export function hlist_del_init_rcu(subscription: mmu_notifier): void {
  subscription.linked.value = 0;
}

/** hlist_unhashed(): whether the subscription is off the list. */
export function hlist_unhashed(subscription: mmu_notifier): boolean {
  return subscription.linked.value === 0;
}

/**
 * hlist_for_each_entry() for a writer: the subscriptions on the list, for a caller that
 * holds mm->notifier_subscriptions->lock (or mmap_lock for write), not an SRCU reader.
 * Readers use core.subscriptions(mm) inside srcu_read_lock().
 */
export function* hlist_for_each_entry(subscriptions: mmu_notifier_subscriptions): IterableIterator<mmu_notifier> {
  for (const sub of [...subscriptions.list]) if (sub.linked.value) yield sub;
}

/** call_srcu(): run `fn` once every SRCU reader that may still see an unlinked subscription is done. */
export function call_srcu(core: MmuNotifierCore, fn: () => void): void {
  core.srcu.call_srcu(null, fn);
}

// ---------------------------------------------------------------------------------
// The pluggable core
// ---------------------------------------------------------------------------------

/** Functions of mm/mmu_notifier.c a kata may replace; each takes the core first. */
export interface CoreParts {
  mm_has_notifiers?(mm: mm_struct): boolean;
  mmu_notifier_invalidate_secondary_tlbs?(core: MmuNotifierCore, mm: mm_struct, start: number, end: number): void;
  __mmu_notifier_invalidate_secondary_tlbs?(core: MmuNotifierCore, mm: mm_struct, start: number, end: number): void;
  __mmu_notifier_register?(core: MmuNotifierCore, subscription: mmu_notifier, mm: mm_struct): number;
  mmu_notifier_get_locked?(core: MmuNotifierCore, ops: mmu_notifier_ops, mm: mm_struct): mmu_notifier | number;
  mmu_notifier_put?(core: MmuNotifierCore, subscription: mmu_notifier): void;
  mn_hlist_invalidate_end?(core: MmuNotifierCore, range: mmu_notifier_range, only_end: boolean): void;
}

/** Call sites that end an invalidation and may choose mmu_notifier_invalidate_range_only_end. */
export type RangeEndSite = "wp_page_copy" | "__split_huge_pmd" | "change_protection" | "page_vma_mkclean_one";
export const RANGE_END_SITES: readonly RangeEndSite[] = ["wp_page_copy", "__split_huge_pmd", "change_protection", "page_vma_mkclean_one"];
export type RangeEndCall = "mmu_notifier_invalidate_range_end" | "mmu_notifier_invalidate_range_only_end";

/**
 * Which of the call sites above made this range_end call. The simulated kernel paths
 * tell them apart by the event and the size of the range: mprotect's change_protection
 * (PROTECTION_VMA), writeback's page_vma_mkclean_one (PROTECTION_PAGE), and the two
 * paths that call only_end: wp_page_copy (one page; it notified under the ptl) and
 * __split_huge_pmd (one PMD; its translations stay valid, or its file/DAX case notified).
 */
export function rangeEndSite(range: mmu_notifier_range, onlyEnd: boolean): RangeEndSite | null {
  if (range.event === "MMU_NOTIFY_PROTECTION_VMA") return "change_protection";
  if (range.event === "MMU_NOTIFY_PROTECTION_PAGE") return "page_vma_mkclean_one";
  if (onlyEnd && range.event === "MMU_NOTIFY_CLEAR") {
    const size = range.end - range.start;
    if (size === PAGE_SIZE) return "wp_page_copy";
    if (size === PMD_SIZE) return "__split_huge_pmd";
  }
  return null;
}

export interface PluggableOptions {
  /** At every one of these call sites, end the range with this call instead of the kernel path's own; null, a missing site or any other value: an oops when the site is reached. */
  readonly rangeEndCalls?: Readonly<Record<RangeEndSite, RangeEndCall | null>>;
  /** Named in messages: "your __mmu_notifier_register threw ...". */
  readonly whose?: string;
}

export class PluggableCore extends MmuNotifierCore {
  constructor(
    sim: Sim,
    locks: LockRegistry,
    readonly parts: CoreParts,
    readonly options: PluggableOptions = {},
  ) {
    super(sim, locks);
  }

  private srcuDepth(): number {
    const a = this.sim.current;
    return a >= 0 ? this.sim.store.get(this.sim.slotsOf(a).srcu) : 0;
  }

  /** Run one of the learner's functions as the kernel would: an exception is an oops. */
  private run<T>(what: string, fn: () => T): T {
    const sim = this.sim;
    const before = this.srcuDepth();
    let r!: T;
    try {
      r = fn();
    } catch (e) {
      if (e instanceof StepAbort) throw e;
      const name = e instanceof Error ? e.name : "exception";
      const msg = e instanceof Error ? e.message : String(e);
      sim.abort("driver-crash", `${this.options.whose ?? "your"} ${what} threw ${name}: ${msg}${atUserFrame(e)} (an oops in the mmu_notifier core)`);
    }
    if (this.srcuDepth() > before) {
      sim.report(
        "lock-held-on-return",
        `${what} returned inside an SRCU read section it opened (srcu_read_lock() without srcu_read_unlock()): every later synchronize_srcu(), as in mmu_notifier_unregister(), would wait forever`,
      );
    }
    return r;
  }

  override mm_has_notifiers(mm: mm_struct): boolean {
    const f = this.parts.mm_has_notifiers;
    return f ? this.run("mm_has_notifiers", () => f(mm)) : super.mm_has_notifiers(mm);
  }

  override mmu_notifier_invalidate_secondary_tlbs(mm: mm_struct, start: number, end: number): void {
    const f = this.parts.mmu_notifier_invalidate_secondary_tlbs;
    if (!f) return super.mmu_notifier_invalidate_secondary_tlbs(mm, start, end);
    this.sim.log(() => `mmu_notifier_invalidate_secondary_tlbs(${mm.name}, ${hex(start)}, ${hex(end)})`);
    this.run("mmu_notifier_invalidate_secondary_tlbs", () => f(this, mm, start, end));
  }

  override __mmu_notifier_invalidate_secondary_tlbs(mm: mm_struct, start: number, end: number): void {
    const f = this.parts.__mmu_notifier_invalidate_secondary_tlbs;
    if (!f) return super.__mmu_notifier_invalidate_secondary_tlbs(mm, start, end);
    this.run("__mmu_notifier_invalidate_secondary_tlbs", () => f(this, mm, start, end));
  }

  override __mmu_notifier_register(subscription: mmu_notifier, mm: mm_struct): number {
    const f = this.parts.__mmu_notifier_register;
    return f ? this.run("__mmu_notifier_register", () => f(this, subscription, mm)) : super.__mmu_notifier_register(subscription, mm);
  }

  override mmu_notifier_get_locked(ops: mmu_notifier_ops, mm: mm_struct): mmu_notifier | number {
    const f = this.parts.mmu_notifier_get_locked;
    return f ? this.run("mmu_notifier_get_locked", () => f(this, ops, mm)) : super.mmu_notifier_get_locked(ops, mm);
  }

  override mmu_notifier_put(subscription: mmu_notifier): void {
    const f = this.parts.mmu_notifier_put;
    return f ? this.run("mmu_notifier_put", () => f(this, subscription)) : super.mmu_notifier_put(subscription);
  }

  override mn_hlist_invalidate_end(range: mmu_notifier_range, only_end: boolean): void {
    const f = this.parts.mn_hlist_invalidate_end;
    return f ? this.run("mn_hlist_invalidate_end", () => f(this, range, only_end)) : super.mn_hlist_invalidate_end(range, only_end);
  }

  private endCall(range: mmu_notifier_range, onlyEnd: boolean): RangeEndCall | undefined {
    const site = rangeEndSite(range, onlyEnd);
    if (!site) return undefined;
    const calls = this.options.rangeEndCalls;
    if (!calls) return undefined;
    const call = calls[site];
    const whose = `${this.options.whose ?? "your"} range_end_calls.${site}`;
    if (call === null) this.sim.abort("driver-crash", `${whose} is null: not decided yet (mmu_notifier_invalidate_range_end or mmu_notifier_invalidate_range_only_end)`);
    // A missing or misspelt answer is not the kernel's choice by default: the file is not type-checked when graded.
    if (call !== "mmu_notifier_invalidate_range_end" && call !== "mmu_notifier_invalidate_range_only_end") {
      this.sim.abort("driver-crash", `${whose} is ${call === undefined ? "missing" : JSON.stringify(call)}: it must be "mmu_notifier_invalidate_range_end" or "mmu_notifier_invalidate_range_only_end"`);
    }
    return call;
  }

  override mmu_notifier_invalidate_range_end(range: mmu_notifier_range): void {
    if (this.endCall(range, false) === "mmu_notifier_invalidate_range_only_end") return super.mmu_notifier_invalidate_range_only_end(range);
    super.mmu_notifier_invalidate_range_end(range);
  }

  override mmu_notifier_invalidate_range_only_end(range: mmu_notifier_range): void {
    if (this.endCall(range, true) === "mmu_notifier_invalidate_range_end") return super.mmu_notifier_invalidate_range_end(range);
    super.mmu_notifier_invalidate_range_only_end(range);
  }
}

/** A KernelOptions.core that calls the given functions in place of the core's own. */
export function pluggableCore(parts: CoreParts, options: PluggableOptions = {}): NonNullable<KernelOptions["core"]> {
  return (base) => new PluggableCore(base.sim, base.locks, parts, options);
}
