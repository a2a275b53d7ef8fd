/**
 * Property-based hidden tests: one invalidate_secondary_tlbs call on a random range
 * (64-bit edges included), with random identifiers, hardware capabilities and cache
 * contents. After the call no translation of the process overlapping [start, end) may
 * be cached anywhere, another process's must all still be cached (a whole-PASID or
 * whole-ASID flush never reaches another address space), and the command count stays
 * within the kata's budget. fast-check runs from a fixed seed, so a grade is the same
 * every time, and the learner sees the shrunk case.
 */
import * as fc from "fast-check";
import type { DriverSpec } from "../drivers/driver";
import type { KernelOptions } from "../kernel/kernel";
import type { RuleId } from "../oracle/violation";
import type { Scenario } from "../scenarios/index";
import { baseScenario, addKernelThread, faultInPage } from "../scenarios/builder";
import { addBoundProcess } from "../scenarios/shared-iommu";
import { ProgramBuilder } from "../sim/program";
import { PAGE_SIZE, TASK_SIZE_MAX, ULONG_MAX, hex } from "../mm/constants";
import type { IommuModel } from "../hw/iommu";
import type { mm_struct } from "../mm/mm";
import { KataFailure, type KataCase } from "./suite";
import { COHERENCE_RULES, runScenarioStraight } from "./checks";

export { fc };

/** The first page a test fills (below it the mm has nothing mapped). */
const LOW = 16 * PAGE_SIZE;
const USER_PAGES = TASK_SIZE_MAX / PAGE_SIZE;

/** One invalidation: the range, the pages cached before it, the identifier seed, the hardware. */
export interface InvalidationCase<H> {
  readonly start: number;
  readonly end: number;
  /** Pages of both processes the device has cached translations of, before the call. */
  readonly cached: readonly number[];
  readonly idSeed: number;
  readonly hw: H;
}

/** What ranges a property draws. */
export interface RangeArbOptions {
  /** The most pages a range may have (default: all of user space). */
  readonly maxPages?: number;
  /** Whether (0, ULONG_MAX) is drawn (default true). */
  readonly wholeMm?: boolean;
}

/**
 * Ranges as the kernel passes them: page-aligned, from one page to (0, ULONG_MAX), near
 * 2 GiB, 4 GiB and the top of user space, with page counts on both sides of 512 and 1024.
 */
export function rangeArb(o: RangeArbOptions = {}): fc.Arbitrary<{ start: number; end: number }> {
  const most = Math.min(o.maxPages ?? USER_PAGES, USER_PAGES);
  const pages = fc.oneof(
    fc.constantFrom(...[1, 2, 511, 512, 513, 1024].filter((n) => n <= most)),
    fc.integer({ min: 1, max: Math.min(2 ** 20, most) }),
    fc.integer({ min: 1, max: most }),
  );
  const first = fc.oneof(
    fc.integer({ min: 0, max: USER_PAGES - 1 }),
    fc.integer({ min: 2 ** 19 - 4, max: 2 ** 19 + 4 }), // around 2 GiB
    fc.integer({ min: 2 ** 20 - 4, max: 2 ** 20 + 4 }), // around 4 GiB
    fc.integer({ min: USER_PAGES - 8, max: USER_PAGES - 1 }), // the last pages of user space
  );
  const ranged = fc.tuple(first, pages).map(([p, n]) => ({ start: p * PAGE_SIZE, end: Math.min(p + n, USER_PAGES) * PAGE_SIZE }));
  if (o.wholeMm === false) return ranged;
  return fc.oneof({ weight: 1, arbitrary: fc.constant({ start: 0, end: ULONG_MAX }) }, { weight: 6, arbitrary: ranged });
}

/** Pages worth caching for [start, end): its first and last page, one inside, and the pages just outside. */
function candidates(start: number, end: number, pick: number): number[] {
  const last = Math.min(end, TASK_SIZE_MAX) - PAGE_SIZE;
  const inside = start + Math.floor(((last - start) / PAGE_SIZE) * pick) * PAGE_SIZE;
  const all = [start, last, inside, start - PAGE_SIZE, end];
  return [...new Set(all.filter((a) => a >= LOW && a < TASK_SIZE_MAX))].sort((a, b) => a - b);
}

export function invalidationCaseArb<H>(hw: fc.Arbitrary<H>, ranges: RangeArbOptions = {}): fc.Arbitrary<InvalidationCase<H>> {
  return fc
    .record({ range: rangeArb(ranges), pick: fc.double({ min: 0, max: 1, noNaN: true }), keep: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }), idSeed: fc.integer({ min: 1, max: 1 << 20 }), hw })
    .map(({ range, pick, keep, idSeed, hw }) => ({
      ...range,
      cached: candidates(range.start, range.end, pick).filter((_, i) => keep[i] ?? true),
      idSeed,
      hw,
    }));
}

export interface InvalidationPropertyOptions<I, H> {
  readonly name: string;
  readonly points: number;
  /** The driver for this hardware. */
  driver(impl: I, hw: H): DriverSpec;
  readonly hw: fc.Arbitrary<H>;
  /** How the hardware reads in a message ("ATS on, RANGE_INV off"). */
  describeHw(hw: H): string;
  /** The README's command budget for one call on [start, end) (every command, waits and syncs included), and the rule that sets it. */
  budget(start: number, end: number, hw: H): { readonly max: number; readonly why: string };
  readonly seed: number;
  readonly numRuns?: number;
  readonly kernel?: KernelOptions;
  /** The ranges the README grades (default: any, (0, ULONG_MAX) included). */
  readonly ranges?: RangeArbOptions;
}

const GRADES: readonly RuleId[] = [...COHERENCE_RULES, "invalidation-flood"];

interface Outcome {
  readonly failure: string | null;
  readonly rule?: RuleId;
}

const overlaps = (va: number, size: number, start: number, end: number): boolean => va < end && va + size > start;

/** The other process's cached translations, by cache and address. */
function cachedOf(iommu: IommuModel, mm: mm_struct): Set<string> {
  const out = new Set<string>();
  for (const { tlb, mmOfTag } of iommu.watched()) for (const e of tlb.entries()) if (mmOfTag(e.tag) === mm) out.add(`${tlb.name} ${hex(e.va)}`);
  return out;
}

/** What the caches hold when the callback returns: nothing of mine in [start, end), all of the other process's. */
function judge<H>(iommu: IommuModel, mine: mm_struct, other: mm_struct, otherPasid: number, otherBefore: ReadonlySet<string>, c: InvalidationCase<H>): string | null {
  const kept = new Set<string>();
  // Each cache has its own tags (an SMMU TLB by ASID, an ATC by PASID).
  for (const { tlb, mmOfTag } of iommu.watched()) {
    for (const e of tlb.entries()) {
      const mm = mmOfTag(e.tag);
      if (mm === mine && overlaps(e.va, e.size, c.start, c.end)) {
        return `${tlb.name} still holds ${hex(e.va)} of the process when the callback returns: nothing overlapping [${hex(c.start)}, ${hex(c.end)}) may stay cached at any level, and a command still queued has not happened yet (the ptl is dropped next and the page may be freed)`;
      }
      if (mm === other) kept.add(`${tlb.name} ${hex(e.va)}`);
    }
  }
  const lost = [...otherBefore].filter((x) => !kept.has(x));
  if (lost.length) return `the other process (PASID ${otherPasid}) lost its cached translation(s) (${lost.join(", ")}): an invalidation names the address space it is for (its PASID, ASID or domain), never another one`;
  return null;
}

/** Run one case; say what broke, in kernel words, or null. */
function runCase<I, H>(o: InvalidationPropertyOptions<I, H>, impl: I, c: InvalidationCase<H>): Outcome {
  let atReturn: string | null | undefined;
  let iommu: IommuModel | null = null;
  let before = 0;
  let otherBefore: ReadonlySet<string> = new Set();
  const scenario: Scenario = {
    name: "invalidate-property",
    summary: "one invalidate_secondary_tlbs call with translations cached in both processes",
    build(driver, kernel) {
      const p = baseScenario(driver, { pages: 0, vma: [LOW, LOW + PAGE_SIZE], kernel });
      const q = addBoundProcess(p, driver, "proc2", 0);
      for (const a of c.cached) {
        if (a !== LOW) p.mm.add_vma(a, a + PAGE_SIZE, { write: true, anon: true });
        q.mm.add_vma(a, a + PAGE_SIZE, { write: true, anon: true });
      }
      p.w.setup(() => {
        for (const x of [p, q]) for (const a of c.cached) faultInPage(p.w.k, x.mm, a);
        // The device reads every page through both PASIDs: every cache level fills.
        for (const x of [p, q]) for (const a of c.cached) p.iommu.translate(x.pasid, a, false);
        before = p.iommu.totalCommands();
        otherBefore = cachedOf(p.iommu, q.mm);
      });
      const prog = new ProgramBuilder("invalidate");
      prog.step(`mmu_notifier_arch_invalidate_secondary_tlbs(${hex(c.start)}, ${hex(c.end)})`, () => {
        // The CPU's TLBIs come first; hardware that snoops them (an SMMU with BTM) drops its entries here.
        for (const snoop of p.w.k.tlbiSnoopers) snoop(p.mm, c.start, c.end);
        p.w.k.mn.mmu_notifier_invalidate_secondary_tlbs(p.mm, c.start, c.end);
        // Judged the moment the callback returns: commands still queued have not happened.
        atReturn = judge(p.iommu, p.mm, q.mm, q.pasid, otherBefore, c);
      });
      addKernelThread(p, "invalidate", prog);
      iommu = p.iommu;
      return p.w;
    },
  };
  const kernel: KernelOptions = { ...o.kernel, model: { ...o.kernel?.model, idSeed: c.idSeed } };
  try {
    runScenarioStraight(scenario, o.driver(impl, c.hw), { kernel, grades: GRADES });
  } catch (e) {
    if (e instanceof KataFailure) return { failure: e.message, rule: e.rule };
    throw e;
  }
  if (atReturn === undefined) return { failure: "the callback never returned" };
  if (atReturn !== null) return { failure: atReturn };
  const sent = iommu!.totalCommands() - before;
  const b = o.budget(c.start, c.end, c.hw);
  if (sent > b.max) return { failure: `one call on [${hex(c.start)}, ${hex(c.end)}) sent ${sent} commands, more than the ${b.max} the README allows: ${b.why}` };
  return { failure: null };
}

/**
 * A hidden case that checks invalidate_secondary_tlbs on `numRuns` random cases from a
 * fixed seed. It fails with the smallest failing case fast-check shrinks to.
 */
export function invalidationProperty<I, H>(o: InvalidationPropertyOptions<I, H>): KataCase<I> {
  return {
    name: o.name,
    points: o.points,
    grades: GRADES,
    run(impl: I) {
      const r = fc.check(
        fc.property(invalidationCaseArb(o.hw, o.ranges), (c) => runCase(o, impl, c).failure === null),
        { seed: o.seed, numRuns: o.numRuns ?? 60 },
      );
      if (!r.failed || !r.counterexample) return;
      const c = r.counterexample[0];
      const out = runCase(o, impl, c);
      const cached = c.cached.length ? `pages ${c.cached.map(hex).join(", ")} cached in both processes` : "nothing cached";
      throw new KataFailure(
        `invalidate_secondary_tlbs(mm, ${hex(c.start)}, ${hex(c.end)}) with ${o.describeHw(c.hw)}, ${cached} (identifier seed ${c.idSeed}): ${out.failure ?? "it failed only on the first run"}`,
        out.rule,
      );
    },
  };
}
