/**
 * Exceptions that end a step early. They pass through driver code (the core and the
 * kata membrane rethrow them) up to the World, which turns them into the step's result.
 */
import { violation, type Violation } from "../oracle/violation";

/** Thrown to end a step at once (a flood, a deadlock, a crashed driver). */
export class StepAbort extends Error {
  constructor(readonly violation: Violation) {
    super(violation.message);
  }
}

/**
 * A resumed step did not redo what it did before its wait (sim/suspend.ts): its code
 * depends on something outside the store, such as a module-level variable.
 */
export class ReplayDivergence extends StepAbort {
  constructor(agent: string, detail: string) {
    super(
      violation(
        "nondeterministic-step",
        `${agent} did something else when it went on after a wait (${detail}): code run in a step must depend only on the simulated state. ` +
          "Keep state in the structures the kata gives you (they are saved and restored with the rest), not in module-level variables.",
      ),
    );
  }
}

/** Thrown by Sim.waitUntil to end the step at a wait that is not ready; the World catches it. */
export class Suspend extends StepAbort {
  constructor(
    readonly ready: () => boolean,
    readonly what: string,
    /** Which waitUntil call of the step (0-based) this is. */
    readonly waitIndex: number,
  ) {
    super(violation("deadlock", `waits for ${what}`));
  }
}
