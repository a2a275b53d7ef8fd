// The grading benchmark's baseline: plain vitest running every kata's hidden tests,
// in process, on one submission (TLBKATA_SUBMISSION). No isolation, no limits.
import { defineConfig } from "vitest/config";
import path from "node:path";

export default defineConfig({
  resolve: { alias: { tlbkata: path.resolve(import.meta.dirname, "../../src/index.ts") } },
  test: { include: ["scripts/bench/baseline.test.ts"], root: path.resolve(import.meta.dirname, "../.."), testTimeout: 600_000, pool: "forks" },
});
