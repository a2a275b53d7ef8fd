/**
 * Hidden tests, kata 06: coherence on the standard scenarios, with and without BTM,
 * ATS and range invalidation. "every interleaving" cases run the explorer; "run
 * straight" cases let the device fill its caches first, then run the kernel path.
 */
import { defineSuite, expectCoherent, runScenarioStraight, armSmmuV3SvaDriver, COHERENCE_RULES as grades, type ArmSmmuV3SvaModule, type ArmSmmuDriverOptions, type KernelOptions } from "tlbkata";

function on(scenario: string, points: number, what: string, how: "explore" | "straight", hw: ArmSmmuDriverOptions = {}, kernel?: KernelOptions) {
  const features = [hw.btm ? "BTM" : "", hw.ats === false ? "no ATS" : "", hw.rangeInv ? "RANGE_INV" : "", kernel ? "v6.6 model" : ""].filter(Boolean).join(", ");
  return {
    name: `${scenario}${features ? ` (${features})` : ""}, ${how === "explore" ? "every interleaving" : "run straight"}: ${what}`,
    points,
    grades,
    run(impl: ArmSmmuV3SvaModule) {
      const driver = armSmmuV3SvaDriver(impl, "arm", "", hw);
      if (how === "explore") expectCoherent(scenario, driver, { kernel, grades });
      else runScenarioStraight(scenario, driver, { kernel, grades });
    },
  };
}

export default defineSuite<ArmSmmuV3SvaModule>("coherence", [
  on("munmap", 2, "the mmu_gather batch fills and frees pages mid-unmap", "explore"),
  on("munmap", 2, "the CPU's TLBIs clean the SMMU TLB, but not the ATC", "straight", { btm: true }),
  on("munmap", 1, "range TLBIs must cover the whole range", "straight", { rangeInv: true }),
  on("munmap", 1, "no ATC: the SMMU TLB alone", "straight", { ats: false }),
  on("reclaim", 1, "try_to_unmap_one replaces the PTE with a swap entry", "straight", { btm: true }),
  on("migration", 1, "try_to_migrate_one installs a migration entry: range TLBIs must cover the page", "explore", { rangeInv: true }),
  on("cow", 2, "wp_page_copy points the PTE at a new page: the device must not read the old one after the ptl is released", "explore"),
  on("cow", 1, "the ATC must not keep the old page once the ptl is released", "straight", { btm: true }),
  on("cow", 1, "called from the TLB flush", "straight", {}, { arch: { notifierModel: "v6.6" } }),
  on("mprotect", 1, "change_protection removes write permission", "explore"),
  on("mkclean", 1, "writeback write-protects a dirty page", "explore", { btm: true }),
  on("thp-split", 2, "a 2 MiB translation must go when the PMD is split", "straight"),
  on("thp-split", 1, "a 2 MiB ATC entry must go too", "straight", { btm: true, rangeInv: true }),
  on("hugetlb-cow", 1, "hugetlb_wp breaks COW on a 2 MiB page", "explore", { rangeInv: true }),
  on("exit", 2, "release runs before the pages are freed, while the device may still be running", "explore"),
  on("exit", 1, "release must reach the ATC too", "explore", { btm: true }),
]);
