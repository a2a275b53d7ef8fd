/**
 * Sleepable RCU as kernel/rcu/srcutree.c behaves, small enough to explore
 * (docs/KERNEL-FACTS.md#srcu-index: __srcu_read_lock(), srcu_flip(),
 * srcu_invoke_callbacks() in v6.6, no line established).
 *
 * A reader takes the index of the counter new readers use and must give that index
 * back to srcu_read_unlock. A grace period flips the index, so that readers who come
 * later count on the other side, and ends when the old side has no readers: it waits
 * for the readers that were there before it started (the kernel guarantees at least
 * those and may wait for some later ones too; the model waits for exactly those). Grace periods run one at
 * a time; a request made while one runs is served by the next. The machinery that the
 * kernel runs from its workqueue (ending a grace period, invoking callbacks) is split
 * here: a grace period ends in the step of the reader that leaves last (or at once
 * when the old side is empty). call_srcu callbacks run right there, the earliest
 * moment the kernel could run them, unless the world has a callback agent
 * (`srcuCallbackAgent`), which runs them at any step after their grace period.
 *
 * With `sim.model.srcuGracePeriods` off this is the first model: sections only count
 * depth, srcu_read_lock returns 0, grace periods are immediate and call_srcu calls its
 * callback at once.
 */
import { Sim } from "../sim/sim";
import { Cell, SlotMap } from "../sim/store";
import type { Agent } from "../sim/world";
import { might_sleep } from "./lock";

/** struct rcu_head: what call_srcu queues. */
export class rcu_head {
  /** 0 while not queued; else the grace period (count of completed ones) it waits for. */
  readonly queued: Cell;
  /** Which registered callback runs (index + 1 into the srcu_struct's table). */
  readonly fn: Cell;
  constructor(sim: Sim, readonly name: string) {
    this.queued = new Cell(sim.store, `${name}.queued`);
    this.fn = new Cell(sim.store, `${name}.fn`);
  }
}

/** Heads for call_srcu callers that bring none (the kata helper): a few at once. */
const ANON_HEADS = 4;

export class srcu_struct {
  /** The counter new readers take: srcu_read_lock's return value. */
  private readonly idx: Cell;
  private readonly readers: readonly [Cell, Cell];
  /** Sections open, by agent * 2 + index: who may give which index back. */
  private readonly held: SlotMap;
  private readonly started: Cell;
  private readonly completed: Cell;
  /** The highest grace period someone waits for (a request made while one ran). */
  private readonly wanted: Cell;
  /** Every head ever queued (set-up objects; the store says which are queued now). */
  private readonly heads: rcu_head[] = [];
  private readonly anon: rcu_head[] = [];
  /** Callbacks by id: the store keeps ids, so that undo gives back the right one. */
  private readonly fns: (() => void)[] = [];
  private readonly fnIds = new Map<() => void, number>();
  /** A callback agent runs callbacks; without one they run when their grace period ends. */
  private worker = false;

  constructor(
    readonly sim: Sim,
    readonly name: string,
  ) {
    const st = sim.store;
    this.idx = new Cell(st, `${name}.srcu_idx`);
    this.readers = [new Cell(st, `${name}.readers[0]`), new Cell(st, `${name}.readers[1]`)];
    this.held = new SlotMap(st, `${name}.held`);
    this.started = new Cell(st, `${name}.gp_started`);
    this.completed = new Cell(st, `${name}.gp_completed`);
    this.wanted = new Cell(st, `${name}.gp_wanted`);
    for (let i = 0; i < ANON_HEADS; i++) this.anon.push(new rcu_head(sim, `${name}.anon_head[${i}]`));
  }

  private get fine(): boolean {
    return this.sim.model.srcuGracePeriods;
  }

  private depthSlot(): number {
    return this.sim.slotsOf(this.sim.current).srcu;
  }

  srcu_read_lock(): number {
    const st = this.sim.store;
    const d = this.depthSlot();
    st.set(d, st.get(d) + 1);
    if (!this.fine) return 0;
    const i = this.idx.value;
    this.readers[i]!.value = this.readers[i]!.value + 1;
    const key = this.sim.current * 2 + i;
    this.held.set(key, this.held.get(key) + 1);
    return i;
  }

  srcu_read_unlock(idx: number): void {
    const sim = this.sim;
    const st = sim.store;
    const d = this.depthSlot();
    const who = sim.agentName(sim.current);
    if (st.get(d) === 0) sim.abort("unlock-not-held", `srcu_read_unlock() without srcu_read_lock() in ${who}`);
    if (this.fine) {
      const key = sim.current * 2 + idx;
      if ((idx !== 0 && idx !== 1) || this.held.get(key) === 0) {
        const mine = [0, 1].filter((i) => this.held.get(sim.current * 2 + i) > 0);
        sim.abort(
          "srcu-wrong-index",
          `${who}: srcu_read_unlock(&${this.name}, ${idx}), but its open section${mine.length > 1 ? "s have" : " has"} index ${mine.join(" and ")}: srcu_read_unlock must get the value its srcu_read_lock returned, or the grace period counts the wrong readers (it can end while this reader still runs, or never)`,
        );
      }
      this.held.set(key, this.held.get(key) - 1);
      this.readers[idx]!.value = this.readers[idx]!.value - 1;
    }
    st.set(d, st.get(d) - 1);
    if (this.fine) this.advance();
  }

  /** A grace period has started and not ended. */
  private get running(): boolean {
    return this.started.value > this.completed.value;
  }

  /** End the running grace period if its old side is empty, then start one that is wanted. */
  private advance(): void {
    let ended = false;
    while (this.running && this.readers[this.idx.value ^ 1]!.value === 0) {
      this.completed.value = this.started.value;
      ended = true;
      if (this.wanted.value > this.started.value) this.startGp();
    }
    if (ended && !this.worker) this.srcu_invoke_callbacks();
  }

  private startGp(): void {
    this.idx.value = this.idx.value ^ 1;
    this.started.value = this.started.value + 1;
  }

  /**
   * Ask for a grace period that covers every reader there is now; returns the number
   * of completed grace periods that means. One already running does not do: readers
   * that came after its flip are on the new side.
   */
  private request(): number {
    if (!this.running) {
      this.startGp();
      const target = this.started.value;
      this.advance();
      return target;
    }
    const target = this.started.value + 1;
    if (this.wanted.value < target) this.wanted.value = target;
    return target;
  }

  /** Whether grace period number `target` has ended (reads the store only). */
  gpDone(target: number): boolean {
    return this.completed.value >= target;
  }

  /** synchronize_srcu(): sleep until every reader that was there has left. */
  synchronize_srcu(): void {
    const sim = this.sim;
    might_sleep(sim, `synchronize_srcu(&${this.name})`);
    if (sim.current >= 0 && sim.store.get(this.depthSlot()) > 0) {
      sim.abort("deadlock", `${sim.agentName(sim.current)} calls synchronize_srcu(&${this.name}) inside its own SRCU read section: the grace period waits for this reader, which waits for it`);
    }
    if (!this.fine) return;
    const target = this.request();
    sim.waitUntil(() => this.gpDone(target), `an SRCU grace period of ${this.name} (readers that were there before synchronize_srcu)`);
  }

  /**
   * call_srcu(): run `fn` after a grace period. With `head` null a free head of the
   * struct's own is used (for callers that have no rcu_head). At set-up, when nothing
   * else runs, the callback runs at once if its grace period has ended, as the
   * kernel's workqueue would have before the first step.
   */
  call_srcu(head: rcu_head | null, fn: () => void): void {
    const sim = this.sim;
    if (!this.fine) {
      fn();
      return;
    }
    const h = head ?? this.anon.find((x) => x.queued.value === 0);
    if (!h) return sim.abort("driver-crash", `call_srcu(&${this.name}): more than ${ANON_HEADS} callbacks pending without an rcu_head of their own`);
    if (h.queued.value !== 0) sim.abort("driver-crash", `call_srcu(&${this.name}) on ${h.name} that is already queued (the same rcu_head queued twice)`);
    let id = this.fnIds.get(fn);
    if (id === undefined) {
      this.fns.push(fn);
      id = this.fns.length;
      this.fnIds.set(fn, id);
    }
    if (!this.heads.includes(h)) this.heads.push(h);
    h.fn.value = id;
    h.queued.value = this.request();
    if (sim.current <= Sim.SETUP || !this.worker) this.srcu_invoke_callbacks();
  }

  /** From now on callbacks wait for the callback agent. */
  attachWorker(): void {
    this.worker = true;
  }

  /** A queued callback's grace period has ended (the callback agent's guard: reads the store only). */
  callbacksReady(): boolean {
    for (const h of this.heads) if (h.queued.value !== 0 && this.gpDone(h.queued.value)) return true;
    return false;
  }

  /** srcu_invoke_callbacks(): run every callback whose grace period has ended. */
  srcu_invoke_callbacks(): void {
    for (const h of this.heads) {
      if (h.queued.value === 0 || !this.gpDone(h.queued.value)) continue;
      h.queued.value = 0;
      const fn = this.fns[h.fn.value - 1]!;
      h.fn.value = 0;
      this.sim.log(() => `srcu: ${h.name}'s grace period is over: run its callback`);
      fn();
    }
  }

  /** The static srcu_struct of mm/mmu_notifier.c (v6.6:mm/mmu_notifier.c:22-23), one per simulated kernel. */
  static of(sim: Sim): srcu_struct {
    let s = STATIC.get(sim);
    if (!s) STATIC.set(sim, (s = new srcu_struct(sim, "srcu")));
    return s;
  }
}

const STATIC = new WeakMap<Sim, srcu_struct>();

/**
 * The kworker that runs call_srcu callbacks (srcu_invoke_callbacks from the SRCU
 * workqueue): enabled whenever a callback's grace period is over. Add it with
 * `world.addAgent(srcuCallbackAgent(ssp))` to explore every moment a callback may run
 * after its grace period, not only the first.
 */
export function srcuCallbackAgent(ssp: srcu_struct, name = "srcu kworker"): (simId: number) => Agent {
  ssp.attachWorker();
  return (simId) => ({
    name,
    kind: "kernel",
    simId,
    enabled: () => ssp.callbacksReady(),
    nextLabel: () => "srcu_invoke_callbacks",
    step: () => ssp.srcu_invoke_callbacks(),
    unfinished: () => null,
  });
}

/** SRCU read side on mm/mmu_notifier.c's srcu: may sleep, so it does not make the context atomic. */
export function srcu_read_lock(sim: Sim): number {
  return srcu_struct.of(sim).srcu_read_lock();
}
export function srcu_read_unlock(sim: Sim, idx: number): void {
  srcu_struct.of(sim).srcu_read_unlock(idx);
}
export function srcu_read_lock_held(sim: Sim): boolean {
  return sim.current >= 0 && sim.store.get(sim.slotsOf(sim.current).srcu) > 0;
}
export function synchronize_srcu(sim: Sim): void {
  srcu_struct.of(sim).synchronize_srcu();
}
