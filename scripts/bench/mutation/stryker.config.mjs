// StrykerJS on the reference solutions (solutions/NN-slug/*.ts, not the variants), each
// mutant tried on the kata's hidden tests through the vitest runner. MUTATION_KATAS
// (comma-separated kata ids) limits it to some katas.
const only = process.env.MUTATION_KATAS ? process.env.MUTATION_KATAS.split(",") : null;

export default {
  testRunner: "vitest",
  plugins: ["@stryker-mutator/vitest-runner"],
  // The hidden tests import solutions by path at run time: vitest cannot tell which test is related.
  vitest: { configFile: "scripts/bench/mutation/vitest.config.mts", related: false },
  mutate: only ? only.map((id) => `solutions/${id}/*.ts`) : ["solutions/*/*.ts"],
  coverageAnalysis: "perTest",
  concurrency: Number(process.env.MUTATION_CONCURRENCY ?? 2),
  timeoutMS: 20_000,
  reporters: ["json", "progress"],
  jsonReporter: { fileName: "test-artifacts/mutation/mutation.json" },
  tempDirName: "test-artifacts/stryker-tmp",
  ignorePatterns: ["notebooks", "diagrams", "src/dist", "test-artifacts", ".tlbkata", ".course"],
  cleanTempDir: "always",
};
