/**
 * A hardware command queue in the store: the driver writes commands at the tail, the
 * hardware consumes them from the head, one per step of its own, at steps the
 * scheduler picks, and a sync (or wait descriptor) makes the driver's CPU spin until
 * the hardware has got past it (the kernel's waits: docs/KERNEL-FACTS.md#cmd-waits).
 * Between two commands anything else may happen: a device may translate and refill
 * what the first command dropped.
 *
 * With the model's asyncHardware switch off, or outside a thread's step (scenario
 * set-up), a sync executes everything queued at once, as the first model did.
 */
import type { Sim } from "../sim/sim";
import { SlotMap } from "../sim/store";

/**
 * One command: an opcode and up to four integer operands (vendor-defined). Operands are
 * exact up to 2^53 (a page number of any user address), stored as two 32-bit words.
 */
export interface Command {
  readonly op: number;
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly d: number;
}

const WORDS = 9;
const WORD = 2 ** 32;

export class CommandQueue {
  private readonly words: SlotMap;
  private readonly headSlot: number;
  private readonly tailSlot: number;
  /** Commands executed since the start (the cost a notebook plots). */
  private readonly executedSlot: number;

  constructor(
    private readonly sim: Sim,
    readonly name: string,
    /** Entries in the ring; a full queue makes the producer wait for the hardware. */
    readonly capacity: number,
    /** Execute one command; returns what it did, for the trace. */
    private readonly execute: (cmd: Command) => string | void,
  ) {
    this.words = new SlotMap(sim.store, `${name}.ring`);
    this.headSlot = sim.store.alloc(`${name}.head`);
    this.tailSlot = sim.store.alloc(`${name}.tail`);
    this.executedSlot = sim.store.alloc(`${name}.executed`);
  }

  get pending(): number {
    return this.sim.store.get(this.tailSlot) - this.sim.store.get(this.headSlot);
  }
  get executed(): number {
    return this.sim.store.get(this.executedSlot);
  }

  /** Commands queued since the start: a ticket that is done once `done(ticket)`. */
  get tail(): number {
    return this.sim.store.get(this.tailSlot);
  }

  /** Whether the hardware has executed every command queued before `ticket`. */
  done(ticket: number): boolean {
    return this.sim.store.get(this.headSlot) >= ticket;
  }

  /** Whether a wait really blocks here (a thread's step, asynchronous hardware). */
  private get blocking(): boolean {
    return this.sim.hardwareWaitBlocks();
  }

  /**
   * Queue a command. With the ring full the producer spins until the hardware frees an
   * entry; that is modelled as the hardware executing the oldest command at once (a
   * resumed step replays all it did before, so a wait per command of a long loop would
   * cost the square of its length).
   */
  push(op: number, a = 0, b = 0, c = 0, d = 0): void {
    if (this.pending >= this.capacity) this.consume(1);
    const tail = this.sim.store.get(this.tailSlot);
    const base = (tail % this.capacity) * WORDS;
    this.words.set(base, op);
    this.setOperand(base + 1, a);
    this.setOperand(base + 3, b);
    this.setOperand(base + 5, c);
    this.setOperand(base + 7, d);
    this.sim.store.set(this.tailSlot, tail + 1);
  }

  /** The opcode of the command at the head (0 when the queue is empty). */
  headOp(): number {
    if (this.pending === 0) return 0;
    return this.words.get((this.sim.store.get(this.headSlot) % this.capacity) * WORDS);
  }

  /** The hardware executes the command at the head: one step of its own. Returns what it did. */
  consumeOne(): string {
    this.lastDid = "";
    this.consume(1);
    return this.lastDid;
  }
  private lastDid = "";

  /** The hardware executes up to `n` commands from the head. */
  consume(n: number): number {
    let done = 0;
    while (done < n && this.pending > 0) {
      const head = this.sim.store.get(this.headSlot);
      const base = (head % this.capacity) * WORDS;
      const cmd: Command = {
        op: this.words.get(base),
        a: this.operand(base + 1),
        b: this.operand(base + 3),
        c: this.operand(base + 5),
        d: this.operand(base + 7),
      };
      for (let i = 0; i < WORDS; i++) this.words.set(base + i, 0);
      this.sim.store.set(this.headSlot, head + 1);
      this.sim.store.set(this.executedSlot, this.executed + 1);
      const did = this.execute(cmd);
      if (did) this.lastDid = did;
      done++;
    }
    return done;
  }

  /** An operand as its low and high 32-bit words (a store slot holds 32 bits). */
  private setOperand(at: number, v: number): void {
    if (!Number.isSafeInteger(v)) throw new RangeError(`${this.name}: command operand ${v} is not an integer a command can hold`);
    const hi = Math.floor(v / WORD);
    this.words.set(at, (v - hi * WORD) | 0);
    this.words.set(at + 1, hi);
  }
  private operand(at: number): number {
    return this.words.get(at + 1) * WORD + (this.words.get(at) >>> 0);
  }

  /**
   * CMD_SYNC / completion wait: spin until everything queued so far has run. `what`
   * names the wait in traces ("COMPLETION_WAIT", "CMD_SYNC").
   */
  sync(what = "sync"): void {
    if (!this.blocking) {
      this.consume(this.pending);
      return;
    }
    const ticket = this.tail;
    this.sim.waitUntil(() => this.done(ticket), `${this.name}: ${what}`);
  }
}
