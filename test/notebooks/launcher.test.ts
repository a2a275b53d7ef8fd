// The course launcher and setup: bad arguments give one line and a non-zero exit before anything
// is installed; TLBKATA_PYTHON decides which Jupyter the course uses, with no silent fallback.
import { describe, expect, it } from "vitest";
import { VENV_PYTHON, findCourseJupyter, probePython, which } from "../../scripts/course/lib.mjs";
import { requireTool, runScript } from "./support";

describe("npm run course and setup", () => {
  it("--check with other arguments: one line, exit 2", () => {
    const run = runScript("scripts/course/start.mjs", ["--check", "--port", "1"], 30_000);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe("course: error: --check takes no other arguments (got --port)\n");
    expect(run.stdout).toBe("");
  });

  it("setup with an unknown option: one line, exit 1", () => {
    const run = runScript("scripts/setup.mjs", ["--jupyterlab"], 30_000);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe("setup: error: unknown option --jupyterlab (options: --jupyter --chromium --retry-lab)\n");
  });
});

describe("which Jupyter the course uses", () => {
  function withPython<T>(python: string, fn: () => T): T {
    const saved = process.env.TLBKATA_PYTHON;
    process.env.TLBKATA_PYTHON = python;
    try {
      return fn();
    } finally {
      if (saved === undefined) delete process.env.TLBKATA_PYTHON;
      else process.env.TLBKATA_PYTHON = saved;
    }
  }

  it("TLBKATA_PYTHON naming a missing file: none, not another Jupyter", () => {
    expect(withPython("/nonexistent/python3", findCourseJupyter)).toBeNull();
  });

  const bare = which("python3");
  const bareHasNoJupyter = bare !== null && probePython(bare)?.nbclient === null;
  it.skipIf(!bareHasNoJupyter)("TLBKATA_PYTHON naming a Python without Jupyter: none", () => {
    expect(withPython(bare!, findCourseJupyter)).toBeNull();
  });

  describe("with the project's JupyterLab", () => {
    if (!requireTool(probePython(VENV_PYTHON)?.jupyterlab != null, "JupyterLab in .course/venv", "run `npm run course`")) return;
    it("TLBKATA_PYTHON naming the venv's Python: JupyterLab, with its version", () => {
      const j = withPython(VENV_PYTHON, findCourseJupyter);
      expect(j).toMatchObject({ kind: "lab", python: VENV_PYTHON, origin: "TLBKATA_PYTHON" });
      expect(j!.name).toMatch(/^JupyterLab 4\.\d+\.\d+$/);
    });
  });
});
