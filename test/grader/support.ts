// Shared by the grader's tests: grading sandboxes every submission with bubblewrap, so
// without it these tests are skipped with a message, and in CI they fail (as the notebook
// tests treat Jupyter).
import { isolationProblem } from "../../src/kata/sandbox";
import { requireTool } from "../notebooks/support";

/** Why this machine cannot sandbox (null when it can). */
export const sandboxProblem = isolationProblem("namespaces");

/** Call at the top of a describe: false (and a skipped or failing test) when the sandbox is missing. */
export function needSandbox(): boolean {
  return requireTool(sandboxProblem === null, "bubblewrap with user namespaces", `${sandboxProblem}: apt-get install bubblewrap`);
}
