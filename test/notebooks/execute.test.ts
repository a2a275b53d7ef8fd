// Executes every course notebook through the real harness (the course JupyterLab's nbclient + the project's
// tslab kernelspec), compares the fresh outputs with the committed ones, and checks that the
// harness reports a failing cell by index (with deliberately broken copies).
// Needs the simulation package built (`npm test` builds it first).
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { TSLAB_BIN, findCourseJupyter, kernelEnv, listNotebooks, writeKernelSpec } from "../../scripts/course/lib.mjs";
import { ROOT, requireTool, runNotebooks } from "./support";
import { compareOutputs, readNotebook } from "./outputs";

// Two kernel starts of up to 75 s each (execute.py) and the cells.
const NOTEBOOK_TIMEOUT_MS = 240_000;
/** Executed copies land here (git-ignored), to compare with the committed outputs and to inspect. */
const EXECUTED_DIR = path.join(ROOT, "test-artifacts", "executed-notebooks");
/** With TLBKATA_STRICT_OUTPUTS=1, stale committed output content fails the test instead of warning. */
const STRICT_OUTPUTS = process.env.TLBKATA_STRICT_OUTPUTS === "1";

describe("course notebooks", () => {
  // CI runs them on JupyterLab's own nbclient and kernel machinery; elsewhere the classic
  // Notebook's will do.
  const jupyter = findCourseJupyter();
  const usable = jupyter !== null && (jupyter.kind === "lab" || !process.env.CI);
  if (!requireTool(usable, "JupyterLab (its nbclient runs the notebooks)", "run `npm run course` (it installs JupyterLab into .course/venv)")) {
    return;
  }

  const notebooks = listNotebooks();
  it("there is at least the welcome notebook", () => {
    expect(notebooks.map((n) => path.basename(n))).toContain("00-welcome.ipynb");
  });

  for (const nb of notebooks) {
    it(
      `${path.relative(ROOT, nb)} runs without a cell error`,
      () => {
        const run = runNotebooks([nb], ["--out", EXECUTED_DIR]);
        const r = run.results[0];
        if (!r) throw new Error(`the harness printed no result (exit ${run.status}): ${run.stderr.trim().split("\n").pop()}`);
        if (!r.ok) throw new Error(`${r.notebook} cell ${r.cell_index} (id ${r.cell_id}): ${r.error}`);
        expect(run.status).toBe(0);

        // The committed outputs must be those of this source: the same cells give the same kinds of
        // output. Different content (a trace worded differently, another count) means they are stale.
        const rel = path.relative(ROOT, nb);
        const refresh = `refresh them with: node scripts/notebooks/run.mjs test --write ${rel}`;
        const cmp = compareOutputs(readNotebook(nb), readNotebook(path.join(EXECUTED_DIR, path.basename(nb))));
        if (cmp.shape.length) throw new Error(`the committed outputs of ${rel} do not come from its current source:\n${cmp.shape.join("\n")}\n${refresh}`);
        if (cmp.content.length) {
          const msg = `the committed outputs of ${rel} are stale:\n${cmp.content.join("\n")}\n${refresh}`;
          if (STRICT_OUTPUTS) throw new Error(msg);
          console.warn(`warning: ${msg}`);
        }
      },
      NOTEBOOK_TIMEOUT_MS,
    );
  }

  it(
    "starts a second kernel when the first dies before answering, and says so",
    () => {
      // A kernelspec whose first start exits at once (as a kernel does when a port it was
      // given is already taken); its second start is the real tslab.
      const dir = fs.mkdtempSync(path.join(ROOT, "test-artifacts", "flaky-kernel-"));
      try {
        const marker = path.join(dir, "started-once");
        const script = path.join(dir, "kernel.sh");
        fs.writeFileSync(
          script,
          `#!/bin/sh\nif [ ! -e '${marker}' ]; then : > '${marker}'; exit 1; fi\nexec '${process.execPath}' '${TSLAB_BIN}' kernel --config-path "$1"\n`,
        );
        fs.mkdirSync(path.join(dir, "kernels", "flaky"), { recursive: true });
        fs.writeFileSync(
          path.join(dir, "kernels", "flaky", "kernel.json"),
          JSON.stringify({ argv: ["/bin/sh", script, "{connection_file}"], display_name: "flaky", language: "typescript" }),
        );
        writeKernelSpec();
        const env = kernelEnv();
        const r = spawnSync(
          jupyter!.python,
          [path.join(ROOT, "scripts", "notebooks", "execute.py"), "--kernel", "flaky", path.join(ROOT, "notebooks", "00-welcome.ipynb")],
          { cwd: ROOT, encoding: "utf8", env: { ...env, JUPYTER_PATH: [dir, env.JUPYTER_PATH].join(path.delimiter) }, timeout: NOTEBOOK_TIMEOUT_MS },
        );
        const line = r.stdout.split("\n").find((l) => l.startsWith("{"));
        if (!line) throw new Error(`execute.py printed no result (exit ${r.status}): ${r.stderr.trim().split("\n").pop()}`);
        const result = JSON.parse(line);
        expect(fs.existsSync(marker)).toBe(true);
        expect(result).toMatchObject({ ok: true });
        expect(result.failed_kernel_starts).toHaveLength(1);
        expect(r.status).toBe(0);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
    NOTEBOOK_TIMEOUT_MS,
  );

  describe("a broken notebook", () => {
    const dir = path.join(ROOT, "test-artifacts");
    fs.mkdirSync(dir, { recursive: true });
    // Inside the repository, so that `require("tlbkata")` still resolves from the copy.
    const tmp = fs.mkdtempSync(path.join(dir, "broken-notebooks-"));
    afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

    /** A copy of the welcome notebook with `source` inserted right after its first code cell. */
    function brokenCopy(name: string, source: string): { file: string; index: number } {
      const nb = JSON.parse(fs.readFileSync(path.join(ROOT, "notebooks", "00-welcome.ipynb"), "utf8"));
      const index = nb.cells.findIndex((c: { cell_type: string }) => c.cell_type === "code") + 1;
      nb.cells.splice(index, 0, {
        cell_type: "code",
        id: "deliberately-broken",
        metadata: {},
        execution_count: null,
        outputs: [],
        source,
      });
      const file = path.join(tmp, name);
      fs.writeFileSync(file, JSON.stringify(nb, null, 1));
      return { file, index };
    }

    it(
      "makes the harness exit non-zero and name the failing cell",
      () => {
        const thrown = brokenCopy("thrown.ipynb", 'throw new Error("deliberately broken cell");');
        const typed = brokenCopy("type-error.ipynb", 'const pages: number = "four";');
        // A trace drawn without a browser: the cell fails with one line saying what to install.
        const noBrowser = brokenCopy(
          "no-browser.ipynb",
          'process.env.PUPPETEER_EXECUTABLE_PATH = "/nonexistent/chromium";\nawait require("tlbkata").course.renderMermaid("sequenceDiagram\\n  A->>B: hi");',
        );
        const run = runNotebooks([thrown.file, typed.file, noBrowser.file]);
        expect(run.status).toBe(1);
        expect(run.results).toHaveLength(3);
        const [a, b, c] = run.results;
        expect(a).toMatchObject({ ok: false, cell_index: thrown.index, cell_id: "deliberately-broken" });
        expect(a.error).toBe("Error: deliberately broken cell");
        // tslab reports a type error as a TypeScript diagnostic on stderr, not as an `error` output.
        expect(b).toMatchObject({ ok: false, cell_index: typed.index, cell_id: "deliberately-broken" });
        expect(b.error).toMatch(/^TypeScript \d+:\d+ - Type 'string' is not assignable to type 'number'/);

        expect(c).toMatchObject({ ok: false, cell_index: noBrowser.index, cell_id: "deliberately-broken" });
        expect(c.error).toMatch(/^CourseError: Drawing this diagram needs Chromium, and there is none at \/nonexistent\/chromium: run `node scripts\/setup.mjs --chromium`/);

        // The human-readable form (stderr alongside --json) names the cell too.
        expect(run.stderr).toContain(`cell ${thrown.index} (id deliberately-broken): Error: deliberately broken cell`);
      },
      NOTEBOOK_TIMEOUT_MS,
    );
  });
});
