// The result channel, from the grader's side: a worker is assumed to be the learner's in
// the worst case (it holds the signing key), and everything it sends is untrusted bytes.
// Scores come from the plan and are capped by it; bytes that are not UTF-8, lines too long,
// events out of order or of the wrong shape are ignored or stop that worker, never the grader.
import { describe, expect, it } from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { runKataJob } from "../../src/kata/job";
import { MAX_TEXT, checkEvent, cleanText, decodeEvent, encodeEvent } from "../../src/kata/protocol";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tlbkata-channel-"));

/**
 * A worker script that reads the key like the real one, then writes `lines` (a JS
 * expression for an array of strings or Buffers, with `sign(event)` at hand) on fd 3.
 */
function fakeWorker(name: string, lines: string): string {
  const file = path.join(tmp, `${name}.js`);
  fs.writeFileSync(
    file,
    `const crypto = require("crypto"); const fs = require("fs");
const input = JSON.parse(fs.readFileSync(0, "utf8")); const key = Buffer.from(input.key, "hex");
const sign = (e) => { const body = JSON.stringify(e); return crypto.createHmac("sha256", key).update(body).digest("hex") + " " + body + "\\n"; };
const plan = { t: "plan", units: [[{ suite: "s", name: "a", points: 1 }, { suite: "s", name: "b", points: 2 }]] };
for (const l of ${lines}) fs.writeSync(3, l);
`,
  );
  return file;
}

const spec = { impl: path.join(tmp, "impl.ts"), kataId: "99-channel", exports: [], suites: [], traces: false };
fs.writeFileSync(spec.impl, "export {};\n");
const run = (script: string) => runKataJob(spec, { workerScript: script, caseTimeoutMs: 5000 });

describe("the result channel", () => {
  it("scores come from the plan: a case that claims 999 points of 999 scores its planned point", async () => {
    const r = await run(
      fakeWorker(
        "over",
        `[sign(plan), sign({ t: "loading", u: 0 }), sign({ t: "loaded", u: 0 }),
          sign({ t: "start", i: 0 }), sign({ t: "case", i: 0, result: { ok: true, score: 999, points: 999, ms: 1, suite: "x", name: "forged" } }),
          sign({ t: "start", i: 1 }), sign({ t: "case", i: 1, result: { ok: true, score: 999, ms: 1 } }), sign({ t: "done" })]`,
      ),
    );
    expect(r.results.map((x) => [x.name, x.score, x.points])).toEqual([
      ["a", 1, 1],
      ["b", 2, 2],
    ]);
  });

  it("events out of order or for other cases are ignored: a result without its start, twice, or past the plan", async () => {
    const r = await run(
      fakeWorker(
        "order",
        `[sign(plan), sign({ t: "case", i: 0, result: { ok: true, ms: 1 } }), sign({ t: "loading", u: 0 }), sign({ t: "loaded", u: 0 }),
          sign({ t: "start", i: 0 }), sign({ t: "case", i: 1, result: { ok: true, ms: 1 } }), sign({ t: "case", i: 0, result: { ok: false, message: "real", ms: 1 } }),
          sign({ t: "case", i: 0, result: { ok: true, ms: 1 } }), sign({ t: "start", i: 7 }), sign({ t: "plan", units: [[{ suite: "s", name: "a", points: 50 }]] }),
          sign({ t: "start", i: 1 }), sign({ t: "case", i: 1, result: { ok: false, message: "also real", ms: 1 } }), sign({ t: "done" })]`,
      ),
    );
    expect(r.results.map((x) => [x.ok, x.score, x.message])).toEqual([
      [false, 0, "real"],
      [false, 0, "also real"],
    ]);
    expect(r.cases.map((c) => c.points)).toEqual([1, 2]);
  });

  it("bytes that are not UTF-8, unsigned lines and junk are ignored; the grader goes on", async () => {
    const r = await run(
      fakeWorker(
        "bytes",
        `[Buffer.from([0xff, 0xfe, 0x0a]), Buffer.concat([Buffer.from("a".repeat(64) + " "), Buffer.from([0xc3, 0x28, 0xed, 0xa0, 0x80, 0x0a])]),
          "\\n\\n" + "0".repeat(64) + " {\\"t\\":\\"done\\"}\\n", sign(plan).replace(/^./, (c) => (c === "0" ? "1" : "0")),
          sign(plan), sign({ t: "loading", u: 0 }), sign({ t: "loaded", u: 0 }), sign({ t: "start", i: 0 }),
          Buffer.concat([Buffer.from(sign({ t: "case", i: 0, result: { ok: true, ms: 1 } }).slice(0, 80)), Buffer.from([0xff]), Buffer.from(sign({ t: "case", i: 0, result: { ok: true, ms: 1 } }).slice(81))]),
          sign({ t: "case", i: 0, result: { ok: false, message: "\\u001b[2J\\u0007bad\\ud800", ms: 1 } }), sign({ t: "start", i: 1 }),
          sign({ t: "case", i: 1, result: { ok: "yes", ms: 1 } }), sign({ t: "case", i: 1, result: { ok: true, rule: "<script>", ms: 1 } }),
          sign({ t: "done" })]`,
      ),
    );
    expect(r.results[0]!.ok).toBe(false);
    expect(r.results[0]!.message).toBe("bad\ufffd");
    // Case 1 got no well-formed result before "done": it failed, it was not given.
    expect(r.results[1]!.ok).toBe(false);
    expect(r.results[1]!.score).toBe(0);
  });

  it("a line longer than any event stops that worker, not the grader; the case it was in fails", async () => {
    const r = await run(fakeWorker("long", `[sign(plan), sign({ t: "loading", u: 0 }), sign({ t: "loaded", u: 0 }), sign({ t: "start", i: 0 }), "x".repeat(3 << 20)]`));
    expect(r.results[0]!.message).toMatch(/your code sent a message larger than 1 MiB during this test/);
    expect(r.results[0]!.interrupted).toBe("stopped");
  });

  it("decodeEvent and checkEvent: a forged or malformed line is null; text is cleaned and cut", () => {
    const key = Buffer.alloc(32, 7);
    const line = encodeEvent(key, { t: "start", i: 3 }).trimEnd();
    expect(decodeEvent(key, line)).toEqual({ t: "start", i: 3 });
    expect(decodeEvent(Buffer.alloc(32, 8), line)).toBeNull();
    expect(decodeEvent(key, Buffer.concat([Buffer.from(line), Buffer.from([0xff])]))).toBeNull();
    expect(decodeEvent(key, `${"é".repeat(32)} {}`)).toBeNull();
    expect(checkEvent({ t: "start", i: -1 })).toBeNull();
    expect(checkEvent({ t: "plan", units: [[{ suite: "s", name: "n", points: Infinity }]] })).toBeNull();
    expect(checkEvent({ t: "case", i: 0, result: { ok: true, ms: 0, message: "m".repeat(10 * MAX_TEXT) } })).toMatchObject({ result: { message: expect.stringMatching(/cut at 4000 characters\)$/) } });
    expect(cleanText("a\u001b[31mb\u001b]0;t\u0007c\r\nd")).toBe("ab]0;tc\nd");
  });
});
