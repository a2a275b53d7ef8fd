// The committed notebooks follow the course's rules for format and outputs (no Jupyter needed):
// nbformat 4.5 with cell ids, the tslab kernelspec, and the outputs of one clean top-to-bottom
// run. See docs/COURSE-SETUP.md, "Committed outputs".
import path from "node:path";
import { describe, expect, it } from "vitest";
import { listNotebooks } from "../../scripts/course/lib.mjs";
import { ROOT } from "./support";
import { compareOutputs, outputKinds, readNotebook, staticProblems, type Notebook } from "./outputs";

describe("committed notebooks", () => {
  for (const file of listNotebooks()) {
    it(`${path.relative(ROOT, file)} is nbformat 4.5, tslab, with the outputs of one clean run`, () => {
      const problems = staticProblems(readNotebook(file));
      if (problems.length) {
        throw new Error(
          `${problems.join("\n")}\nRe-run it and save the outputs: node scripts/notebooks/run.mjs test --write ${path.relative(ROOT, file)}`,
        );
      }
    });
  }

  it("every notebook after the welcome ends by pointing at its kata in katas/", () => {
    for (const file of listNotebooks()) {
      if (path.basename(file).startsWith("00-")) continue;
      const nb = readNotebook(file);
      const last = nb.cells[nb.cells.length - 1]!;
      const src = Array.isArray(last.source) ? last.source.join("") : last.source;
      expect(last.cell_type, path.basename(file)).toBe("markdown");
      expect(src, path.basename(file)).toMatch(/katas\//);
    }
  });
});

describe("the output checks themselves", () => {
  const nb = (cells: Notebook["cells"]): Notebook => ({ cells, metadata: { kernelspec: { name: "tslab" } }, nbformat: 4, nbformat_minor: 5 });
  const code = (id: string, n: number | null, outputs: Notebook["cells"][number]["outputs"]) => ({ cell_type: "code", id, source: "", metadata: {}, execution_count: n, outputs });

  it("accept one clean run and reject stripped, out-of-order or failed ones", () => {
    const out = [{ output_type: "stream", name: "stdout", text: ["hi\n"] }];
    expect(staticProblems(nb([code("a", 1, out), code("b", 2, [])]))).toEqual([]);
    expect(staticProblems(nb([code("a", null, []), code("b", null, [])])).join("\n")).toMatch(/execution_count null, expected 1/);
    expect(staticProblems(nb([code("a", 2, out), code("b", 1, out)])).join("\n")).toMatch(/expected 1/);
    const stderr = [{ output_type: "stream", name: "stderr", text: "Error: boom\n    at x" }];
    expect(staticProblems(nb([code("a", 1, stderr)])).join("\n")).toMatch(/writes to stderr: Error: boom/);
    expect(staticProblems(nb([{ ...code("a", 1, []), id: undefined }])).join("\n")).toMatch(/has no id/);
  });

  it("compare output kinds strictly and content after masking versions and SVG markup", () => {
    const svg = (body: string) => [{ output_type: "display_data", data: { "image/svg+xml": body } }];
    const a = nb([code("a", 1, [{ output_type: "stream", name: "stdout", text: "Node v20.1.0\n" }, { output_type: "stream", name: "stdout", text: "x" }])]);
    const b = nb([code("a", 1, [{ output_type: "stream", name: "stdout", text: "Node v22.3.1\nx" }])]);
    expect(outputKinds(a.cells[0]!)).toEqual(["stream:stdout"]);
    expect(compareOutputs(a, b)).toEqual({ shape: [], content: [] });
    const s1 = nb([code("a", 1, svg('<svg><style>.x{}</style><text x="1">munmap</text></svg>'))]);
    const s2 = nb([code("a", 1, svg('<svg><style>.y{}</style><text x="2">munmap</text></svg>'))]);
    const s3 = nb([code("a", 1, svg('<svg><text x="2">exit</text></svg>'))]);
    expect(compareOutputs(s1, s2)).toEqual({ shape: [], content: [] });
    expect(compareOutputs(s1, s3).content.join("\n")).toMatch(/cell 0 \(id a\), output 0/);
    expect(compareOutputs(s1, b).shape.join("\n")).toMatch(/committed outputs \[display_data:image\/svg\+xml\], a fresh run gives \[stream:stdout\]/);
  });
});
