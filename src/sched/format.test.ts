import { describe, expect, it } from "vitest";
import { Store } from "../sim/store";
import { violation } from "../oracle/violation";
import { explore } from "./explore";
import { counterexampleToJSON, mermaidEscape, resultToJSON, traceToMermaid, traceToText, wrapText } from "./format";
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
    const m = traceToMermaid(found().violation!.trace, { agentNames: ["t0", "t1", "idle"], allAgents: true });
    const lines = m.split("\n");
    expect(lines[0]).toBe("sequenceDiagram");
    expect(lines.slice(1, 4)).toEqual(["  participant A0 as t0", "  participant A1 as t1", "  participant A2 as idle"]);
    expect(m).toContain("  A0->>A0: 1 load counter");
    expect(m).toContain("  Note right of A0: reg = 0");
    expect(m).toMatch(/rect rgb\(255, 210, 210\)\n {2}Note over A0,A2: ✗ lost-write<br\/>t1 overwrote/);
  });

  it("draws only the agents that take a step unless asked for all", () => {
    const trace = found().violation!.trace;
    const m = traceToMermaid(trace, { agentNames: ["first", "second", "idle"] });
    expect(m.split("\n").filter((l) => l.startsWith("  participant"))).toEqual(["  participant A0 as first", "  participant A1 as second"]);
    expect(m).toContain("Note over A0,A1: ✗ lost-write");
    const one = { steps: trace.steps.filter((s) => s.agent === 1), violation: trace.violation };
    const m1 = traceToMermaid(one, { agentNames: ["first", "second", "idle"] });
    expect(m1.match(/participant /g)).toHaveLength(1);
    expect(m1).toContain("Note over A1: ✗ lost-write");
    expect(traceToMermaid(one, { agentNames: ["first", "second", "idle"], allAgents: true }).match(/participant /g)).toHaveLength(3);
  });

  it("wraps event notes and the violation report at spaces, escaping each line, cutting nothing", () => {
    const message = "dev0 wrote <0x40000000> through a stale translation; pfn #256 has been freed by then";
    const t = {
      steps: [{ index: 1, agent: 0, agentName: "dev0", label: "write", events: ["iotlb hit for 0x40000000 -> pfn 256 (stale: the PTE was cleared)"] }],
      violation: violation("use-after-free", message),
    };
    const m = traceToMermaid(t, { wrap: 24 });
    expect(m).not.toContain("…");
    const long = traceToMermaid({ steps: [{ index: 7, agent: 0, agentName: "kswapd", label: "ptep_clear_flush; set swap pte; mmu_notifier_invalidate_secondary_tlbs", events: [] }] }, { maxLabel: 30 });
    expect(long).toContain("  A0->>A0: 7 ptep_clear_flush#59; set swap<br/>pte#59;<br/>mmu_notifier_invalidate_second<br/>ary_tlbs");
    const note = m.split("\n").find((l) => l.includes("Note over"))!;
    const lines = note.slice(note.indexOf("✗ ") + 2).split("<br/>");
    expect(lines[0]).toBe("use-after-free");
    const unescape = (l: string) => l.replace(/#lt;/g, "<").replace(/#gt;/g, ">").replace(/#59;/g, ";").replace(/#35;/g, "#");
    const raw = lines.slice(1).map(unescape);
    expect(raw.every((l) => l.length <= 24)).toBe(true);
    expect(raw.join(" ")).toBe(message);
    expect(note).toContain("#lt;0x40000000#gt;");
    const events = m.split("\n").find((l) => l.includes("Note right of A0"))!.split(": ").slice(1).join(": ").split("<br/>");
    expect(events.length).toBeGreaterThan(2);
    expect(events.every((l) => unescape(l).length <= 24)).toBe(true);
    expect(events.map(unescape).join(" ")).toBe(t.steps[0]!.events[0]);
  });

  it("wrapText breaks at spaces, splits only a word longer than a line, keeps every character", () => {
    const text = "dev0 wrote 0x40000000 through a stale translation to pfn 256, which has been freed";
    const lines = wrapText(text, 24);
    expect(lines.every((l) => l.length <= 24)).toBe(true);
    expect(lines.join(" ")).toBe(text);
    expect(wrapText("x".repeat(30), 12)).toEqual(["x".repeat(12), "x".repeat(12), "x".repeat(6)]);
    expect(wrapText("two\nlines", 40)).toEqual(["two", "lines"]);
    expect(() => wrapText("a", 0)).toThrow(/width/);
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
