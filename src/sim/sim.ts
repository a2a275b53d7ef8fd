/**
 * The simulator's context object: the store, which agent is running, the trace of the
 * current step, and where violations go. Every model object holds a reference to it.
 */
import { Store } from "./store";
import { StepAbort, ReplayDivergence, Suspend } from "./abort";
import type { Violation, RuleId } from "../oracle/violation";
import { violation } from "../oracle/violation";
import { DEFAULT_MODEL, type ModelOptions } from "./model-options";

export { StepAbort } from "./abort";

const QUIET: { events: string[]; violations: Violation[] } = Object.freeze({ events: Object.freeze([]) as unknown as string[], violations: Object.freeze([]) as unknown as Violation[] });

export interface AgentSlots {
  readonly name: string;
  /** Spinlocks held + rcu_read_lock depth + explicit preempt_disable: > 0 means atomic. */
  readonly atomic: number;
  readonly rcu: number;
  readonly srcu: number;
}

export class Sim {
  readonly store = new Store();
  /** Sim agent whose step is running (0 = setup), or -1 outside any step. */
  current = -1;
  private readonly agentSlots: AgentSlots[] = [];
  private events: string[] | null = null;
  private violations: Violation[] = [];
  /** Rules the oracle must not report (used to show what an oracle-less run misses). */
  readonly disabledRules = new Set<RuleId>();
  /** When false, the oracle checks nothing at all: the "oracle switched off" test mode. */
  oracleEnabled = true;
  /** Which finer parts of the model are on (the Kernel sets this from its options). */
  model: ModelOptions = DEFAULT_MODEL;

  /** Agent 0 runs scenario setup (binding devices, faulting pages in) before any step. */
  static readonly SETUP = 0;

  constructor() {
    this.addAgentSlots("setup");
  }

  /** Run `fn` as the setup agent. */
  setup<T>(fn: () => T): T {
    const prev = this.current;
    this.current = Sim.SETUP;
    try {
      return fn();
    } finally {
      this.current = prev;
    }
  }

  addAgentSlots(name: string): number {
    const id = this.agentSlots.length;
    this.agentSlots.push({
      name,
      atomic: this.store.alloc(`${name}.atomic`),
      rcu: this.store.alloc(`${name}.rcu_depth`),
      srcu: this.store.alloc(`${name}.srcu_depth`),
    });
    return id;
  }

  slotsOf(agent: number): AgentSlots {
    const s = this.agentSlots[agent];
    if (!s) throw new Error(`no agent ${agent}`);
    return s;
  }

  agentName(agent: number): string {
    return agent < 0 ? "setup" : (this.agentSlots[agent]?.name ?? `agent${agent}`);
  }

  /** Lock owner id for the running agent: agent index + 1 (0 means unowned). */
  get owner(): number {
    return this.current + 1;
  }

  inAtomic(agent = this.current): boolean {
    if (agent < 0) return false;
    return this.store.get(this.slotsOf(agent).atomic) > 0;
  }

  setTracing(on: boolean): void {
    this.events = on ? [] : null;
  }

  /** Whether trace events are kept (never while a resumed step replays what it did). */
  get tracing(): boolean {
    return this.events !== null && !this.store.replaying;
  }

  /**
   * Record a trace event; the message is built only when tracing is on. Hot call
   * sites test `tracing` first, which also saves making the closure.
   */
  log(msg: () => string): void {
    if (this.events && !this.store.replaying) this.events.push(msg());
  }

  report(rule: RuleId, message: string, extra: { address?: number; pfn?: number } = {}): void {
    if (!this.oracleEnabled || this.disabledRules.has(rule) || this.store.replaying) return;
    this.violations.push(violation(rule, message, extra));
  }

  /** Report and end the step now. */
  abort(rule: RuleId, message: string, extra: { address?: number; pfn?: number } = {}): never {
    throw new StepAbort(violation(rule, message, extra));
  }

  /**
   * Block the running thread until `ready()` holds: a CPU spinning on a completion
   * semaphore, or sleeping in synchronize_srcu. When `ready()` is false the step ends
   * here; the scheduler resumes the thread once `ready()` holds, and the step goes on
   * from this call (its earlier effects are not done twice). `ready` may read only the
   * store. Only a thread (a program agent) may wait.
   */
  waitUntil(ready: () => boolean, what: string): void {
    // Code that caught the Suspend and went on is still stopped where it first waited.
    if (this.suspending) throw this.suspending;
    const st = this.store;
    const k = this.waitCalls++;
    if (st.replaying) {
      // Waits the first run passed replay their reads; the one it stopped at runs live.
      if (k < this.resumeWait) {
        if (ready()) return;
        throw new ReplayDivergence(this.agentName(this.current), `a wait that was ready is not ready now: ${what}`);
      }
      if (k > this.resumeWait || !st.replayDone) throw new ReplayDivergence(this.agentName(this.current), `it reached a different wait: ${what}`);
      st.resumeLive();
    }
    const mark = st.logLength;
    if (ready()) return;
    if (!st.logging) this.abort("deadlock", `${this.agentName(this.current)} waits for ${what}, but only a thread can wait`);
    // The condition's own reads are made again, live, when the step resumes.
    st.truncateLog(mark);
    // What `finally` blocks do while the Suspend unwinds is not part of the step: the
    // World undoes it back to here (sim/suspend.ts).
    this.suspendedAt.journal = st.mark();
    this.suspendedAt.log = mark;
    this.suspendedAt.violations = this.violations.length;
    this.suspendedAt.events = this.events?.length ?? 0;
    // Not an error: no stack trace to capture (where Error is not frozen, as a grader's is).
    const limit = Error.stackTraceLimit;
    const set = Reflect.set(Error, "stackTraceLimit", 0);
    try {
      this.suspending = new Suspend(ready, what, k);
    } finally {
      if (set) Reflect.set(Error, "stackTraceLimit", limit);
    }
    throw this.suspending;
  }

  /**
   * Whether a hardware wait here may block: asynchronous hardware is modelled, a thread
   * is running, and the step has not used up its blocking waits. When false the caller
   * lets the hardware finish at once.
   */
  hardwareWaitBlocks(): boolean {
    const st = this.store;
    return this.model.asyncHardware && (st.logging || st.replaying) && this.waitCalls < this.model.blockingWaitsPerStep;
  }

  /** Where the last suspended step stopped: journal mark, log length, output so far. */
  readonly suspendedAt = { journal: 0, log: 0, violations: 0, events: 0 };

  /** Forget what the step did after it stopped at a wait (finally blocks run by the unwinding). */
  rewindToSuspension(): void {
    const at = this.suspendedAt;
    this.store.undo(at.journal);
    this.store.truncateLog(at.log);
    this.violations.length = at.violations;
    if (this.events) this.events.length = at.events;
  }

  /** The Suspend this step threw, if it did: the step stops there, whatever catches it. */
  private suspending: Suspend | null = null;

  /** The Suspend the running step threw, if any (whatever else is thrown after it). */
  get suspended(): Suspend | null {
    return this.suspending;
  }

  /** waitUntil calls so far in this step, and the one a resumed step stopped at. */
  private waitCalls = 0;
  private resumeWait = -1;

  /** Called by the World before a thread's step: fresh, or resuming at wait `at`. */
  beginThreadStep(resumeAt = -1): void {
    this.suspending = null;
    this.waitCalls = 0;
    this.resumeWait = resumeAt;
  }

  /** Collected by the model at the end of each step. */
  takeStepOutput(): { events: string[]; violations: Violation[] } {
    // Untraced steps without violations (nearly all of an exploration) share one result.
    if (this.events === null && this.violations.length === 0) return QUIET;
    const out = { events: this.events ?? [], violations: this.violations };
    if (this.events) this.events = [];
    this.violations = [];
    return out;
  }
}
