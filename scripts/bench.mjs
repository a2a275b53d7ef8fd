// `npm run bench`: every benchmark of the project, in turn.
await import("./bench/explorer.mjs");
await import("./bench/ceilings.mjs");
await import("./bench/model.mjs");
await import("./bench/katas.mjs");
await import("./bench/grading.mjs");
await import("./bench/mutation.mjs");
