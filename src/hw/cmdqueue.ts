/**
 * A hardware command queue in the store: the driver writes commands at the tail, the
 * hardware consumes them from the head, one per step of its own, at steps the
 * scheduler picks, and a sync (or wait descriptor) makes the driver's CPU spin until
 * the hardware has got past it. Between two commands anything else may happen: a
 * device may translate and refill what the first command dropped.
 *
 * With the model's asyncHardware switch off, or outside a thread's step (scenario
 * set-up), a sync executes everything queued at once, as the first model did.
 */
import type { Sim } from "../sim/sim";
import { SlotMap } from "../sim/store";

/** One command: an opcode and up to four integer operands (vendor-defined). */
export interface Command {
  readonly op: number;
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly d: number;
}

const WORDS = 5;

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
    this.words.set(base + 1, a);
    this.words.set(base + 2, b);
    this.words.set(base + 3, c);
    this.words.set(base + 4, d);
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
        a: this.words.get(base + 1),
        b: this.words.get(base + 2),
        c: this.words.get(base + 3),
        d: this.words.get(base + 4),
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
