/**
 * A World is a Kernel plus the agents that run in it: the Model the scheduler and
 * explorer drive. Scenarios build one.
 */
import type { Model, StepResult } from "../sched/model";
import type { Violation } from "../oracle/violation";
import { Kernel, type KernelOptions } from "../kernel/kernel";
import { ProgramRunner, type Program } from "./program";
import { StepAbort } from "./sim";
import { SuspensionTable } from "./suspend";

const NONE: readonly Violation[] = Object.freeze([]);

export type AgentKind = "kernel" | "user" | "device" | "hardware";

export interface Agent {
  readonly name: string;
  readonly kind: AgentKind;
  /** Index in the Sim's agent slots (lock owner id - 1). */
  readonly simId: number;
  enabled(): boolean;
  nextLabel(): string;
  step(): void;
  /** Work left unfinished when nothing can run (reported as a deadlock or livelock). */
  unfinished(): string | null;
}

export class World implements Model {
  readonly k: Kernel;
  readonly agents: Agent[] = [];
  /** Violations found while the scenario was set up (a refused registration, say). */
  readonly setupViolations: Violation[] = [];
  /** What suspended threads wait for (sim/suspend.ts). */
  readonly suspensions = new SuspensionTable();

  constructor(opts: KernelOptions = {}) {
    this.k = new Kernel(opts);
  }

  get store() {
    return this.k.sim.store;
  }
  get agentCount(): number {
    return this.agents.length;
  }

  /** Add an agent running `program` (kernel or user thread). */
  addThread(name: string, kind: AgentKind, program: Program): Agent {
    const sim = this.k.sim;
    const store = sim.store;
    const simId = sim.addAgentSlots(name);
    const runner = new ProgramRunner(program, store, store.alloc(`${name}.pc`));
    // Non-zero while the thread waits in the middle of a step: the suspension's id.
    const waitSlot = store.alloc(`${name}.waiting`);
    const table = this.suspensions;
    const agent: Agent = {
      name,
      kind,
      simId,
      enabled: () => {
        const w = store.get(waitSlot);
        return w === 0 ? runner.enabled() : table.get(w).ready();
      },
      nextLabel: () => {
        const w = store.get(waitSlot);
        return w === 0 ? runner.nextLabel() : `${runner.nextLabel()} (after waiting for ${table.get(w).what})`;
      },
      step: () => {
        const w = store.get(waitSlot);
        if (w === 0) {
          sim.beginThreadStep();
          store.startLog();
        } else {
          const e = table.get(w);
          store.set(waitSlot, 0);
          sim.beginThreadStep(e.waitIndex);
          store.startReplay(e.codes, e.values, e.clock);
        }
        try {
          try {
            runner.step();
          } catch (x) {
            if (sim.suspended === null) throw x;
          }
          // Once the step has stopped at a wait, whatever its code did after catching
          // the Suspend (even an abort, or finishing the step) is undone: the CPU was waiting.
          const s = sim.suspended;
          if (s !== null) {
            sim.rewindToSuspension();
            const [codes, values] = store.copyLog();
            store.stopLog();
            store.set(waitSlot, table.intern(codes, values, store.clock, s));
            sim.log(() => `${name}: waits for ${s.what}`);
          }
        } finally {
          store.stopLog();
        }
      },
      unfinished: () => {
        if (store.get(waitSlot) !== 0) return `${name} waits for ${table.get(store.get(waitSlot)).what}`;
        return runner.done ? null : `${name} is stuck at "${runner.nextLabel()}"`;
      },
    };
    this.agents.push(agent);
    return agent;
  }

  /** Add an agent with its own step logic (devices, hardware queues). */
  addAgent(make: (simId: number) => Agent): Agent {
    const a = make(this.k.sim.addAgentSlots("agent"));
    this.agents.push(a);
    return a;
  }

  /** Run setup code as the setup agent, keeping any violation it reports. */
  setup<T>(fn: () => T): T {
    try {
      return this.k.sim.setup(fn);
    } finally {
      this.setupViolations.push(...this.k.sim.takeStepOutput().violations);
    }
  }

  agentName(i: number): string {
    return this.agents[i]!.name;
  }
  enabled(i: number): boolean {
    return this.agents[i]!.enabled();
  }
  nextLabel(i: number): string {
    return this.agents[i]!.nextLabel();
  }

  step(i: number): StepResult {
    const a = this.agents[i]!;
    const sim = this.k.sim;
    sim.current = a.simId;
    for (const io of this.k.iommus) io.resetStepCounters();
    try {
      a.step();
    } catch (e) {
      if (!(e instanceof StepAbort)) throw e;
      const out = sim.takeStepOutput();
      sim.current = -1;
      return { events: out.events, violations: [...out.violations, e.violation] };
    }
    sim.current = -1;
    return sim.takeStepOutput();
  }

  finalCheck(): readonly Violation[] {
    let stuck: string[] | null = null;
    for (const a of this.agents) {
      const u = a.unfinished();
      if (u !== null) (stuck ??= []).push(u);
    }
    if (stuck === null || !this.k.sim.oracleEnabled) return NONE;
    return [{ rule: "deadlock", kind: "liveness", message: `no agent can run, but ${stuck.join("; ")}` }];
  }

  setTracing(on: boolean): void {
    this.k.sim.setTracing(on);
  }
}
