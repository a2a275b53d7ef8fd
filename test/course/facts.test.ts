// The course's names and versions stay consistent with docs/KERNEL-FACTS.md: no text
// says the rename is in 6.5, every citation in the facts file is well formed, every link
// to a fact points at an anchor that exists, and a few corrected facts are not taught
// wrongly again. Each check is also tried on a small bad input, so that it can fail.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  FACTS_FILE,
  REQUIRED_ANCHORS,
  anchorsOf,
  checkBtmCaveat,
  checkFactLinks,
  checkGetLocked,
  checkLostWrite,
  checkMergedName,
  checkReclaimFrees,
  checkRenameVersion,
  checkSoftLockup,
  checkWalkOrder,
  citationProblems,
  citationsIn,
  entryProblems,
  notebookCells,
  proseFindings,
  readCourse,
  type CourseText,
  type Finding,
} from "./facts";

const ROOT = path.resolve(__dirname, "../..");

/**
 * Wrong texts known to be in files this check's author did not own when it was written,
 * reported to be fixed there. Each entry must still match a finding: once the text is
 * fixed, the entry fails as stale and must be deleted.
 */
const KNOWN: { rule: string; file: string; contains: string }[] = [];

const isKnown = (f: Finding) => KNOWN.some((k) => k.rule === f.rule && f.file.startsWith(k.file) && f.excerpt.includes(k.contains));
const show = (fs: Finding[]) => fs.map((f) => `${f.rule} in ${f.file}: "${f.excerpt}"`).join("\n");

describe("the course's kernel facts", () => {
  const course = readCourse(ROOT);
  const factsText = fs.readFileSync(path.join(ROOT, FACTS_FILE), "utf8");
  const anchors = anchorsOf(factsText);

  it("reads the whole course: notebooks' cells, katas, solutions, docs, README and src", () => {
    const files = new Set(course.map((t) => t.file.replace(/ \(cell .*$/, "")));
    for (const f of ["README.md", FACTS_FILE, "notebooks/02-the-mmu-notifier-api.ipynb", "katas/06-arm-smmu-v3-sva/README.md", "src/kata/worlds/04-rename-migration.ts"]) {
      expect(files, f).toContain(f);
    }
  });

  it("no text says the rename is in 6.5, names the merged op without arch_, or repeats a corrected fact", () => {
    const found = proseFindings(course).filter((f) => !isKnown(f));
    expect(found, show(found)).toEqual([]);
  });

  it("every known exception is still needed (delete it once its text is fixed)", () => {
    const all = proseFindings(course);
    const stale = KNOWN.filter((k) => !all.some((f) => k.rule === f.rule && f.file.startsWith(k.file) && f.excerpt.includes(k.contains)));
    expect(stale, stale.map((k) => `${k.rule} in ${k.file}: "${k.contains}" no longer found`).join("\n")).toEqual([]);
  });

  it(`${FACTS_FILE} has every anchor the course links to, and its required ones`, () => {
    for (const a of REQUIRED_ANCHORS) expect(anchors, a).toContain(a);
    const bad = checkFactLinks(course, anchors, ROOT);
    expect(bad, show(bad)).toEqual([]);
  });

  it(`every citation in ${FACTS_FILE} is tag:path:line with a known tag, and every entry names its source, its check and its users`, () => {
    const cites = citationsIn(factsText);
    expect(cites.length).toBeGreaterThan(30);
    const problems = [...cites.flatMap(citationProblems), ...entryProblems(factsText)];
    expect(problems, problems.join("\n")).toEqual([]);
  });
});

describe("the checks themselves fail on bad text", () => {
  const t = (text: string, file = "katas/x/README.md"): CourseText[] => [{ file, text }];

  it("the rename in 6.5, in the ways the course used to say it", () => {
    expect(checkRenameVersion(t("Before Linux 6.5 its callback was named\n`mn_invalidate_range`."))).toHaveLength(1);
    expect(checkRenameVersion(t('## What changed (Linux 6.5, "mm_notifiers: Rename invalidate_range notifier")'))).toHaveLength(1);
    expect(checkRenameVersion(t("(renamed invalidate_secondary_tlbs in Linux 6.5): the driver does not build"))).toHaveLength(1);
    expect(checkRenameVersion(t("Since 6.5 the op is `invalidate_secondary_tlbs`."))).toHaveLength(1);
    // What is true passes.
    expect(checkRenameVersion(t("The rename is not in v6.5: v6.5 still has `.invalidate_range`. Through Linux 6.5 the op was `.invalidate_range`."))).toEqual([]);
  });

  it("the merged name without arch_", () => {
    expect(checkMergedName(t("v6.6 merged it as `.invalidate_secondary_tlbs`."))).toHaveLength(1);
    expect(checkMergedName(t("In v6.6 the core calls mmu_notifier_invalidate_secondary_tlbs()."))).toHaveLength(1);
    expect(checkMergedName(t("v6.6 merged it as `.arch_invalidate_secondary_tlbs`, called through `mmu_notifier_arch_invalidate_secondary_tlbs`."))).toEqual([]);
  });

  it("mmu_notifier_get_locked said of the SVA drivers", () => {
    expect(checkGetLocked(t("Drivers that want one notifier per mm (SVA drivers do) call\n`mmu_notifier_get_locked()` instead."))).toHaveLength(1);
    expect(checkGetLocked(t("The SVA drivers call `mmu_notifier_register`, not `mmu_notifier_get_locked`; its users are sgi-gru and amdkfd."))).toEqual([]);
  });

  it("the 26 s soft lockup told without range_end", () => {
    expect(checkSoftLockup(t("the secondary TLBs are told (0, ULONG_MAX), with the ptl held. This happened: a 26 s soft lockup was reported from munmap."))).toHaveLength(1);
    expect(checkSoftLockup(t("A 26 s soft lockup came from a large munmap flushed at range_end."))).toEqual([]);
    expect(checkSoftLockup(t("The 26-second lockup ([fact](../docs/KERNEL-FACTS.md#soft-lockup))."))).toEqual([]);
    // A figure that merely ends in 26 s is no lockup.
    expect(checkSoftLockup(t("The code before this sandbox took 3.26 s, today's 3.61 s."))).toEqual([]);
  });

  it("subscriptions walked in registration order, reclaim freeing pages before end", () => {
    expect(checkWalkOrder(t("Live subscriptions, in registration order (hlist_for_each_entry_rcu)."))).toHaveLength(1);
    expect(checkWalkOrder(t("Every registered driver, family by family, in registration order."))).toEqual([]);
    expect(checkReclaimFrees(t("end is too late (munmap and reclaim free pages before end)"))).toHaveLength(1);
    expect(checkReclaimFrees(t("end is too late: munmap frees pages before end; reclaim holds them."))).toEqual([]);
  });

  it("a write said to be lost on reclaim or migration", () => {
    expect(checkLostWrite(t("For reclaim and migration a device write through the stale entry (`lost-write`) is found first."))).toHaveLength(1);
    expect(checkLostWrite(t("On reclaim and migration nothing is lost: the later copy carries the write."))).toEqual([]);
    expect(checkLostWrite(t("Reclaim discards a clean MADV_FREE page: there the write is lost."))).toEqual([]);
  });

  it("BTM taught without saying mainline never enables it", () => {
    expect(checkBtmCaveat(t("With BTM the SMMU snoops TLBIs."))).toHaveLength(1);
    expect(checkBtmCaveat(t("With BTM the SMMU snoops TLBIs; mainline never enables it."))).toEqual([]);
    expect(checkBtmCaveat(t("With BTM the SMMU snoops TLBIs.", "katas/x/hints/1.md"))).toEqual([]);
  });

  it("citations: tag, path, lines", () => {
    expect(citationProblems("v6.5:mm/rmap.c:1481-1482")).toEqual([]);
    expect(citationProblems("v6.5:mm/rmap.c:1609-1618,1738-1751")).toEqual([]);
    expect(citationProblems("RFC:include/linux/mmu_notifier.h:208-211")).toEqual([]);
    expect(citationProblems("v6.9:mm/rmap.c:10")[0]).toMatch(/unknown tag v6.9/);
    expect(citationProblems("6.5:mm/rmap.c:10")[0]).toMatch(/not tag:path:line/);
    expect(citationProblems("v6.5:mm/rmap.c")[0]).toMatch(/not tag:path:line/);
    expect(citationProblems("v6.5:mm/rmap.c:12-10")[0]).toMatch(/bad line range/);
    expect(citationsIn("see `v6.5:mm/rmap.c:1` and `6.5:mm/x.c:2` and `CMDQ_MAX_TLBI_OPS`")).toEqual(["v6.5:mm/rmap.c:1", "6.5:mm/x.c:2"]);
    expect(entryProblems('<a id="x"></a>\n### X\n- Source: `v6.5:a/b.c:1`\n- Relied on by: y')).toEqual(['entry #x has no "- Checked:" line']);
  });

  it("links to anchors that do not exist, or by a path that does not lead to the facts file", () => {
    const anchors = anchorsOf('<a id="soft-lockup"></a>\n## Names and versions\n');
    expect(anchors).toContain("names-and-versions");
    const nb = notebookCells("notebooks/06-x.ipynb", JSON.stringify({ cells: [{ cell_type: "markdown", id: "a", source: ["See [it](../docs/KERNEL-FACTS.md#soft-lockup) and ", "[that](../docs/KERNEL-FACTS.md#no-such)."] }] }));
    expect(checkFactLinks(nb, anchors, ROOT).map((f) => f.rule)).toEqual(["missing-anchor"]);
    const wrongPath = [{ file: "katas/06-x/README.md", text: "[it](../docs/KERNEL-FACTS.md#soft-lockup)" }];
    expect(checkFactLinks(wrongPath, anchors, ROOT).map((f) => f.rule)).toEqual(["wrong-link-path"]);
    const right = [{ file: "katas/06-x/README.md", text: "[it](../../docs/KERNEL-FACTS.md#soft-lockup)" }];
    expect(checkFactLinks(right, anchors, ROOT)).toEqual([]);
  });
});
