/**
 * Agents run programs: a flat list of atomic steps with labels to jump to. A program
 * counter in the store says which step is next, so the explorer undoes control flow
 * with everything else. Loops over constant ranges are unrolled when the program is
 * built; data-dependent control flow returns a label.
 */
import type { Store } from "./store";

export const DONE = "__done__";

export interface StepDef {
  /** What the step does, as shown in traces ("lock ptl", "clear pte 0x1000"). */
  readonly label: string;
  /** False while the step cannot run (a lock is taken, a fault is not answered yet). */
  readonly guard?: () => boolean;
  /** Do the step. Return a label to jump to, DONE to finish, or nothing for the next step. */
  readonly run: () => string | void;
}

export class Program {
  constructor(
    readonly name: string,
    readonly steps: readonly StepDef[],
    private readonly labels: ReadonlyMap<string, number>,
  ) {}

  indexOf(label: string): number {
    if (label === DONE) return this.steps.length;
    const i = this.labels.get(label);
    if (i === undefined) throw new Error(`program ${this.name}: no label ${label}`);
    return i;
  }
}

export class ProgramBuilder {
  private readonly steps: StepDef[] = [];
  private readonly labels = new Map<string, number>();

  constructor(readonly name: string) {}

  step(label: string, run: () => string | void, guard?: () => boolean): this {
    this.steps.push(guard ? { label, run, guard } : { label, run });
    return this;
  }

  /** Name the next step so that a step can jump to it. */
  label(name: string): this {
    if (this.labels.has(name)) throw new Error(`program ${this.name}: duplicate label ${name}`);
    this.labels.set(name, this.steps.length);
    return this;
  }

  /** Append another builder's steps (its labels must not clash). */
  append(other: ProgramBuilder): this {
    const offset = this.steps.length;
    for (const [k, v] of other.labels) {
      if (this.labels.has(k)) throw new Error(`program ${this.name}: duplicate label ${k}`);
      this.labels.set(k, v + offset);
    }
    this.steps.push(...other.steps);
    return this;
  }

  get length(): number {
    return this.steps.length;
  }

  build(): Program {
    return new Program(this.name, this.steps, this.labels);
  }
}

/** A running program: its program counter lives in the store. */
export class ProgramRunner {
  private readonly steps: readonly StepDef[];
  /** Per step, the label it jumped to last and where that is: a step mostly returns one. */
  private readonly jumpLabel: (string | undefined)[];
  private readonly jumpIndex: Int32Array;
  constructor(
    readonly program: Program,
    private readonly store: Store,
    private readonly pcSlot: number,
  ) {
    this.steps = program.steps;
    this.jumpLabel = new Array<string | undefined>(program.steps.length).fill(undefined);
    this.jumpIndex = new Int32Array(program.steps.length);
  }

  get pc(): number {
    return this.store.get(this.pcSlot);
  }

  get done(): boolean {
    return this.pc >= this.program.steps.length;
  }

  enabled(): boolean {
    const s = this.steps[this.store.get(this.pcSlot)];
    return s !== undefined && (s.guard === undefined || s.guard());
  }

  nextLabel(): string {
    return this.program.steps[this.pc]?.label ?? "(done)";
  }

  step(): void {
    const pc = this.store.get(this.pcSlot);
    const s = this.steps[pc]!;
    const next = s.run();
    let to = pc + 1;
    if (next !== undefined) {
      if (next === this.jumpLabel[pc]) to = this.jumpIndex[pc]!;
      else {
        to = this.program.indexOf(next);
        this.jumpLabel[pc] = next;
        this.jumpIndex[pc] = to;
      }
    }
    this.store.set(this.pcSlot, to);
  }
}
