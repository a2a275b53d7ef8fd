// Submissions derived from kata 05's reference solution, for the grader's tests and
// benchmark: written out when needed rather than kept as copies of the solution.
import fs from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const SOLUTION = path.join(ROOT, "solutions", "05-amd-iommu-v2", "amd_iommu_v2.ts");

function derive(comment, find, replace) {
  const text = fs.readFileSync(SOLUTION, "utf8");
  if (!text.includes(find)) throw new Error(`samples.mjs: the kata 05 solution changed; update the sample "${comment}"`);
  return `// ${comment}\n${text.replace(find, replace)}`;
}

/** Wrong but self-contained (a sandboxed submission cannot import the solution): flushes only the first page of a range. */
export function partialAmd() {
  return derive(
    "A wrong submission for kata 05: it flushes only the first page of a range (partial credit).",
    "if ((s ^ ul_sub(e, 1n)) < ULONG(PAGE_SIZE)) amd_iommu_flush_page",
    "if (end > start || (s ^ ul_sub(e, 1n)) < ULONG(PAGE_SIZE)) amd_iommu_flush_page",
  );
}

/** Correct but noisy: floods its output from every callback. */
export function noisyAmd() {
  return derive(
    "Noisy but correct: floods its output from every callback; it must still get full marks.",
    "const pasid_state = container_of<pasid_state>(mn);\n  const dev_state = pasid_state.device_state;\n  const s = ULONG(start);",
    'for (let i = 0; i < 200; i++) console.log("FLOOD".repeat(2000));\n  const pasid_state = container_of<pasid_state>(mn);\n  const dev_state = pasid_state.device_state;\n  const s = ULONG(start);',
  );
}

/** Write `text` to a file named like kata 05's in `dir`; returns its path. */
export function writeSample(dir, name, text) {
  const file = path.join(dir, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}
