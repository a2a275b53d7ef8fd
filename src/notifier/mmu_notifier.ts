/**
 * The mmu_notifier core, as in the June 2023 RFC that renamed invalidate_range to
 * invalidate_secondary_tlbs. Subscriptions hang off mm->notifier_subscriptions and
 * are walked inside an SRCU read section (callbacks run with srcu held, so they may
 * sleep unless the caller holds a spinlock, as the ptl-holding call sites do).
 * Kernel facts, with their v6.6 lines: docs/KERNEL-FACTS.md#the-core.
 */
import { atUserFrame } from "../sim/where";
import type { Sim } from "../sim/sim";
import { Cell } from "../sim/store";
import type { mm_struct, NotifierSubscriptions } from "../mm/mm";
import { might_sleep, non_block_start, non_block_end, type LockRegistry, type Lock } from "../locking/lock";
import { srcu_read_lock, srcu_read_unlock, srcu_read_lock_held, srcu_struct, rcu_head } from "../locking/srcu";
import { StepAbort } from "../sim/sim";
import { hex } from "../mm/constants";

export const EINVAL = 22;
export const EAGAIN = 11;
export const ENOMEM = 12;

/** enum mmu_notifier_event: why a range is being invalidated (v6.6:include/linux/mmu_notifier.h:51-60). */
export type mmu_notifier_event =
  | "MMU_NOTIFY_UNMAP"
  | "MMU_NOTIFY_CLEAR"
  | "MMU_NOTIFY_PROTECTION_VMA"
  | "MMU_NOTIFY_PROTECTION_PAGE"
  | "MMU_NOTIFY_SOFT_DIRTY"
  | "MMU_NOTIFY_RELEASE"
  | "MMU_NOTIFY_MIGRATE"
  | "MMU_NOTIFY_EXCLUSIVE";

/** v6.6:include/linux/mmu_notifier.h:62. */
export const MMU_NOTIFIER_RANGE_BLOCKABLE = 1;

export interface mmu_notifier_range {
  readonly mm: mm_struct;
  readonly start: number;
  readonly end: number;
  readonly event: mmu_notifier_event;
  readonly flags: number;
}

/** v6.6:include/linux/mmu_notifier.h:404-408. */
export function mmu_notifier_range_blockable(range: mmu_notifier_range): boolean {
  return (range.flags & MMU_NOTIFIER_RANGE_BLOCKABLE) !== 0;
}

/** struct mmu_notifier_ops. A user implements invalidate_secondary_tlbs or start/end, never both. */
export interface mmu_notifier_ops {
  readonly name?: string;
  release?(subscription: mmu_notifier, mm: mm_struct): void;
  /** Returns 0, or -EAGAIN when the range is not blockable and the user would sleep. */
  invalidate_range_start?(subscription: mmu_notifier, range: mmu_notifier_range): number;
  invalidate_range_end?(subscription: mmu_notifier, range: mmu_notifier_range): void;
  /** Flush a non-CPU TLB that shares the CPU page tables. May be called with the ptl held (most call sites hold it): must not sleep. */
  invalidate_secondary_tlbs?(subscription: mmu_notifier, mm: mm_struct, start: number, end: number): void;
  alloc_notifier?(mm: mm_struct): mmu_notifier | number;
  free_notifier?(subscription: mmu_notifier): void;
}

/** struct mmu_notifier: drivers embed it in their own state and find that state back. */
export class mmu_notifier {
  mm: mm_struct | null = null;
  /** Linked on mm->notifier_subscriptions (store-backed so unregister is undone). */
  readonly linked: Cell;
  readonly users: Cell;
  readonly freed: Cell;
  /** The driver structure this notifier is embedded in, for container_of(). */
  container: unknown = null;
  /** What mmu_notifier_put queues with call_srcu. */
  readonly rcu: rcu_head;
  /** mmu_notifier_free_rcu bound to this subscription (one function, so the SRCU queue keeps one id). */
  freeRcu: (() => void) | null = null;

  constructor(
    sim: Sim,
    readonly ops: mmu_notifier_ops,
    readonly name: string,
  ) {
    this.linked = new Cell(sim.store, `${name}.linked`);
    this.users = new Cell(sim.store, `${name}.users`);
    this.freed = new Cell(sim.store, `${name}.freed`);
    this.rcu = new rcu_head(sim, `${name}.rcu`);
  }
}

/** container_of(subscription, T, notifier). */
export function container_of<T>(subscription: mmu_notifier): T {
  if (subscription.container === null) throw new Error(`container_of: ${subscription.name} is not embedded in a driver structure`);
  return subscription.container as T;
}

export class mmu_notifier_subscriptions implements NotifierSubscriptions {
  readonly kind = "mmu_notifier_subscriptions" as const;
  /**
   * Every subscription ever added, newest first (the kernel adds with
   * hlist_add_head_rcu, so walks meet the newest subscription first:
   * v6.6:mm/mmu_notifier.c:679-680); `linked` says which are on the list now.
   */
  readonly list: mmu_notifier[] = [];
}

/** One-time kernel warnings (WARN_ON_ONCE), by call site. */
export class Warnings {
  readonly fired: string[] = [];
  private readonly once = new Set<string>();
  WARN_ON_ONCE(cond: boolean, site: string, msg: string): boolean {
    if (cond && !this.once.has(site)) {
      this.once.add(site);
      this.fired.push(`WARNING: ${site}: ${msg}`);
    }
    return cond;
  }
  /** WARN_ON(): warns every time the condition holds. */
  WARN_ON(cond: boolean, site: string, msg: string): boolean {
    if (cond) this.fired.push(`WARNING: ${site}: ${msg}`);
    return cond;
  }
}

/**
 * The core's entry points. Katas replace individual members with a learner's version,
 * so call sites always go through an instance of this class.
 */
export class MmuNotifierCore {
  readonly warnings = new Warnings();
  /** Callbacks made, by op: what the efficiency checks count. */
  readonly calls = { invalidate_range_start: 0, invalidate_range_end: 0, invalidate_secondary_tlbs: 0, release: 0 };
  /** Nesting depth of callOp, and a reusable held-lock list per depth. */
  private callDepth = 0;
  private readonly heldStack: Lock[][] = [];
  /** Locks held when a callback returns (scratch; used after the callback, never across one). */
  private readonly heldAfter: Lock[] = [];
  /** Called after range_end ran the subscriptions (the oracle's range-end check). */
  onRangeEnd: (mm: mm_struct, start: number, end: number) => void = () => {};
  /** DEFINE_STATIC_SRCU(srcu) of mm/mmu_notifier.c (v6.6:mm/mmu_notifier.c:22-23): what every walk reads under. */
  readonly srcu: srcu_struct;

  constructor(
    readonly sim: Sim,
    readonly locks: LockRegistry,
  ) {
    this.srcu = srcu_struct.of(sim);
  }

  mm_has_notifiers(mm: mm_struct): boolean {
    return mm.notifier_subscriptions !== null;
  }

  private subs(mm: mm_struct): mmu_notifier_subscriptions | null {
    return mm.notifier_subscriptions as mmu_notifier_subscriptions | null;
  }

  /** Live subscriptions, newest first (hlist_for_each_entry_rcu over a list built with hlist_add_head_rcu). */
  *subscriptions(mm: mm_struct): IterableIterator<mmu_notifier> {
    const list = this.walkList(mm);
    if (list) for (const sub of list) if (sub.linked.value) yield sub;
  }

  /**
   * Start of a subscription walk: the list to iterate (skipping entries whose `linked`
   * is 0, read just before each is used), after the SRCU check. The core's own loops
   * use this instead of the generator, which costs an object per call.
   */
  private walkList(mm: mm_struct): readonly mmu_notifier[] | null {
    const s = this.subs(mm);
    if (!s) return null;
    if (!srcu_read_lock_held(this.sim) && this.sim.current > 0) {
      this.sim.report("rcu-not-held", `walking ${mm.name}->notifier_subscriptions outside srcu_read_lock()`);
    }
    return s.list;
  }

  /**
   * Run one driver callback with lockdep-style checks around it: locks held on
   * return, a changed atomic depth, or an exception are the driver's bugs.
   */
  callOp<T>(sub: mmu_notifier, op: string, fn: () => T): T {
    const sim = this.sim;
    const agent = sim.current;
    // Callbacks may nest (a callback calling into the core): one held-lock buffer per level.
    const depth = this.callDepth++;
    if (depth === this.heldStack.length) this.heldStack.push([]);
    const before = this.heldStack[depth]!;
    if (sub.freed.value) {
      this.callDepth--;
      sim.abort(
        "use-after-free-notifier",
        `${sub.ops.name ?? sub.name}: the core calls ${op} on a subscription whose free_notifier already ran (KASAN: use-after-free): mmu_notifier_put may free only through call_srcu, after every SRCU reader that could still reach it has left`,
      );
    }
    try {
      const nBefore = agent >= 0 ? this.locks.heldInto(sim.owner, before) : 0;
      const atomicBefore = agent >= 0 ? sim.store.get(sim.slotsOf(agent).atomic) : 0;
      let result!: T;
      try {
        result = fn();
      } catch (e) {
        if (e instanceof StepAbort) throw e;
        const msg = e instanceof Error ? e.message : String(e);
        sim.abort("driver-crash", `${sub.ops.name ?? sub.name}: ${op} threw: ${msg}${atUserFrame(e)} (an oops in a notifier callback)`);
      }
      if (agent >= 0) {
        const after = this.heldAfter;
        const nAfter = this.locks.heldInto(sim.owner, after);
        for (let i = 0; i < nAfter; i++) {
          const l = after[i]!;
          let was = false;
          for (let j = 0; j < nBefore; j++) if (before[j] === l) was = true;
          if (!was) {
            sim.report("lock-held-on-return", `${sub.ops.name ?? sub.name}: ${op} returned with ${l.name} still held (lock held when returning to the core)`);
          }
        }
        if (sim.store.get(sim.slotsOf(agent).atomic) !== atomicBefore && nAfter === nBefore) {
          sim.report("lock-held-on-return", `${sub.ops.name ?? sub.name}: ${op} returned with rcu_read_lock or preemption state unbalanced`);
        }
      }
      return result;
    } finally {
      this.callDepth--;
    }
  }

  /**
   * __mmu_notifier_register(): the caller holds mmap_lock for write. A null
   * subscription only sets up mm->notifier_subscriptions: the interval-notifier path
   * (mmu_interval_notifier_insert) registers that way, which is why the merged
   * both-kinds check tests the subscription first (v6.6:mm/mmu_notifier.c:624-628).
   */
  __mmu_notifier_register(subscription: mmu_notifier | null, mm: mm_struct): number {
    mm.mmap_lock.assertWriteHeld("__mmu_notifier_register");
    const ops = subscription?.ops;
    // A user of a hardware TLB must not also use start/end, and vice versa.
    if (
      subscription !== null &&
      ops !== undefined &&
      this.warnings.WARN_ON_ONCE(
        ops.invalidate_secondary_tlbs !== undefined && (ops.invalidate_range_start !== undefined || ops.invalidate_range_end !== undefined),
        "__mmu_notifier_register",
        `${ops.name ?? subscription.name} implements both invalidate_secondary_tlbs and invalidate_range_start/end`,
      )
    ) {
      return -EINVAL;
    }
    if (!mm.notifier_subscriptions) mm.notifier_subscriptions = new mmu_notifier_subscriptions();
    if (subscription === null || ops === undefined) return 0;
    const s = this.subs(mm)!;
    subscription.mm = mm;
    subscription.users.value = 1;
    // hlist_add_head_rcu(): the newest subscription is walked first (v6.6:mm/mmu_notifier.c:672-681).
    const at = s.list.indexOf(subscription);
    if (at >= 0) s.list.splice(at, 1);
    s.list.unshift(subscription);
    subscription.linked.value = 1;
    this.sim.log(() => `mmu_notifier registered: ${ops.name ?? subscription.name} on ${mm.name}`);
    return 0;
  }

  /** mmu_notifier_register(): takes mmap_lock for write around __mmu_notifier_register (v6.6:mm/mmu_notifier.c:714-723). */
  mmu_notifier_register(subscription: mmu_notifier, mm: mm_struct): number {
    mm.mmap_lock.down_write();
    const r = this.__mmu_notifier_register(subscription, mm);
    mm.mmap_lock.up_write();
    return r;
  }

  /**
   * mmu_notifier_get_locked(): return the existing subscription with these ops on mm
   * (taking a reference), or allocate one with ops.alloc_notifier and register it
   * (v6.6:mm/mmu_notifier.c:726-747,766-791). The kernel calls alloc_notifier without
   * checking that the ops have one; the -EINVAL for ops without it is the model's.
   */
  mmu_notifier_get_locked(ops: mmu_notifier_ops, mm: mm_struct): mmu_notifier | number {
    mm.mmap_lock.assertWriteHeld("mmu_notifier_get_locked");
    const s = this.subs(mm);
    if (s) {
      for (const sub of s.list) {
        if (sub.linked.value && sub.ops === ops && sub.users.value > 0) {
          sub.users.value = sub.users.value + 1;
          return sub;
        }
      }
    }
    if (!ops.alloc_notifier) return -EINVAL;
    const sub = ops.alloc_notifier(mm);
    if (typeof sub === "number") return sub;
    const r = this.__mmu_notifier_register(sub, mm);
    if (r !== 0) {
      ops.free_notifier?.(sub);
      return r;
    }
    return sub;
  }

  /**
   * mmu_notifier_put(): drop a reference; the last one unhashes the subscription and
   * frees it through call_srcu, so that a reader still walking the list (a callback
   * that sleeps, an invalidation in flight on another CPU) never meets freed memory
   * (v6.6:mm/mmu_notifier.c:887-902).
   */
  mmu_notifier_put(subscription: mmu_notifier): void {
    if (this.warnings.WARN_ON(subscription.users.value === 0, "mmu_notifier_put", `${subscription.name} has no users left`)) return;
    const users = subscription.users.value - 1;
    subscription.users.value = users;
    if (users > 0) return;
    subscription.linked.value = 0;
    subscription.freeRcu ??= () => this.mmu_notifier_free_rcu(subscription);
    this.srcu.call_srcu(subscription.rcu, subscription.freeRcu);
  }

  /** mmu_notifier_free_rcu(): the call_srcu callback: the driver frees its structure (v6.6:mm/mmu_notifier.c:854-863). */
  mmu_notifier_free_rcu(subscription: mmu_notifier): void {
    if (subscription.ops.free_notifier) this.callOp(subscription, "free_notifier", () => subscription.ops.free_notifier!(subscription));
    subscription.freed.value = 1;
  }

  /**
   * mmu_notifier_unregister(): runs release if the subscription is still hashed, unhashes
   * it, then waits for a grace period: after it returns no callback runs any more
   * (v6.6:mm/mmu_notifier.c:812-851).
   */
  mmu_notifier_unregister(subscription: mmu_notifier, mm: mm_struct): void {
    if (subscription.linked.value) {
      const id = srcu_read_lock(this.sim);
      if (subscription.ops.release) this.callOp(subscription, "release", () => subscription.ops.release!(subscription, mm));
      srcu_read_unlock(this.sim, id);
      subscription.linked.value = 0;
    }
    subscription.users.value = 0;
    this.srcu.synchronize_srcu();
  }

  /**
   * __mmu_notifier_release() (mn_hlist_release): exit_mmap() tells every subscription
   * the mm is going away, inside one SRCU read section, unhashes them all, and waits
   * for a grace period (v6.6:mm/mmu_notifier.c:299-358). exitProgram runs the same
   * three parts as separate steps.
   */
  __mmu_notifier_release(mm: mm_struct): void {
    const id = this.mn_release_begin(mm);
    const list = this.subs(mm)?.list ?? [];
    for (let i = 0; i < list.length; i++) this.mn_release_one(mm, i);
    this.mn_release_unhash(mm, id);
    this.srcu.synchronize_srcu();
  }

  /** Release, first part: enter the SRCU read section the callbacks run in (returns its index). */
  mn_release_begin(mm: mm_struct): number {
    const id = srcu_read_lock(this.sim);
    this.walkList(mm);
    return id;
  }

  /** Release: call the `i`th subscription's release op (newest first) if it is hashed and has one. */
  mn_release_one(mm: mm_struct, i: number): void {
    const sub = this.subs(mm)?.list[i];
    if (!sub || !sub.linked.value || !sub.ops.release) return;
    if (!this.sim.store.replaying) this.calls.release++;
    this.callOp(sub, "release", () => sub.ops.release!(sub, mm));
  }

  /** Subscriptions on mm's list (hashed or not): how many mn_release_one indexes there are. */
  subscriptionCount(mm: mm_struct): number {
    return this.subs(mm)?.list.length ?? 0;
  }

  /** Release: unhash every subscription (later invalidations reach none of them), leave the section. */
  mn_release_unhash(mm: mm_struct, id: number): void {
    const s = this.subs(mm);
    if (s) for (const sub of s.list) sub.linked.value = 0;
    srcu_read_unlock(this.sim, id);
  }

  /** mmu_notifier_invalidate_range_start(): may sleep, so the range is blockable whatever the caller set (v6.6:include/linux/mmu_notifier.h:449-460). */
  mmu_notifier_invalidate_range_start(range: mmu_notifier_range): void {
    might_sleep(this.sim, "mmu_notifier_invalidate_range_start");
    if (!this.mm_has_notifiers(range.mm)) return;
    this.mn_hlist_invalidate_range_start(mmu_notifier_range_blockable(range) ? range : { ...range, flags: range.flags | MMU_NOTIFIER_RANGE_BLOCKABLE });
  }

  /**
   * mmu_notifier_invalidate_range_start_nonblock(): for callers that cannot wait (the
   * oom reaper): the range is not blockable, and a user that would have to sleep
   * returns -EAGAIN, which the caller gets back (v6.6:include/linux/mmu_notifier.h:462-474).
   */
  mmu_notifier_invalidate_range_start_nonblock(range: mmu_notifier_range): number {
    if (!this.mm_has_notifiers(range.mm)) return 0;
    return this.mn_hlist_invalidate_range_start({ ...range, flags: range.flags & ~MMU_NOTIFIER_RANGE_BLOCKABLE });
  }

  /**
   * mn_hlist_invalidate_range_start(): call every subscription's range_start (inside
   * non_block_start() when the range is not blockable). A failure is allowed only as
   * -EAGAIN on a non-blockable range; then every range_end user is told the range is
   * over, since the caller will not call range_end (v6.6:mm/mmu_notifier.c:475-534).
   */
  mn_hlist_invalidate_range_start(range: mmu_notifier_range): number {
    const sim = this.sim;
    const blockable = mmu_notifier_range_blockable(range);
    if (sim.tracing) sim.log(() => `mmu_notifier_invalidate_range_start [${hex(range.start)}, ${hex(range.end)}) ${range.event}${blockable ? "" : " (not blockable)"}`);
    let ret = 0;
    const id = srcu_read_lock(sim);
    const list = this.walkList(range.mm);
    for (let i = 0; list !== null && i < list.length; i++) {
      const sub = list[i]!;
      if (!sub.linked.value || !sub.ops.invalidate_range_start) continue;
      if (!this.sim.store.replaying) this.calls.invalidate_range_start++;
      if (!blockable) non_block_start(sim);
      const r = this.callOp(sub, "invalidate_range_start", () => sub.ops.invalidate_range_start!(sub, range));
      if (!blockable) non_block_end(sim);
      if (r) {
        const name = sub.ops.name ?? sub.name;
        this.warnings.WARN_ON(blockable || r !== -EAGAIN, "mn_hlist_invalidate_range_start", `${name}: invalidate_range_start failed with ${r} in a ${blockable ? "" : "non-"}blockable range (only -EAGAIN, and only when the range is not blockable)`);
        this.warnings.WARN_ON(sub.ops.invalidate_range_end !== undefined, "mn_hlist_invalidate_range_start", `${name}: invalidate_range_start failed, but the subscription has invalidate_range_end, which will be called for a start that did not happen`);
        ret = r;
      }
    }
    if (ret) {
      for (let i = 0; list !== null && i < list.length; i++) {
        const sub = list[i]!;
        if (!sub.linked.value || !sub.ops.invalidate_range_end) continue;
        if (!this.sim.store.replaying) this.calls.invalidate_range_end++;
        this.callOp(sub, "invalidate_range_end", () => sub.ops.invalidate_range_end!(sub, range));
      }
    }
    srcu_read_unlock(sim, id);
    return ret;
  }

  /**
   * mn_hlist_invalidate_end(): for each subscription, flush its secondary TLB (unless
   * the call site already did so under the ptl: only_end), then call range_end
   * (RFC:mm/mmu_notifier.c:560-582).
   */
  /**
   * The RFC flushes secondary TLBs at range_end too; v6.6 does not (the arch TLB
   * flush already did). The Kernel sets this from its notifier model.
   */
  secondaryAtRangeEnd = true;

  mn_hlist_invalidate_end(range: mmu_notifier_range, only_end: boolean): void {
    const id = srcu_read_lock(this.sim);
    const list = this.walkList(range.mm);
    for (let i = 0; list !== null && i < list.length; i++) {
      const sub = list[i]!;
      if (!sub.linked.value) continue;
      if (!only_end && this.secondaryAtRangeEnd && sub.ops.invalidate_secondary_tlbs) {
        if (!this.sim.store.replaying) this.calls.invalidate_secondary_tlbs++;
        this.callOp(sub, "invalidate_secondary_tlbs", () => sub.ops.invalidate_secondary_tlbs!(sub, range.mm, range.start, range.end));
      }
      if (sub.ops.invalidate_range_end) {
        if (!this.sim.store.replaying) this.calls.invalidate_range_end++;
        const blockable = mmu_notifier_range_blockable(range);
        if (!blockable) non_block_start(this.sim);
        this.callOp(sub, "invalidate_range_end", () => sub.ops.invalidate_range_end!(sub, range));
        if (!blockable) non_block_end(this.sim);
      }
    }
    srcu_read_unlock(this.sim, id);
  }

  /** v6.6:include/linux/mmu_notifier.h:476-484: may sleep only when the range is blockable. */
  mmu_notifier_invalidate_range_end(range: mmu_notifier_range): void {
    if (mmu_notifier_range_blockable(range)) might_sleep(this.sim, "mmu_notifier_invalidate_range_end");
    if (this.mm_has_notifiers(range.mm)) {
      if (this.sim.tracing) this.sim.log(() => `mmu_notifier_invalidate_range_end [${hex(range.start)}, ${hex(range.end)})`);
      this.mn_hlist_invalidate_end(range, false);
    }
    this.onRangeEnd(range.mm, range.start, range.end);
  }

  /** For call sites that already called invalidate_secondary_tlbs under the ptl. */
  mmu_notifier_invalidate_range_only_end(range: mmu_notifier_range): void {
    if (this.mm_has_notifiers(range.mm)) {
      if (this.sim.tracing) this.sim.log(() => `mmu_notifier_invalidate_range_only_end [${hex(range.start)}, ${hex(range.end)})`);
      this.mn_hlist_invalidate_end(range, true);
    }
    this.onRangeEnd(range.mm, range.start, range.end);
  }

  /** __mmu_notifier_invalidate_secondary_tlbs() (v6.6: __mmu_notifier_arch_invalidate_secondary_tlbs()): call the op on each subscription that has it (RFC:mm/mmu_notifier.c:607-623; v6.6:mm/mmu_notifier.c:588-604). */
  __mmu_notifier_invalidate_secondary_tlbs(mm: mm_struct, start: number, end: number): void {
    const id = srcu_read_lock(this.sim);
    const list = this.walkList(mm);
    for (let i = 0; list !== null && i < list.length; i++) {
      const sub = list[i]!;
      if (!sub.linked.value) continue;
      if (sub.ops.invalidate_secondary_tlbs) {
        if (!this.sim.store.replaying) this.calls.invalidate_secondary_tlbs++;
        this.callOp(sub, "invalidate_secondary_tlbs", () => sub.ops.invalidate_secondary_tlbs!(sub, mm, start, end));
      }
    }
    srcu_read_unlock(this.sim, id);
  }

  /** mmu_notifier_invalidate_secondary_tlbs(): the fast path skips mms without notifiers (RFC:include/linux/mmu_notifier.h:495-500). */
  mmu_notifier_invalidate_secondary_tlbs(mm: mm_struct, start: number, end: number): void {
    if (this.mm_has_notifiers(mm)) {
      if (this.sim.tracing) this.sim.log(() => `mmu_notifier_invalidate_secondary_tlbs [${hex(start)}, ${hex(end)})`);
      this.__mmu_notifier_invalidate_secondary_tlbs(mm, start, end);
    }
  }
}
