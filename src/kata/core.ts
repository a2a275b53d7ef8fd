/**
 * How the core katas (02-notifier-core, 02-register-rules, 04-range-end) plug a
 * learner's version of mm/mmu_notifier.c functions into the simulated kernel, the
 * kernel-style helpers those functions are written with, and the small drivers the
 * core and migration katas are tested with.
 *
 * A learner's function has the kernel's signature with the core as first argument
 * (it stands for the kernel's globals: the SRCU struct, the warnings, the lock
 * checker). `pluggableCore(parts)` gives a KernelOptions.core that calls them in
 * place of the core's own; every call is checked like a driver callback: an exception
 * is an oops, an SRCU read section left open is reported.
 */
import type { Kernel, KernelOptions } from "../kernel/kernel";
import type { mm_struct } from "../mm/mm";
import type { IommuModel } from "../hw/iommu";
import type { DriverSpec, BoundContext } from "../drivers/driver";
import { GenericIommu } from "../hw/generic/iommu";
import { Mutex, srcu_read_lock_held, type LockRegistry } from "../locking/lock";
import {
  MmuNotifierCore,
  mmu_notifier,
  mmu_notifier_subscriptions,
  container_of,
  EINVAL,
  type mmu_notifier_ops,
  type mmu_notifier_range,
} from "../notifier/mmu_notifier";
import { StepAbort, type Sim } from "../sim/sim";
import { atUserFrame } from "../sim/where";
import { kstruct } from "../sim/store";
import { PAGE_SIZE, PMD_SIZE, hex } from "../mm/constants";

// ---------------------------------------------------------------------------------
// Kernel-style helpers for code that replaces part of the core
// ---------------------------------------------------------------------------------

/** mmap_assert_write_locked(): lockdep complains unless the caller holds mmap_lock for write. */
export function mmap_assert_write_locked(mm: mm_struct): void {
  mm.mmap_lock.assertWriteHeld(`${mm.name}: mmap_assert_write_locked`);
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

/**
 * call_srcu(): run `fn` once every SRCU reader that may still see an unlinked
 * subscription is done. Readers never outlive their step here, so that is now.
 */
export function call_srcu(_core: MmuNotifierCore, fn: () => void): void {
  fn();
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
 * paths that already notify under the ptl and call only_end: wp_page_copy (one page)
 * and __split_huge_pmd (one PMD).
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
  /** At these call sites, end the range with this call instead of the kernel path's own. */
  readonly rangeEndCalls?: Partial<Record<RangeEndSite, RangeEndCall>>;
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
    return site ? this.options.rangeEndCalls?.[site] : undefined;
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

/** Kata 02-notifier-core: what the learner's file exports. */
export interface NotifierCoreModule {
  readonly mm_has_notifiers: (mm: mm_struct) => boolean;
  readonly mmu_notifier_invalidate_secondary_tlbs: (core: MmuNotifierCore, mm: mm_struct, start: number, end: number) => void;
  readonly __mmu_notifier_invalidate_secondary_tlbs: (core: MmuNotifierCore, mm: mm_struct, start: number, end: number) => void;
}

/** Kata 02-register-rules: what the learner's file exports. */
export interface RegisterRulesModule {
  readonly __mmu_notifier_register: (core: MmuNotifierCore, subscription: mmu_notifier, mm: mm_struct) => number;
  readonly mmu_notifier_get_locked: (core: MmuNotifierCore, ops: mmu_notifier_ops, mm: mm_struct) => mmu_notifier | number;
  readonly mmu_notifier_put: (core: MmuNotifierCore, subscription: mmu_notifier) => void;
}

/** Kata 04-range-end: what the learner's file exports. */
export interface RangeEndModule {
  readonly mn_hlist_invalidate_end: (core: MmuNotifierCore, range: mmu_notifier_range, only_end: boolean) => void;
  readonly range_end_calls: Readonly<Record<RangeEndSite, RangeEndCall>>;
}

export const notifierCoreKernel = (m: NotifierCoreModule): KernelOptions => ({
  core: pluggableCore({
    mm_has_notifiers: m.mm_has_notifiers,
    mmu_notifier_invalidate_secondary_tlbs: m.mmu_notifier_invalidate_secondary_tlbs,
    __mmu_notifier_invalidate_secondary_tlbs: m.__mmu_notifier_invalidate_secondary_tlbs,
  }),
});

export const registerRulesKernel = (m: RegisterRulesModule): KernelOptions => ({
  core: pluggableCore({
    __mmu_notifier_register: m.__mmu_notifier_register,
    mmu_notifier_get_locked: m.mmu_notifier_get_locked,
    mmu_notifier_put: m.mmu_notifier_put,
  }),
});

/** Kata 04-range-end: the learner's mn_hlist_invalidate_end (the call sites as the kernel paths make them). */
export const rangeEndKernel = (m: Pick<RangeEndModule, "mn_hlist_invalidate_end">): KernelOptions => ({
  core: pluggableCore({ mn_hlist_invalidate_end: m.mn_hlist_invalidate_end }),
});

/** Kata 04-range-end: the learner's choice of range_end or only_end at each call site (the core's own mn_hlist_invalidate_end). */
export const rangeEndCallsKernel = (m: Pick<RangeEndModule, "range_end_calls">): KernelOptions => ({
  core: pluggableCore({}, { rangeEndCalls: m.range_end_calls }),
});

// ---------------------------------------------------------------------------------
// A probe driver: a device on the generic IOMMU, plus other users of the same mm
// ---------------------------------------------------------------------------------

/** A KVM-like user of start/end (a software TLB): it counts invalidations in progress. */
export interface kvm_like {
  readonly sim: Sim;
  readonly notifier: mmu_notifier;
  /** kvm->mmu_invalidate_in_progress: up in range_start, down in range_end. */
  in_progress: number;
}

/** The bond of one of the probe's SVA subscriptions (the device's, or the idle one). */
export interface probe_bond {
  readonly sim: Sim;
  readonly notifier: mmu_notifier;
  readonly pasid: number;
  readonly iommu: GenericIommu;
  invalid: boolean;
}

export interface ProbeOptions {
  /** Register a KVM-like start/end subscription on the mm first (default true). */
  readonly kvm?: boolean;
  /** Register a second invalidate_secondary_tlbs user (another PASID, no device) before the device's (default true). */
  readonly idle?: boolean;
}

/** The probe driver: the scenario's device, with a KVM-like and an idle SVA user on the same mm. */
export interface ProbeDriver extends DriverSpec {
  /**
   * invalidate_secondary_tlbs calls on the device's subscription (and the ranges it
   * got), on the idle one; KVM's start/end. Plain counters, reset by each bind.
   */
  readonly calls: { device: number; idle: number; kvm_start: number; kvm_end: number; ranges: string[] };
  /** The last bind's KVM-like subscription (null without one). */
  kvm: kvm_like | null;
}

function reportOutsideSrcu(sim: Sim, who: string): void {
  if (!srcu_read_lock_held(sim)) {
    sim.report(
      "rcu-not-held",
      `${who}: invalidate_secondary_tlbs was called outside srcu_read_lock(): nothing stops mmu_notifier_put() from freeing this subscription while the core still uses it`,
    );
  }
}

export function probeDriver(o: ProbeOptions = {}): ProbeDriver {
  const calls = { device: 0, idle: 0, kvm_start: 0, kvm_end: 0, ranges: [] as string[] };
  const flushOps = (who: "device" | "idle"): mmu_notifier_ops => ({
    name: who === "device" ? "probe-sva" : "probe-sva-idle",
    invalidate_secondary_tlbs(sub, _mm, start, end) {
      const b = container_of<probe_bond>(sub);
      // Counted once: a step resumed after its wait runs the callback again, replaying it.
      if (!b.sim.store.replaying) {
        calls[who]++;
        if (who === "device") calls.ranges.push(`[${hex(start)}, ${hex(end)})`);
      }
      reportOutsideSrcu(b.sim, sub.ops.name!);
      b.iommu.inv_range(b.pasid, start, end);
      b.iommu.sync();
    },
    release(sub) {
      const b = container_of<probe_bond>(sub);
      if (b.invalid) return;
      b.iommu.unbind(b.pasid);
      b.iommu.inv_pasid(b.pasid);
      b.iommu.sync();
      b.invalid = true;
    },
  });
  const kvmOps: mmu_notifier_ops = {
    name: "kvm-like",
    invalidate_range_start(sub) {
      const kvm = container_of<kvm_like>(sub);
      calls.kvm_start++;
      kvm.in_progress = kvm.in_progress + 1;
      return 0;
    },
    invalidate_range_end(sub) {
      const kvm = container_of<kvm_like>(sub);
      calls.kvm_end++;
      if (kvm.in_progress === 0) {
        kvm.sim.abort(
          "driver-crash",
          "kvm-like: invalidate_range_end without a matching invalidate_range_start: kvm->mmu_invalidate_in_progress would go negative (a BUG_ON in KVM)",
        );
      }
      kvm.in_progress = kvm.in_progress - 1;
    },
  };
  const ops = { device: flushOps("device"), idle: flushOps("idle") };
  const driver: ProbeDriver = {
    name: "probe",
    description: "a device on the generic IOMMU, with a KVM-like start/end user and an idle SVA user on the same mm",
    calls,
    kvm: null,
    createIommu: (k: Kernel): IommuModel => k.addIommu(new GenericIommu(k.sim, k.phys)),
    bind(k: Kernel, iommu: IommuModel, mm: mm_struct, pasid: number): BoundContext {
      // A new world: start counting again (the counters mean something for straight runs).
      calls.device = calls.idle = calls.kvm_start = calls.kvm_end = 0;
      calls.ranges.length = 0;
      const io = iommu as GenericIommu;
      if (o.kvm ?? true) {
        const kvm = kstruct<kvm_like>(k.sim.store, "kvm", { sim: k.sim, notifier: new mmu_notifier(k.sim, kvmOps, "kvm.mmu_notifier"), in_progress: 0 });
        kvm.notifier.container = kvm;
        driver.kvm = kvm;
        const r = k.mn.mmu_notifier_register(kvm.notifier, mm);
        if (r !== 0) return { ret: r, tag: pasid };
      }
      const bond = (who: "device" | "idle", p: number): number => {
        const b = kstruct<probe_bond>(k.sim.store, `probe.${who}`, {
          sim: k.sim,
          notifier: new mmu_notifier(k.sim, ops[who], `probe.${who}.notifier`),
          pasid: p,
          iommu: io,
          invalid: false,
        });
        b.notifier.container = b;
        io.bind(p, mm);
        return k.mn.mmu_notifier_register(b.notifier, mm);
      };
      if (o.idle ?? true) {
        const r = bond("idle", pasid + 100);
        if (r !== 0) return { ret: r, tag: pasid };
      }
      return { ret: bond("device", pasid), tag: pasid };
    },
  };
  return driver;
}

// ---------------------------------------------------------------------------------
// Kata 02-register-rules: a driver sharing one notifier per mm through get/put
// ---------------------------------------------------------------------------------

/** The per-mm state of a driver that shares one notifier among its devices (mmu_notifier_get). */
export interface sva_mm {
  readonly sim: Sim;
  readonly notifier: mmu_notifier;
  readonly pasid: number;
  readonly iommu: GenericIommu;
  /** Set by free_notifier: the structure is gone. */
  freed: boolean;
}

export interface SharedSvaDriver extends DriverSpec {
  /** alloc_notifier and free_notifier calls (plain counters, reset by each world's first bind). */
  readonly counts: { alloc: number; free: number };
  /** The notifiers bind() got back, in order. */
  readonly bonds: mmu_notifier[];
  /** What mmu_notifier_get_locked returned when it failed (negative errnos), in order. */
  readonly errors: number[];
  /** A second device binds the same mm: mmu_notifier_get_locked under mmap_lock. */
  bindAnother(k: Kernel, mm: mm_struct): number;
  /** A device unbinds: mmu_notifier_put of what its bind got. The last one also stops the PASID. */
  unbind(k: Kernel, index: number): void;
}

/** The shared-notifier driver; `extra` adds ops (to build tables the core must refuse). */
export function sharedSvaDriver(extra: Partial<mmu_notifier_ops> = {}): SharedSvaDriver {
  const counts = { alloc: 0, free: 0 };
  const bonds: mmu_notifier[] = [];
  const errors: number[] = [];
  let current: { k: Kernel; io: GenericIommu; pasid: number } | null = null;
  let io0: GenericIommu | null = null;
  let pasid0 = 0;
  let devices = 0;
  const ops: mmu_notifier_ops = {
    name: "shared-sva",
    invalidate_secondary_tlbs(sub, _mm, start, end) {
      const s = container_of<sva_mm>(sub);
      if (s.freed) s.sim.abort("use-after-free", `shared-sva: invalidate_secondary_tlbs called on a notifier that free_notifier already freed (KASAN: use-after-free)`);
      s.iommu.inv_range(s.pasid, start, end);
      s.iommu.sync();
    },
    release(sub) {
      const s = container_of<sva_mm>(sub);
      if (s.freed) s.sim.abort("use-after-free", `shared-sva: release called on a notifier that free_notifier already freed (KASAN: use-after-free)`);
      s.iommu.unbind(s.pasid);
      s.iommu.inv_pasid(s.pasid);
      s.iommu.sync();
    },
    alloc_notifier(mm) {
      const c = current!;
      counts.alloc++;
      const s = kstruct<sva_mm>(c.k.sim.store, `shared-sva.mm[${counts.alloc}]`, {
        sim: c.k.sim,
        notifier: new mmu_notifier(c.k.sim, ops, `shared-sva.notifier[${counts.alloc}]`),
        pasid: c.pasid,
        iommu: c.io,
        freed: false,
      });
      s.notifier.container = s;
      void mm;
      return s.notifier;
    },
    free_notifier(sub) {
      const s = container_of<sva_mm>(sub);
      if (s.freed) s.sim.abort("use-after-free", "shared-sva: free_notifier called twice on the same notifier (double free)");
      counts.free++;
      s.freed = true;
    },
    ...extra,
  };
  const get = (k: Kernel, io: GenericIommu, mm: mm_struct, pasid: number): number => {
    current = { k, io, pasid };
    mm.mmap_lock.down_write();
    const r = k.mn.mmu_notifier_get_locked(ops, mm);
    mm.mmap_lock.up_write();
    current = null;
    if (typeof r === "number") {
      errors.push(r);
      return r;
    }
    bonds.push(r);
    devices++;
    return 0;
  };
  return {
    name: "shared-sva",
    description: "one notifier per mm shared by the driver's devices (mmu_notifier_get_locked / mmu_notifier_put)",
    counts,
    bonds,
    errors,
    createIommu: (k: Kernel): IommuModel => k.addIommu(new GenericIommu(k.sim, k.phys)),
    bind(k: Kernel, iommu: IommuModel, mm: mm_struct, pasid: number): BoundContext {
      // A new world: forget the last one's devices and counts.
      bonds.length = 0;
      errors.length = 0;
      counts.alloc = counts.free = 0;
      devices = 0;
      const io = iommu as GenericIommu;
      io.bind(pasid, mm);
      io0 = io;
      pasid0 = pasid;
      const r = get(k, io, mm, pasid);
      if (r !== 0) io.unbind(pasid);
      return { ret: r, tag: pasid };
    },
    bindAnother(k: Kernel, mm: mm_struct): number {
      return get(k, io0!, mm, pasid0);
    },
    unbind(k: Kernel, index: number): void {
      const sub = bonds[index]!;
      devices--;
      if (devices === 0) {
        io0!.unbind(pasid0);
        io0!.inv_pasid(pasid0);
        io0!.sync();
      }
      k.mn.mmu_notifier_put(sub);
    },
  };
}

// ---------------------------------------------------------------------------------
// Kata 04-rename-migration: an out-of-tree driver on the generic IOMMU
// ---------------------------------------------------------------------------------

/**
 * struct mmu_notifier_ops with the callback the rename removed, as every kernel
 * through v6.5 has it. The post-rename core never calls invalidate_range; in C, a table that still
 * sets it does not build.
 */
export type legacy_mmu_notifier_ops = mmu_notifier_ops & {
  invalidate_range?(subscription: mmu_notifier, mm: mm_struct, start: number, end: number): void;
};

/** The out-of-tree "acme" accelerator's per-(device, mm) context, with the notifier embedded. */
export interface acme_ctx {
  readonly notifier: mmu_notifier;
  readonly mm: mm_struct;
  readonly pasid: number;
  readonly iommu: GenericIommu;
  /** Serialises waiters on the command queue. A mutex: it may sleep. */
  readonly lock: Mutex;
  /** Invalidations queued and not yet waited for. */
  pending: number;
  /** Set by release: the PASID no longer translates. */
  invalid: boolean;
}

export interface RenameMigrationModule {
  readonly acme_mn_ops: legacy_mmu_notifier_ops;
}

/** The acme driver's bind (acme_sva_bind): a context, the PASID entry, the notifier. */
export function acmeDriver(mod: RenameMigrationModule, name = "acme"): DriverSpec {
  return {
    name,
    description: "an out-of-tree accelerator driver on the generic IOMMU (kata 04-rename-migration)",
    createIommu: (k: Kernel): IommuModel => k.addIommu(new GenericIommu(k.sim, k.phys)),
    bind(k: Kernel, iommu: IommuModel, mm: mm_struct, pasid: number): BoundContext {
      const ops = mod.acme_mn_ops;
      if (ops.invalidate_range !== undefined) {
        // What the compiler says about a C driver that still sets the old member.
        k.sim.report(
          "invalid-ops",
          `${ops.name ?? name}: error: 'const struct mmu_notifier_ops' has no member named 'invalidate_range' (renamed invalidate_secondary_tlbs by the June 2023 RFC; merged in Linux 6.6 as arch_invalidate_secondary_tlbs): the driver does not build`,
        );
        return { ret: -EINVAL, tag: pasid };
      }
      const io = iommu as GenericIommu;
      const ctx = kstruct<acme_ctx>(k.sim.store, `${name}.ctx[${pasid}]`, {
        notifier: new mmu_notifier(k.sim, ops, `${name}.ctx.notifier`),
        mm,
        pasid,
        iommu: io,
        lock: new Mutex(k.locks, `${name}.ctx.lock`, "acme_ctx_lock"),
        pending: 0,
        invalid: false,
      });
      ctx.notifier.container = ctx;
      io.bind(pasid, mm);
      const r = k.mn.mmu_notifier_register(ctx.notifier, mm);
      if (r !== 0) io.unbind(pasid);
      return { ret: r, tag: pasid };
    },
  };
}
