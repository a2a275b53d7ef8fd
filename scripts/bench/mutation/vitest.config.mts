// The vitest configuration StrykerJS runs (scripts/bench/mutation/hidden.test.ts only).
import { defineConfig } from "vitest/config";
import path from "node:path";

export default defineConfig({
  resolve: { alias: { tlbkata: path.resolve(import.meta.dirname, "../../../src/index.ts") } },
  test: { include: ["scripts/bench/mutation/hidden.test.ts"], root: path.resolve(import.meta.dirname, "../../.."), testTimeout: 120_000 },
});
