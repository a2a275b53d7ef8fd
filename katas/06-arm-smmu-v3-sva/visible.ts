/**
 * Visible tests for kata 06: run them with `npx tlbkata check 06`. Each runs a
 * scenario with your driver and fails with the rule the oracle saw broken.
 */
import { defineSuite, runScenarioStraight, expectCoherent, costCase, describeCost, armSmmuV3SvaDriver, type ArmSmmuV3SvaModule } from "tlbkata";

export default defineSuite<ArmSmmuV3SvaModule>("visible", [
  {
    name: "reclaim, run straight: the page's translation is gone from the SMMU TLB and the ATC when the ptl is released",
    points: 1,
    run: (impl) => void runScenarioStraight("reclaim", armSmmuV3SvaDriver(impl)),
  },
  {
    name: "munmap with BTM, every interleaving: the SMMU TLB follows the CPU, the ATC does not",
    points: 1,
    run: (impl) => expectCoherent("munmap", armSmmuV3SvaDriver(impl, "arm", "", { btm: true })),
  },
  {
    name: "exit, run straight: after release nothing of the mm is cached",
    points: 1,
    run: (impl) => void runScenarioStraight("exit", armSmmuV3SvaDriver(impl)),
  },
  {
    name: "munmap of [4 GiB, 8 GiB + 4 KiB), run straight: a range wider than 32 bits leaves nothing of it cached (README, Addresses and sizes are unsigned long)",
    points: 1,
    run: (impl) => void runScenarioStraight("munmap-4g-span", armSmmuV3SvaDriver(impl)),
  },
  // One cheap cost check: a TLBI per page of a 4 MiB range must not look like a pass.
  costCase("mprotect-huge", 1, "a 1024-page range costs a few TLBI commands per call, not one per page", armSmmuV3SvaDriver, ({ commands, calls }) => {
    const tlbis = (commands["CMD_TLBI_NH_VA"] ?? 0) + (commands["CMD_TLBI_NH_VA (range)"] ?? 0) + (commands["CMD_TLBI_NH_ASID"] ?? 0);
    return tlbis <= 2 * Math.max(calls, 1)
      ? null
      : `mprotect of 1024 pages: ${calls} call(s) of invalidate_secondary_tlbs sent ${describeCost(commands)}: from CMDQ_MAX_TLBI_OPS pages on, one CMD_TLBI_NH_ASID replaces the per-page TLBIs (the soft-lockup fix, CVE-2023-52484)`;
  }),
]);
