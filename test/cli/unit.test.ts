// The CLI's parts, in process: the option parser, main()'s dispatch and error
// reporting, the generated-file writer and the driver registry.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { formatOptions, parseArgs, type OptionSpecs } from "../../src/cli/args";
import type { Command, Io } from "../../src/cli/command";
import { allDrivers, findDriver } from "../../src/cli/drivers";
import { UsageError, suggest } from "../../src/cli/errors";
import { GENERATED_MARKER, writeGenerated } from "../../src/cli/files";
import { COMMANDS, main, type CommandEntry } from "../../src/cli/main";
import { genericDrivers } from "../../src/drivers/generic";

const SPECS = {
  name: { type: "string", value: "NAME", help: "a name" },
  count: { type: "integer", value: "N", min: 1, help: "how many" },
  seed: { type: "integer", value: "S", max: 10, help: "a seed" },
  verbose: { type: "boolean", short: "v", help: "say more" },
} as const satisfies OptionSpecs;

function usageError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error("expected a UsageError");
}

describe("parseArgs", () => {
  it("parses typed values, both spellings, short flags, positionals and --", () => {
    const p = parseArgs(["a", "--name", "x", "--count=3", "-v", "--seed", "0", "--", "--not-a-flag"], SPECS, "t");
    expect(p.options).toEqual({ name: "x", count: 3, verbose: true, seed: 0 });
    expect(p.positionals).toEqual(["a", "--not-a-flag"]);
    const count: number | undefined = p.options.count;
    expect(count).toBe(3);
  });

  it("rejects what it does not know or cannot type", () => {
    expect(usageError(() => parseArgs(["--nmae", "x"], SPECS, "t"))).toMatch(/unknown option --nmae for 't' \(did you mean --name\?\)/);
    expect(usageError(() => parseArgs(["-q"], SPECS, "t"))).toMatch(/unknown option -q/);
    expect(usageError(() => parseArgs(["--name"], SPECS, "t"))).toBe("--name needs a value (--name NAME)");
    expect(usageError(() => parseArgs(["--name", "--count", "1"], SPECS, "t"))).toMatch(/--name needs a value/);
    expect(usageError(() => parseArgs(["--name="], SPECS, "t"))).toMatch(/--name needs a non-empty value/);
    expect(usageError(() => parseArgs(["--count", "0"], SPECS, "t"))).toBe("--count must be a positive integer, got 0");
    expect(usageError(() => parseArgs(["--count", "1e3"], SPECS, "t"))).toMatch(/--count must be a positive integer, got '1e3'/);
    expect(usageError(() => parseArgs(["--seed", "-1"], SPECS, "t"))).toMatch(/--seed must be a non-negative integer \(at most 10\), got -1/);
    expect(usageError(() => parseArgs(["--seed", "11"], SPECS, "t"))).toMatch(/at most 10/);
    expect(usageError(() => parseArgs(["--seed", "99999999999999999999"], SPECS, "t"))).toMatch(/--seed must be/);
    expect(usageError(() => parseArgs(["--verbose=yes"], SPECS, "t"))).toMatch(/--verbose takes no value/);
    expect(usageError(() => parseArgs(["--seed", "1", "--seed", "2"], SPECS, "t"))).toMatch(/--seed given more than once/);
    expect(usageError(() => parseArgs(["--constructor", "x"], SPECS, "t"))).toMatch(/unknown option --constructor/);
  });

  it("formats aligned, wrapped option help", () => {
    const text = formatOptions({ ...SPECS, long: { type: "boolean", help: "word ".repeat(40).trim() } });
    const lines = text.split("\n");
    expect(lines[0]).toBe("      --name NAME  a name");
    expect(lines.find((l) => l.includes("-v, --verbose"))).toBe("  -v, --verbose    say more");
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
    expect(lines.filter((l) => l.startsWith(" ".repeat(19) + "word")).length).toBeGreaterThan(1);
  });

  it("suggests only close names", () => {
    expect(suggest("munmapp", ["munmap", "reclaim"])).toBe("munmap");
    expect(suggest("recl", ["munmap", "reclaim"])).toBe("reclaim");
    expect(suggest("xyz", ["munmap", "reclaim"])).toBeUndefined();
  });
});

function capture(): Io & { stdout: string; stderr: string } {
  const io = {
    stdout: "",
    stderr: "",
    out(t: string) {
      io.stdout += t;
    },
    err(t: string) {
      io.stderr += t;
    },
  };
  return io;
}

function entry(name: string, run: Command["run"], load?: () => Promise<Command>): CommandEntry {
  return { name, summary: `the ${name} command`, load: load ?? (async () => ({ name, usage: `Usage: tlbkata ${name}`, run })) };
}

describe("main", () => {
  const boom = entry("boom", () => {
    throw new Error("something broke\ninside");
  });
  const bad = entry("bad", () => {
    throw new UsageError("bad input here");
  });
  const broken = entry("broken", () => 0, async () => {
    throw new TypeError("cannot load the module");
  });
  const ok = entry("ok", (argv, io) => {
    io.out(argv.join(","));
    return 1;
  });
  const table = [boom, bad, broken, ok];

  it("dispatches to the command and returns its status", async () => {
    const io = capture();
    expect(await main(["ok", "a", "b"], io, table)).toBe(1);
    expect(io.stdout).toBe("a,b");
  });

  it("prints help for the program and for a command", async () => {
    const io = capture();
    expect(await main(["--help"], io, table)).toBe(0);
    expect(io.stdout).toMatch(/^ {2}boom {4}the boom command$/m);
    const io2 = capture();
    expect(await main(["help", "ok"], io2, table)).toBe(0);
    expect(io2.stdout).toBe("Usage: tlbkata ok\n");
  });

  it("reports a UsageError as one line, exit 2", async () => {
    const io = capture();
    expect(await main(["bad"], io, table)).toBe(2);
    expect(io.stderr).toBe("tlbkata: bad input here\n");
    const io2 = capture();
    expect(await main([], io2, table)).toBe(2);
    expect(io2.stderr).toMatch(/^tlbkata: missing COMMAND.*\n$/);
  });

  it("reports any other error, or a module that fails to load, as one line, exit 3", async () => {
    const prev = process.env.TLBKATA_DEBUG;
    delete process.env.TLBKATA_DEBUG;
    try {
      for (const name of ["boom", "broken"]) {
        const io = capture();
        expect(await main([name], io, table)).toBe(3);
        expect(io.stderr.split("\n")).toHaveLength(2);
        expect(io.stderr).toMatch(/^tlbkata: internal error: /);
        expect(io.stderr).not.toMatch(/\n\s+at /);
      }
      process.env.TLBKATA_DEBUG = "1";
      const io = capture();
      expect(await main(["boom"], io, table)).toBe(3);
      expect(io.stderr).toMatch(/^tlbkata: internal error: something broke inside\n/);
      expect(io.stderr).toMatch(/\n\s+at /);
    } finally {
      if (prev === undefined) delete process.env.TLBKATA_DEBUG;
      else process.env.TLBKATA_DEBUG = prev;
    }
  });

  it("loads every real command", async () => {
    for (const c of COMMANDS) {
      const cmd = await c.load();
      expect(cmd.name).toBe(c.name);
      expect(cmd.usage).toMatch(new RegExp(`^Usage: tlbkata ${c.name}`));
    }
  });
});

describe("writeGenerated", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tlbkata-files-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("writes the marker first, replaces its own files, and refuses others", () => {
    const f = path.join(dir, "a.mmd");
    writeGenerated(f, "one", "--out");
    expect(fs.readFileSync(f, "utf8")).toBe(`${GENERATED_MARKER}\none\n`);
    writeGenerated(f, "two\n", "--out");
    expect(fs.readFileSync(f, "utf8")).toBe(`${GENERATED_MARKER}\ntwo\n`);
    const g = path.join(dir, "mine.mmd");
    fs.writeFileSync(g, `x\n${GENERATED_MARKER}\n`);
    expect(usageError(() => writeGenerated(g, "three", "--out"))).toMatch(/^--out .*mine\.mmd: the file exists and was not written by tlbkata/);
    expect(fs.readFileSync(g, "utf8")).toBe(`x\n${GENERATED_MARKER}\n`);
    expect(usageError(() => writeGenerated(dir, "x", "--out"))).toMatch(/not a regular file/);
    expect(usageError(() => writeGenerated(path.join(dir, "no/such/dir.mmd"), "x", "--out"))).toMatch(/does not exist/);
    expect(fs.readdirSync(dir).sort()).toEqual(["a.mmd", "mine.mmd"]);
  });
});

describe("driver registry", () => {
  it("has the generic drivers, by unique name", () => {
    const names = allDrivers().map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    for (const d of genericDrivers) expect(findDriver(d.name)).toBe(d);
    expect(findDriver("no-such-driver")).toBeUndefined();
  });
});
