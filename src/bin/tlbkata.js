#!/usr/bin/env node
"use strict";
// The `tlbkata` command. npm links this file when it installs the workspace, before
// `npm run build` has made dist/, so it is plain JavaScript that loads the compiled CLI.
const fs = require("node:fs");
const path = require("node:path");

const cli = path.join(__dirname, "..", "dist", "cli", "main.js");
if (!fs.existsSync(cli)) {
  process.stderr.write("tlbkata: the simulation is not built yet: run `npm run build` (`npm test` and `npm run course` build it too)\n");
  process.exit(2);
}
require(cli).runProgram();
