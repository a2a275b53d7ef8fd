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
  genericDrivers,
  might_sleep,
  page,
  runStraight,
  PAGE_SIZE,
  ULONG_MAX,
  type pasid_state,
} from "tlbkata";

const driver = (name: string) => genericDrivers.find((d) => d.name === name)!;

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
      for (let a = 0; a < bytes; a += PAGE_SIZE) hw.iommu_queue_command(build_inv_iommu_pasid(hw.domid, 1, a, false));
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

