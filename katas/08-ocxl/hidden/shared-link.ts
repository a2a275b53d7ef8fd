/**
 * Hidden tests, kata 08: two processes attached to one link, their shootdowns going
 * through the same ATSD registers (the reason atsd_lock exists).
 */
import { defineSuite, expectCoherent, runScenarioStraight, ocxlDriver, ocxlSharedLinkScenario, ocxlSharedLinkRaceScenario, require_, page, hex, COHERENCE_RULES, type OcxlLink, type OcxlModule } from "tlbkata";

export default defineSuite<OcxlModule>("shared link", [
  {
    name: "two processes on one link, every interleaving: each shootdown hits its own PID and page, none is lost or mixed",
    points: 3,
    // Mixed or lost shootdowns show as stale translations; a register touched without atsd_lock is the rules suite's.
    grades: COHERENCE_RULES,
    run: (impl) => expectCoherent(ocxlSharedLinkRaceScenario, ocxlDriver(impl), { grades: COHERENCE_RULES }),
  },
  {
    name: "two processes, run straight: a shootdown drops only its own page of its own PID",
    points: 2,
    grades: COHERENCE_RULES,
    run(impl) {
      const w = runScenarioStraight(ocxlSharedLinkScenario, ocxlDriver(impl), { grades: COHERENCE_RULES });
      const link = w.k.iommus[0] as OcxlLink;
      const proc = w.k.mms.find((m) => m.name === "proc")!;
      const proc2 = w.k.mms.find((m) => m.name === "proc2")!;
      // kswapd took A of proc, migration took B of proc2: B of proc and A of proc2 stay cached.
      for (const [mm, addr, name] of [[proc, page(1), "B"], [proc2, page(0), "A'"]] as const) {
        const kept = [...link.atc.entries(mm.context_id)].some((e) => e.va <= addr && addr < e.va + e.size);
        require_(
          kept,
          `the AFU lost its translation of ${name} (${hex(addr)}, PID ${mm.context_id}), which no kernel path touched: a shootdown names one page of one PID (scope XTS_ATSD_IS_VA, the page size of a base page)`,
        );
      }
    },
  },
]);
