import { describe, expect, it } from "vitest";
import { Store } from "../sim/store";
import { violation } from "../oracle/violation";
import { explore } from "./explore";
import { counterexampleToJSON, mermaidEscape, resultToJSON, traceToMermaid, traceToText } from "./format";
import { runRandom } from "./run";
import { racyCounter, ToyModel } from "./testing/toy";

const found = () => explore(racyCounter(2, 1, "step"), { shortest: true });

describe("traceToText", () => {
  it("numbers steps, indents events, ends with the violation", () => {
    const text = traceToText(found().violation!.trace);
    const lines = text.split("\n");
    expect(lines[0]).toBe("1 t0  load counter");
    expect(lines[1]).toBe("      reg = 0");
    expect(lines).toContain("4 t1  store counter+1");
    expect(lines[lines.length - 1]).toBe("!! lost-write (corruption): t1 overwrote counter 1 with 1: an increment was lost");
  });

  it("aligns two-digit step numbers and long names", () => {
    const store = new Store();
    const steps = Array.from({ length: 10 }, (_, i) => ({ label: `s${i}`, run: () => {} }));
    const m = new ToyModel(store, [{ name: "dev0", steps }]);
    const r = explore(m);
    expect(r.violation).toBeUndefined();
    const t = { steps: steps.map((s, i) => ({ index: i + 1, agent: 0, agentName: "dev0", label: s.label, events: ["e"] })) };
    const lines = traceToText(t).split("\n");
    expect(lines[0]).toBe(" 1 dev0  s0");
    expect(lines[1]).toBe("         e");
    expect(lines[18]).toBe("10 dev0  s9");
  });
});

describe("JSON", () => {
  it("gives {violations: [{rule, message, trace}], states, ms}", () => {
    const j = resultToJSON(found());
    const round = JSON.parse(JSON.stringify(j));
    expect(round.violations).toHaveLength(1);
    expect(round.violations[0]).toMatchObject({ rule: "lost-write", kind: "corruption", schedule: [0, 1, 0, 1] });
    expect(round.violations[0].trace[0]).toEqual({ index: 1, agent: 0, agentName: "t0", label: "load counter", events: ["reg = 0"] });
    expect(typeof round.states).toBe("number");
    expect(typeof round.ms).toBe("number");
    expect(resultToJSON(runRandom(racyCounter(2, 1), { seed: 3, runs: 1, maxSteps: 0 })).violations).toEqual([]);
  });

  it("keeps address and pfn", () => {
    const c = found().violation!;
    const j = counterexampleToJSON({ ...c, violation: violation("use-after-free", "dev read freed page", { address: 0x2000, pfn: 7 }) });
    expect(j).toMatchObject({ rule: "use-after-free", address: 0x2000, pfn: 7 });
  });
});

describe("traceToMermaid", () => {
  it("is a sequenceDiagram with one participant per agent and the violation in a red note", () => {
    const m = traceToMermaid(found().violation!.trace, { agentNames: ["t0", "t1", "idle"] });
    const lines = m.split("\n");
    expect(lines[0]).toBe("sequenceDiagram");
    expect(lines.slice(1, 4)).toEqual(["  participant A0 as t0", "  participant A1 as t1", "  participant A2 as idle"]);
    expect(m).toContain("  A0->>A0: 1 load counter");
    expect(m).toContain("  Note right of A0: reg = 0");
    expect(m).toMatch(/rect rgb\(255, 210, 210\)\n {2}Note over A0,A2: ✗ lost-write<br\/>t1 overwrote/);
  });

  it("escapes what mermaid cannot take and keeps labels short", () => {
    expect(mermaidEscape("a;b #1 <x>\nnext")).toBe("a#59;b #35;1 #lt;x#gt; next");
    expect(mermaidEscape("x".repeat(100), 10)).toBe("xxxxxxxxx…");
    const t = {
      steps: [{ index: 1, agent: 0, agentName: "cpu;0", label: "lock #1; then\nunlock", events: ["one\ntwo"] }],
      violation: violation("deadlock", "stuck; forever"),
    };
    const m = traceToMermaid(t);
    for (const line of m.split("\n")) expect(line.replace(/#(\d+|lt|gt);/g, "")).not.toMatch(/[;#]/);
    expect(m).toContain("Note right of A0: one<br/>two");
    expect(m).toContain("Note over A0: ✗ deadlock<br/>stuck#59; forever");
  });
});
