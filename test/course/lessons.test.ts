// The notebooks' lesson helpers of src/course: the course map, the callback spy, drivers
// built from ops, the cost harness, scenario sweeps and the inspection helpers.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  course,
  AmdIommu,
  GenericIommu,
  amdIommuV2Driver,
  baseScenario,
  build_inv_iommu_pasid,
  findScenario,
  explore,
  traceToMermaid,
  genericDrivers,
  might_sleep,
  page,
  runStraight,
  PAGE_SIZE,
  ULONG_MAX,
  type pasid_state,
} from "tlbkata";

const driver = (name: string) => genericDrivers.find((d) => d.name === name)!;
const tkExplore = (scenario: string, d: string) => explore(findScenario(scenario)!.build(driver(d)), { shortest: true }).violation!;

describe("course.courseMap", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tlbkata-map-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const nb = (cells: { cell_type: string; source: string | string[] }[]) => JSON.stringify({ cells, nbformat: 4, nbformat_minor: 5 });
  fs.mkdirSync(path.join(dir, "notebooks"));
  fs.mkdirSync(path.join(dir, "katas", "01-first"), { recursive: true });
  fs.mkdirSync(path.join(dir, "katas", "01-second"), { recursive: true });
  fs.mkdirSync(path.join(dir, "katas", "03-other"), { recursive: true });
  fs.writeFileSync(path.join(dir, "katas", "01-stray-file"), "not a kata folder");
  fs.writeFileSync(
    path.join(dir, "notebooks", "01-one.ipynb"),
    nb([{ cell_type: "code", source: "# not a title" }, { cell_type: "markdown", source: ["# First <one>\n", "\n", "**Time:** about 25 minutes, plus the kata.\n"] }]),
  );
  fs.writeFileSync(path.join(dir, "notebooks", "00-welcome.ipynb"), nb([{ cell_type: "markdown", source: "Intro\n\n## Welcome\n\n**Time:** about 10 minutes." }]));
  fs.writeFileSync(path.join(dir, "notebooks", "02-two.ipynb"), nb([{ cell_type: "markdown", source: "no heading, no time" }]));

  it("reads each notebook's title and stated time, and gives it the katas of its number", () => {
    expect(course.notebookInfo(path.join(dir, "notebooks", "01-one.ipynb"))).toEqual({ file: "01-one.ipynb", title: "First <one>", minutes: 25 });
    const rows = course.courseMapRows(path.join(dir, "notebooks"), path.join(dir, "katas"));
    expect(rows.map((r) => [r.file, r.title, r.minutes, r.katas])).toEqual([
      ["00-welcome.ipynb", "Welcome", 10, []],
      ["01-one.ipynb", "First <one>", 25, ["01-first", "01-second"]],
      ["02-two.ipynb", "(untitled)", null, []],
    ]);
  });

  it("draws the map with a time column, escaped titles, and the stated times summed", () => {
    const html = course.courseMap(path.join(dir, "notebooks"));
    expect(html).toMatch(/<th[^>]*>Notebook<\/th><th[^>]*>Topic<\/th><th[^>]*>Time<\/th><th[^>]*>Kata<\/th>/);
    expect(html).toContain("First &lt;one&gt;");
    expect(html).toContain("<code>katas/01-first</code><br><code>katas/01-second</code>");
    expect(html).toContain("25 min");
    expect(html).toContain("The stated times add up to 35 minutes, katas not included; 1 notebook states no time yet.");
    expect(html).not.toContain("03-other");
  });

  it("gives long courses in hours, and says nothing of missing times when every notebook states one", () => {
    const many = fs.mkdtempSync(path.join(os.tmpdir(), "tlbkata-map-"));
    try {
      for (const [i, m] of [[1, 40], [2, 45], [3, 50]] as const) {
        fs.writeFileSync(path.join(many, `0${i}-n.ipynb`), nb([{ cell_type: "markdown", source: `# N${i}\n\n**Time:** about ${m} minutes.` }]));
      }
      const html = course.courseMap(many, path.join(many, "no-katas"));
      expect(html).toContain("The stated times add up to 135 minutes (about 2.5 hours), katas not included.");
      expect(html).not.toContain("no time yet");
    } finally {
      fs.rmSync(many, { recursive: true, force: true });
    }
  });
});

describe("course.genericOpsDriver and the spy", () => {
  const spy = course.genericOpsDriver("spy", (c) => [
    {
      name: "hw",
      invalidate_secondary_tlbs(_sub, _mm, start, end) {
        course.spyRecord(c.k, "hw", `secondary ${start === page(0) ? "A" : "?"}..${(end - start) / PAGE_SIZE}`);
        c.flush(start, end);
      },
      release: c.release,
    },
    {
      name: "sw",
      invalidate_range_start(_sub, _r) {
        course.spyRecord(c.k, "sw", "start");
        return 0;
      },
    },
  ]);

  it("registers every ops table and records each call with its context and the locks held", () => {
    const trace = runStraight(findScenario("munmap")!.build(spy));
    expect(trace.violation).toBeUndefined();
    const recs = course.spyRecords(trace);
    const start = recs.find((r) => r.who === "sw")!;
    expect(start.context).toBe("may sleep");
    expect(start.locks).toContain("mmap_lock");
    const atomic = recs.filter((r) => r.who === "hw" && r.context === "atomic");
    expect(atomic.length).toBeGreaterThan(0);
    expect(atomic[0]!.locks).toMatch(/ptl|page_table_lock/);
    const html = course.spyTable(trace);
    expect(html).toContain("<th style=\"text-align:left\">locks held</th>");
    expect(html.match(/<tr>/g)!.length).toBe(recs.length + 1);
  });

  it("gives the bind the first refusal of a registration", () => {
    const both = course.genericOpsDriver("both", () => ({ name: "both", invalidate_secondary_tlbs() {}, invalidate_range_start: () => 0 }));
    const w = findScenario("munmap")!.build(both);
    expect(w.setupViolations.map((v) => v.rule)).toContain("invalid-ops");
  });

  it("a flush that forgets the IOMMU is caught, so the helper's own flush is what makes the driver correct", () => {
    const lazy = course.genericOpsDriver("lazy", (c) => ({ name: "lazy", invalidate_secondary_tlbs() {}, release: c.release }));
    expect(runStraight(findScenario("reclaim")!.build(lazy)).violation?.rule).toBe("stale-tlb-after-ptl-release");
    const right = course.genericOpsDriver("right", (c) => ({ name: "right", invalidate_secondary_tlbs: (_s, _m, a, b) => c.flush(a, b), release: c.release }));
    expect(course.sweep(right).every((r) => r.rule === null && r.complete)).toBe(true);
  });
});

describe("course cost helpers", () => {
  const amd = (k: Parameters<Parameters<typeof course.measureCommands>[0]>[0]) => k.addIommu(new AmdIommu(k.sim, k.phys, { ats: true }));
  const perPage = (bytes: number) =>
    course.measureCommands(amd, (hw) => {
      for (let a = 0; a < bytes; a += PAGE_SIZE) hw.iommu_queue_command(build_inv_iommu_pasid(hw.domid, 1, BigInt(a), false));
      hw.iommu_completion_wait();
    });

  it("counts the commands sent to fresh hardware, by kind", () => {
    const m = perPage(16 * PAGE_SIZE);
    expect(m.lockup).toBeUndefined();
    expect(m.total).toBe(17);
    expect(Object.values(m.kinds).reduce((a, b) => a + b, 0)).toBe(17);
    expect(course.costBreakdown(m.kinds)).toMatch(/^16 × \S.*, 1 × /);
  });

  it("reports the watchdog's soft lockup instead of running a huge range to the end", () => {
    const m = perPage(ULONG_MAX);
    expect(m.lockup).toBe("invalidation-flood");
    expect(m.total).toBe(65537);
    expect(course.costCell(m)).toBe("invalidation-flood after 65537");
  });

  it("throws what is not the watchdog: a bug in the cell is not a measurement", () => {
    expect(() => course.measureCommands(amd, () => { throw new TypeError("oops"); })).toThrow("oops");
  });

  it("lays columns side by side, one row per size, with a breakdown column", () => {
    expect([1, 511, 512, 2 ** 18].map(course.rangeLabel)).toEqual(["4 KiB", "2044 KiB", "2 MiB", "1 GiB"]);
    expect(course.rangeLabel("whole")).toBe("(0, ULONG_MAX)");
    expect(course.rangeBytes("whole")).toBe(ULONG_MAX);
    const html = course.costTable([1, 16, "whole"], [
      { title: "per page", measure: perPage },
      { title: "skipped", measure: (b) => (b === ULONG_MAX ? "not run" : perPage(b)) },
    ], { caption: "c", breakdown: "per page" });
    expect(html).toContain("<th style=\"text-align:left\">what per page sends</th>");
    expect(html).toMatch(/<td[^>]*>64 KiB<\/td><td[^>]*>16<\/td><td[^>]*>17<\/td><td[^>]*>17<\/td>/);
    expect(html).toMatch(/<td[^>]*>2\^52<\/td><td[^>]*>invalidation-flood after 65537<\/td><td[^>]*>not run<\/td>/);
    expect(() => course.costTable([1], [{ title: "a", measure: perPage }], { breakdown: "b" })).toThrow(/no column titled "b"/);
  });
});

describe("course.sweep and verdictTable", () => {
  it("finds each scenario's rule, proves the clean ones, and stops at the first when asked", () => {
    const rows = course.sweep(driver("sleeps"));
    expect(rows.find((r) => r.scenario === "munmap")!.rule).toBe("sleep-in-atomic");
    const exit = rows.find((r) => r.scenario === "exit")!;
    expect(exit.rule).toBeNull();
    expect(exit.complete).toBe(true);
    expect(exit.states).toBeGreaterThan(0);
    const first = course.sweep(driver("sleeps"), { stopAtFirst: true });
    expect(first).toHaveLength(1);
    expect(course.sweepTable(rows, "sleeps")).toMatch(/none \(\d+ states\)/);
  });

  it("follows the notifier model: v6.6 notifies under the ptl in mkclean", () => {
    const mkclean = [findScenario("mkclean")!];
    expect(course.sweep(driver("sleeps"), { scenarios: mkclean })[0]!.rule).toBeNull();
    expect(course.sweep(driver("sleeps"), { scenarios: mkclean, kernel: { arch: { notifierModel: "v6.6" } } })[0]!.rule).toBe("sleep-in-atomic");
  });

  it("names each driver's first broken rule, or says it was proven clean", () => {
    const gfp = course.genericOpsDriver("gfp", (c) => ({
      name: "gfp",
      invalidate_secondary_tlbs(_s, _m, a, b) {
        might_sleep(c.k.sim, "kmalloc(GFP_KERNEL)");
        c.flush(a, b);
      },
      release: c.release,
    }));
    const html = course.verdictTable([gfp, driver("correct-generic")]);
    expect(html).toMatch(/sleep-in-atomic \(in munmap\)/);
    expect(html).toMatch(/every scenario proven clean \(\d+ states in all\)/);
  });
});

describe("course inspection helpers", () => {
  it("shows PTEs, answers a translation, and finds the driver state a bind registered", () => {
    const parts = baseScenario(amdIommuV2Driver({ iommu_mn: { name: "quiet", invalidate_secondary_tlbs() {} } }), { pages: 1, spare: 1 });
    const A = page(0);
    const html = course.pteTable(parts.mm, [{ name: "A", addr: A }, { name: "B", addr: page(1) }]);
    expect(html).toMatch(/<td[^>]*>B<\/td><td[^>]*><code[^>]*>0x40001000<\/code><\/td><td[^>]*><code[^>]*>none<\/code>/);
    expect(course.describeTranslation(parts.iommu, parts.pasid, page(1), false, "B")).toMatch(/^translation of B fails \(not-present\)/);
    expect(course.describeTranslation(parts.iommu, parts.pasid, A, true, "A")).toMatch(/^the device translates A to pfn \d+ \(writable\)/);
    const state = course.boundState<pasid_state>(parts.w.k, parts.mm);
    expect(state.pasid).toBe(parts.pasid);
    expect(state.device_state.iommu).toBe(parts.iommu);
  });

  it("says so when the mm has no subscription", () => {
    const parts = baseScenario(course.genericOpsDriver("none", () => []), { pages: 1 });
    expect(parts.iommu).toBeInstanceOf(GenericIommu);
    expect(() => course.boundState(parts.w.k, parts.mm)).toThrow(/has no mmu_notifier subscription/);
  });
});


describe("course.courseMapRows with two notebooks of one number", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tlbkata-map2-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const nb = (markdown: string) => JSON.stringify({ cells: [{ cell_type: "markdown", source: markdown }], nbformat: 4, nbformat_minor: 5 });
  fs.mkdirSync(path.join(dir, "notebooks"));
  for (const k of ["04-b-first", "04-a-second", "04-unlinked", "05-x"]) fs.mkdirSync(path.join(dir, "katas", k), { recursive: true });
  fs.writeFileSync(path.join(dir, "katas", "course.json"), JSON.stringify({ order: ["04-b-first", "04-a-second", "04-unlinked", "05-x"] }));
  fs.writeFileSync(path.join(dir, "notebooks", "04-one.ipynb"), nb("# One\n\nkatas/04-a-second, then katas/04-b-first"));
  fs.writeFileSync(path.join(dir, "notebooks", "04b-two.ipynb"), nb("# Two\n\nkatas/04-a-second again"));
  fs.writeFileSync(path.join(dir, "notebooks", "05-three.ipynb"), nb("# Three"));

  it("gives each its linked katas in course.json order, and the first one the katas none links", () => {
    const rows = course.courseMapRows(path.join(dir, "notebooks"), path.join(dir, "katas"));
    expect(rows.map((r) => [r.file, r.katas])).toEqual([
      ["04-one.ipynb", ["04-b-first", "04-a-second", "04-unlinked"]],
      ["04b-two.ipynb", ["04-a-second"]],
      ["05-three.ipynb", ["05-x"]],
    ]);
  });
});

describe("course.gridTable", () => {
  const two = [findScenario("munmap")!, findScenario("mprotect")!];
  it("explores every scenario against every column, a column's kernel overriding the grid's", () => {
    const { scenarios, cells } = course.gridCells(
      [driver("end-only"), { title: "end-only, v6.6", driver: driver("end-only"), kernel: { arch: { notifierModel: "v6.6" } } }],
      { scenarios: two },
    );
    expect(scenarios).toEqual(["munmap", "mprotect"]);
    expect(cells[0]!.map((c) => c.rule)).toEqual(["stale-tlb-at-free", "stale-tlb-at-free"]);
    expect(cells[1]![0]).toMatchObject({ rule: null, complete: true });
    expect(cells[0]![0]!.count).toBeGreaterThan(1);
  });
  it("shows rules with their length, none with the states, and says the searches were complete", () => {
    const html = course.gridTable([driver("start-only"), driver("correct-generic")], { scenarios: two });
    expect(html).toMatch(/stale-tlb-at-free \(\d+ steps\)/);
    expect(html).toMatch(/stale-write-permission \(\d+ steps\)/);
    expect(html).toMatch(/none \(\d+ states\)/);
    expect(html).toContain("every search was complete");
    expect(html).toMatch(/<code[^>]*>correct-generic<\/code>/);
  });
});

describe("course.traceToSvg's diagram text", () => {
  it("draws only the agents that act and wraps the violation report at NOTE_WIDTH instead of cutting it", () => {
    const cx = tkExplore("munmap", "start-only");
    const text = traceToMermaid(cx.trace, { maxLabel: 64, wrap: course.NOTE_WIDTH });
    const acting = new Set(cx.trace.steps.map((s) => s.agent));
    expect(text.match(/participant /g)!.length).toBe(acting.size);
    expect(text).not.toContain("…");
    const report = text.split("\n").find((l) => l.includes("Note over"))!;
    expect(report.split("<br/>").every((l) => l.replace(/^.*✗ /, "").replace(/#(\d+|lt|gt);/g, "x").length <= course.NOTE_WIDTH)).toBe(true);
  });
});

describe("course.callSites", () => {
  it("finds where the core calls the op: the gather under the ptl, then range_end, then tlb_finish_mmu over the freed page table, for munmap in the RFC", () => {
    const sites = course.callSites(undefined, [findScenario("munmap")!]);
    expect(sites.map((s) => [s.caller, s.context])).toEqual([
      ["tlb_flush_mmu_tlbonly()", "atomic"],
      ["tlb_flush_mmu_tlbonly()", "atomic"],
      ["range_end: mn_hlist_invalidate_end()", "may sleep"],
      ["tlb_flush_mmu_tlbonly()", "may sleep"],
    ]);
    expect(sites[0]!.spinlocks).toMatch(/ptl/);
    expect(sites[2]!.spinlocks).toBe("-");
    // Without freed page tables (model.freePageTables off) the gather is empty by then.
    expect(course.callSites({ model: { freePageTables: false } }, [findScenario("munmap")!])).toHaveLength(3);
  });
  it("in v6.6 every call comes from the TLB flush and fork's is (0, ULONG_MAX)", () => {
    const sites = course.callSites(course.V66_KERNEL, [findScenario("munmap")!, findScenario("fork")!]);
    expect(new Set(sites.map((s) => s.caller))).toEqual(new Set(["flush_tlb_mm_range(): the TLB flush"]));
    // The two full batches, then tlb_finish_mmu's flush over the freed PTE table.
    expect(sites.filter((s) => s.scenario === "munmap")).toHaveLength(3);
    expect(sites.some((s) => s.scenario === "fork" && s.range === "[0x0, ULONG_MAX)")).toBe(true);
  });
});

describe("course lesson scenarios", () => {
  it("munmapPages: munmap of pages 3-5 catches end-only at free, passes the correct driver, refuses pages outside the mapping", () => {
    const sc = course.munmapPages(3, 5, 2);
    expect(sc.name).toBe("munmap-3-5");
    expect(runStraight(sc.build(driver("correct-generic"))).violation).toBeUndefined();
    expect(runStraight(sc.build(driver("end-only"))).violation?.rule).toBe("stale-tlb-at-free");
    expect(() => course.munmapPages(6, 9, 2)).toThrow(/do not fit a mapping of 8 pages/);
  });
  it("upgradeWorld: livelocks on arm64 without patch 2/2 when the IOMMU faults from its TLB, not when it re-walks", () => {
    const stuck = runStraight(course.upgradeWorld(course.correctGenericOn(false), { arch: "arm64", notifyOnUpgrade: false }));
    expect(stuck.violation?.rule).toBe("device-livelock");
    expect(runStraight(course.upgradeWorld(course.correctGenericOn(false), { arch: "arm64", notifyOnUpgrade: true })).violation).toBeUndefined();
    expect(runStraight(course.upgradeWorld(course.correctGenericOn(true), { arch: "arm64", notifyOnUpgrade: false })).violation).toBeUndefined();
  });
  it("wholeMmFlushUnderPtl: a per-page driver floods, a whole-PASID one sends two commands", () => {
    const make = (perPage: boolean) =>
      course.genericOpsDriver(perPage ? "per-page" : "whole", (c) => ({
        name: "t",
        invalidate_secondary_tlbs(_s, _m, start, end) {
          if (perPage) for (let a = start; a < end; a += PAGE_SIZE) c.iommu.inv_page(c.pasid, a);
          else c.iommu.inv_pasid(c.pasid);
          c.iommu.sync();
        },
      }));
    const flood = course.wholeMmFlushUnderPtl(make(true), course.V66_KERNEL);
    expect(flood.trace.violation?.rule).toBe("invalidation-flood");
    const whole = course.wholeMmFlushUnderPtl(make(false), course.V66_KERNEL);
    expect(whole.trace.violation).toBeUndefined();
    expect(whole.iommu.totalCommands()).toBe(2);
  });
});
