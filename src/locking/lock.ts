/**
 * Kernel locks with lockdep-style checking. Ownership lives in the store (so the
 * explorer undoes it); the lock-order graph is global and kept across runs, as
 * lockdep keeps it across the life of a kernel.
 */
import type { Sim } from "../sim/sim";
import { SlotMap, type Store } from "../sim/store";

export type LockKind = "spinlock" | "mutex" | "rwsem";

/** Lock classes, as lockdep groups locks: every page-table lock is one class "ptl". */
export class LockOrderGraph {
  private readonly edges = new Map<string, Set<string>>();
  /** Bumped whenever an edge is added: a path found before is still the answer until then. */
  private version = 0;
  /** held -> taking -> the path back found at `version` (every lock taken asks again). */
  private readonly memo = new Map<string, Map<string, { version: number; back: string[] | null }>>();

  /**
   * Add "held -> taking"; returns a cycle path if the edge closes one. The graph
   * outlives a run (as lockdep's does), so a known edge is checked again too: a
   * replayed schedule must see the inversion it was found with.
   */
  add(held: string, taking: string): string[] | null {
    if (held === taking) return null;
    let out = this.edges.get(held);
    if (!out) this.edges.set(held, (out = new Set()));
    let byTaking = this.memo.get(held);
    if (!byTaking) this.memo.set(held, (byTaking = new Map()));
    let m = byTaking.get(taking);
    if (!m || m.version !== this.version) {
      // (Adding held -> taking cannot change whether taking reaches held.)
      m = { version: this.version, back: this.path(taking, held) };
      byTaking.set(taking, m);
    }
    if (!out.has(taking)) {
      out.add(taking);
      this.version++;
    }
    return m.back ? [held, ...m.back] : null;
  }

  private path(from: string, to: string): string[] | null {
    const seen = new Set<string>();
    const walk = (n: string): string[] | null => {
      if (n === to) return [n];
      if (seen.has(n)) return null;
      seen.add(n);
      for (const m of this.edges.get(n) ?? []) {
        const p = walk(m);
        if (p) return [n, ...p];
      }
      return null;
    };
    return walk(from);
  }
}

/** Locks one owner may hold at once in the simulator (its own limit: no scenario comes near). */
const MAX_HELD = 48;

export class LockRegistry {
  readonly all: Lock[] = [];
  readonly order = new LockOrderGraph();
  /** Called after any spinlock is released (the oracle's page-table-lock checks). */
  onSpinUnlock: (lock: SpinLock) => void = () => {};
  /**
   * Each owner's held locks in the order taken, a list per owner as a lock checker
   * keeps per task: key owner * (MAX_HELD + 1) holds the depth, the next keys the
   * locks' ids. Looking up what the running agent holds then reads only its own slots,
   * not every lock's owner (which would make every lock taken depend on every other
   * agent's locks).
   */
  private readonly held: SlotMap;
  constructor(readonly sim: Sim) {
    this.held = new SlotMap(sim.store, "held_locks");
  }

  heldBy(owner: number): Lock[] {
    const out: Lock[] = [];
    this.heldInto(owner, out);
    return out;
  }

  /** heldBy() into `out` (overwritten from index 0, not truncated), in the order taken; returns the count. */
  heldInto(owner: number, out: Lock[]): number {
    const base = owner * (MAX_HELD + 1);
    const n = this.held.get(base);
    for (let i = 0; i < n; i++) out[i] = this.all[this.held.get(base + 1 + i) - 1]!;
    return n;
  }

  /** Record that `owner` took `lock` (exclusively). */
  pushHeld(owner: number, lock: Lock): void {
    const base = owner * (MAX_HELD + 1);
    const n = this.held.get(base);
    if (n === MAX_HELD) throw new Error(`locks: ${this.sim.agentName(owner - 1)} would hold more than ${MAX_HELD} locks, the simulator's limit`);
    this.held.set(base + 1 + n, lock.id);
    this.held.set(base, n + 1);
  }

  /** Record that `owner` let `lock` go: the entries after it move down, keeping the order taken. */
  popHeld(owner: number, lock: Lock): void {
    const base = owner * (MAX_HELD + 1);
    const n = this.held.get(base);
    let i = 0;
    while (i < n && this.held.get(base + 1 + i) !== lock.id) i++;
    if (i === n) return;
    for (; i < n - 1; i++) this.held.set(base + 1 + i, this.held.get(base + 2 + i));
    this.held.set(base + n, 0);
    this.held.set(base, n - 1);
  }
}

abstract class Lock {
  /** 0 = free, else owner (agent index + 1). For rwsem readers see RwSemaphore. */
  protected readonly ownerSlot: number;
  /** Index in the registry, from 1. */
  readonly id: number;
  protected readonly sim: Sim;
  private readonly store: Store;
  constructor(
    protected readonly reg: LockRegistry,
    readonly name: string,
    /** lockdep class, e.g. "ptl" for every page-table lock. */
    readonly lockClass: string,
    readonly kind: LockKind,
  ) {
    this.sim = reg.sim;
    this.store = reg.sim.store;
    this.ownerSlot = this.store.alloc(`${name}.owner`);
    this.id = reg.all.push(this);
  }

  heldBy(owner: number): boolean {
    return this.store.get(this.ownerSlot) === owner;
  }

  /** Held by the running agent. */
  get held(): boolean {
    return this.heldBy(this.sim.owner);
  }

  get locked(): boolean {
    return this.sim.store.get(this.ownerSlot) !== 0;
  }

  /** Whether the running agent could take it without waiting. */
  available(): boolean {
    return this.sim.store.get(this.ownerSlot) === 0;
  }

  protected checkOrder(): void {
    const held = HELD;
    const n = this.reg.heldInto(this.sim.owner, held);
    for (let i = 0; i < n; i++) {
      const h = held[i]!;
      if (h === this) continue;
      const cycle = this.reg.order.add(h.lockClass, this.lockClass);
      if (cycle) {
        this.sim.report(
          "lock-order-inversion",
          `possible circular locking dependency: ${cycle.join(" -> ")} (${this.sim.agentName(this.sim.current)} takes ${this.name} while holding ${h.name})`,
        );
      }
    }
  }

  protected acquire(): void {
    const sim = this.sim;
    const owner = sim.store.get(this.ownerSlot);
    if (owner === sim.owner) {
      sim.abort("lock-recursion", `recursive locking: ${sim.agentName(sim.current)} takes ${this.name} it already holds (AA deadlock)`);
    }
    if (owner !== 0) {
      // A thread spins (or sleeps) until the holder lets go; if the holder can never
      // run again the explorer reports the deadlock. Without blocking waits a step is
      // atomic, and the holder can never run inside it.
      if (!canBlock(sim)) sim.abort("deadlock", `${sim.agentName(sim.current)} waits for ${this.name} held by ${sim.agentName(owner - 1)} inside an atomic step: deadlock`);
      sim.waitUntil(() => this.available(), `${this.name}, held by ${sim.agentName(owner - 1)}`);
    }
    this.checkOrder();
    sim.store.set(this.ownerSlot, sim.owner);
    this.reg.pushHeld(sim.owner, this);
  }

  protected release(): void {
    const sim = this.sim;
    if (sim.store.get(this.ownerSlot) !== sim.owner) {
      sim.abort("unlock-not-held", `bad unlock balance: ${sim.agentName(sim.current)} releases ${this.name} it does not hold`);
    }
    sim.store.set(this.ownerSlot, 0);
    this.reg.popHeld(sim.owner, this);
  }

  /** lockdep_assert_held(), or the assertion named by `check`. */
  assertHeld(what: string, check = "lockdep_assert_held"): void {
    if (!this.held) {
      this.sim.report("register-not-held", `${what} without holding ${this.name} (${check})`);
    }
  }
}

/** Scratch list for checkOrder (a step runs one lock operation at a time). */
const HELD: Lock[] = [];

export class SpinLock extends Lock {
  constructor(reg: LockRegistry, name: string, lockClass = name) {
    super(reg, name, lockClass, "spinlock");
  }
  spin_lock(): void {
    this.acquire();
    const a = this.sim.slotsOf(this.sim.current).atomic;
    this.sim.store.set(a, this.sim.store.get(a) + 1);
  }
  spin_unlock(): void {
    this.release();
    const a = this.sim.slotsOf(this.sim.current).atomic;
    this.sim.store.set(a, this.sim.store.get(a) - 1);
    this.reg.onSpinUnlock(this);
  }
}

export class Mutex extends Lock {
  constructor(reg: LockRegistry, name: string, lockClass = name) {
    super(reg, name, lockClass, "mutex");
  }
  mutex_lock(): void {
    might_sleep(this.sim, `mutex_lock(${this.name})`);
    this.acquire();
  }
  mutex_unlock(): void {
    this.release();
  }
}

/** mmap_lock and friends. Readers are counted; a writer excludes everyone. */
export class RwSemaphore extends Lock {
  private readonly readersSlot: number;
  constructor(reg: LockRegistry, name: string, lockClass = name) {
    super(reg, name, lockClass, "rwsem");
    this.readersSlot = reg.sim.store.alloc(`${name}.readers`);
  }
  override available(): boolean {
    return this.sim.store.get(this.ownerSlot) === 0 && this.sim.store.get(this.readersSlot) === 0;
  }
  readAvailable(): boolean {
    return this.sim.store.get(this.ownerSlot) === 0;
  }
  get readers(): number {
    return this.sim.store.get(this.readersSlot);
  }
  down_write(): void {
    might_sleep(this.sim, `down_write(${this.name})`);
    if (this.readers > 0) {
      if (!canBlock(this.sim)) this.sim.abort("deadlock", `${this.sim.agentName(this.sim.current)} waits for ${this.name} held for read inside an atomic step: deadlock`);
      this.sim.waitUntil(() => this.readers === 0, `${this.name}, held for read`);
    }
    this.acquire();
  }
  up_write(): void {
    this.release();
  }
  down_read(): void {
    might_sleep(this.sim, `down_read(${this.name})`);
    const owner = this.sim.store.get(this.ownerSlot);
    if (owner !== 0) {
      if (owner === this.sim.owner || !canBlock(this.sim)) {
        this.sim.abort(owner === this.sim.owner ? "lock-recursion" : "deadlock", `${this.sim.agentName(this.sim.current)} takes ${this.name} for read while it is held for write`);
      }
      this.sim.waitUntil(() => this.readAvailable(), `${this.name}, held for write`);
    }
    this.checkOrder();
    this.sim.store.set(this.readersSlot, this.readers + 1);
  }
  up_read(): void {
    if (this.readers === 0) {
      this.sim.abort("unlock-not-held", `bad unlock balance: ${this.sim.agentName(this.sim.current)} releases ${this.name} for read, but it has no readers`);
    }
    this.sim.store.set(this.readersSlot, this.readers - 1);
  }
  /** mmap_assert_write_locked(): lockdep's write assertion (and, with CONFIG_DEBUG_VM, VM_BUG_ON_MM). */
  assertWriteHeld(what: string): void {
    this.assertHeld(what, "mmap_assert_write_locked");
  }
}

/** Whether the running step may wait for a lock (a thread's step, with blocking waits modelled). */
function canBlock(sim: Sim): boolean {
  return sim.model.asyncHardware && (sim.store.logging || sim.store.replaying);
}

/** might_sleep(): report sleeping in atomic context, as CONFIG_DEBUG_ATOMIC_SLEEP does. */
export function might_sleep(sim: Sim, what: string): void {
  if (sim.current < 0) return;
  if (sim.inAtomic()) {
    sim.report(
      "sleep-in-atomic",
      `BUG: sleeping function called from invalid context: ${what} in ${sim.agentName(sim.current)} while atomic (a spinlock such as the page-table lock is held, or inside rcu_read_lock)`,
    );
  } else if (nonBlockDepth(sim) > 0) {
    sim.report(
      "sleep-in-atomic",
      `BUG: sleeping function called from invalid context: ${what} in ${sim.agentName(sim.current)} inside a non-blockable mmu_notifier range (non_block_start(): the caller, such as the oom reaper, cannot wait; a callback that would sleep must return -EAGAIN when mmu_notifier_range_blockable() is false)`,
    );
  }
}

/** Per agent, the depth of non_block_start() sections (current->non_block_count). */
const NON_BLOCK = new WeakMap<Sim, SlotMap>();
function nonBlockMap(sim: Sim): SlotMap {
  let m = NON_BLOCK.get(sim);
  if (!m) NON_BLOCK.set(sim, (m = new SlotMap(sim.store, "non_block_count")));
  return m;
}
function nonBlockDepth(sim: Sim): number {
  const m = NON_BLOCK.get(sim);
  return m ? m.get(sim.current) : 0;
}
/** non_block_start(): from here on, might_sleep() complains, as under a spinlock. */
export function non_block_start(sim: Sim): void {
  const m = nonBlockMap(sim);
  m.set(sim.current, m.get(sim.current) + 1);
}
export function non_block_end(sim: Sim): void {
  const m = nonBlockMap(sim);
  m.set(sim.current, m.get(sim.current) - 1);
}

/** Classic RCU read side: non-sleepable, counts as atomic. */
export function rcu_read_lock(sim: Sim): void {
  const s = sim.slotsOf(sim.current);
  sim.store.set(s.rcu, sim.store.get(s.rcu) + 1);
  sim.store.set(s.atomic, sim.store.get(s.atomic) + 1);
}
export function rcu_read_unlock(sim: Sim): void {
  const s = sim.slotsOf(sim.current);
  if (sim.store.get(s.rcu) === 0) sim.abort("unlock-not-held", `rcu_read_unlock() without rcu_read_lock() in ${sim.agentName(sim.current)}`);
  sim.store.set(s.rcu, sim.store.get(s.rcu) - 1);
  sim.store.set(s.atomic, sim.store.get(s.atomic) - 1);
}
export function rcu_read_lock_held(sim: Sim): boolean {
  return sim.current >= 0 && sim.store.get(sim.slotsOf(sim.current).rcu) > 0;
}
// SRCU lives in srcu.ts; these names stay importable from here.
export { srcu_read_lock, srcu_read_unlock, srcu_read_lock_held, synchronize_srcu } from "./srcu";
export type { Lock };
