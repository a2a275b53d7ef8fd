/** Hidden tests, kata 08: the shootdowns the driver launches, as link.c launches them. */
import {
  defineSuite,
  scenarioName,
  runScenarioStraight,
  ocxlDriver,
  ocxlSharedLinkScenario,
  container_of,
  require_,
  type OcxlLink,
  type OcxlModule,
  type ScenarioRef,
  type pe_data,
} from "tlbkata";

/**
 * Run straight; return the link, how often the callback returned with a shootdown
 * still pending, and how often it was called (the RFC's mprotect notifies at range_end
 * and again from the mmu_gather's flush).
 */
/** What these cases grade: the counts are checked by hand; the one rule a run can break here is a flood. */
const GRADES = ["invalidation-flood"] as const;

function run(impl: OcxlModule, scenario: ScenarioRef): { link: OcxlLink; inFlight: number; calls: number } {
  const ops = impl.ocxl_mmu_notifier_ops;
  let inFlight = 0;
  let calls = 0;
  const inner = ops.invalidate_secondary_tlbs;
  // Look at the link's status register when the callback returns.
  const watched: OcxlModule = {
    ocxl_mmu_notifier_ops: inner
      ? {
          ...ops,
          invalidate_secondary_tlbs(mn, mm, start, end) {
            inner(mn, mm, start, end);
            // Counted on return: a call that waited for the link is run again when it resumes.
            calls++;
            if (container_of<pe_data>(mn).link.platform_data.busy) inFlight++;
          },
        }
      : ops,
  };
  // Commands are counted here; a stale entry is the coherence tests' to report.
  const w = runScenarioStraight(scenario, ocxlDriver(watched), { grades: GRADES });
  return { link: w.k.iommus[0] as OcxlLink, inFlight, calls };
}

const describe = (c: Record<string, number>): string => JSON.stringify(c);

export default defineSuite<OcxlModule>("hardware", [
  {
    name: "one ATSD per 4 KiB page: each notification of mprotect's two pages launches two single-page 4 KiB shootdowns",
    points: 2,
    grades: GRADES,
    run(impl) {
      const { link, calls } = run(impl, "mprotect");
      const c = link.cost;
      const page4k = c["ATSD 4K"] ?? 0;
      const other = Object.entries(c).filter(([k]) => k !== "ATSD 4K");
      require_(
        other.length === 0,
        `the shootdowns were ${describe(c)}: each page is one ATSD with scope XTS_ATSD_IS_VA and the 4 KiB page size code (XTS_ATSD_AP_4K)`,
      );
      require_(calls > 0 && page4k === 2 * calls, `${calls} notification(s) of a two-page range launched ${page4k} ATSD(s): one per page, stepping by PAGE_SIZE`);
    },
  },
  {
    name: "every shootdown is polled to completion before the next one and before returning",
    points: 2,
    grades: GRADES,
    run(impl) {
      for (const s of ["mprotect", ocxlSharedLinkScenario] as const) {
        const { link, inFlight } = run(impl, s);
        const name = scenarioName(s);
        require_(link.totalCommands() > 0, `no shootdown was launched on the ${name} scenario`);
        require_(
          link.overruns.ava + link.overruns.launch === 0,
          `on the ${name} scenario the ATSD registers were written ${link.overruns.ava + link.overruns.launch} time(s) while a shootdown was still in flight: poll XTS_ATSD_STAT until XTS_ATSD_STAT_PENDING clears before the next one`,
        );
        require_(
          inFlight === 0,
          `on the ${name} scenario invalidate_secondary_tlbs returned ${inFlight} time(s) with a shootdown still pending: the translation is still cached when the ptl is dropped`,
        );
      }
    },
  },
  {
    name: "a 4 MiB range costs exactly 1024 single-page shootdowns",
    points: 1,
    grades: GRADES,
    run(impl) {
      const { link, calls } = run(impl, "mprotect-huge");
      const c = link.cost;
      require_(calls > 0 && c["ATSD 4K"] === 1024 * calls && Object.keys(c).length === 1, `${calls} notification(s) of 1024 pages launched ${describe(c)}: the driver shoots each 4 KiB page down, no more, no less`);
    },
  },
]);
