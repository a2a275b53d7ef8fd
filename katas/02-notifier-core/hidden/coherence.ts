/** Hidden tests, kata 02-notifier-core: coherence with your core, every interleaving. */
import {
  defineSuite, expectCoherent, genericDrivers, probeDriver, notifierCoreKernel, COHERENCE_RULES, SRCU_RULES,
  type NotifierCoreModule, type DriverSpec, type ArchOptions, type RuleId,
} from "tlbkata";

const generic = (): DriverSpec => genericDrivers.find((d) => d.name === "correct-generic")!;
const probe = (): DriverSpec => probeDriver();

const on = (scenario: string, points: number, what: string, driver: () => DriverSpec, arch: Partial<ArchOptions> = {}, grades: readonly RuleId[] = COHERENCE_RULES) => ({
  name: `${scenario}: ${what}`,
  points,
  grades,
  run: (impl: NotifierCoreModule) => expectCoherent(scenario, driver(), { kernel: { ...notifierCoreKernel(impl), arch }, grades }),
});

export default defineSuite<NotifierCoreModule>("coherence", [
  on("munmap", 2, "tlb_flush_mmu_tlbonly reaches the device before the gathered pages are freed", generic),
  on("reclaim", 1, "try_to_unmap_one notifies under the ptl", generic),
  on("migration", 1, "try_to_migrate_one makes no call of its own; invalidate_range_end's flush comes before the copy", generic),
  on("cow", 2, "a KVM-like start/end user and a second SVA user are registered before the device's", probe),
  on("hugetlb-cow", 1, "hugetlb_wp notifies the whole 2 MiB huge page", generic),
  // Release ends with synchronize_srcu: the zap's walks after it run with the other SRCU index.
  on("exit", 1, "release and its grace period, then the zap's notifications reach no one, each inside an SRCU read section closed with its own index", probe, {}, [...COHERENCE_RULES, ...SRCU_RULES]),
  on("munmap", 1, "the v6.6 model: called from flush_tlb_mm_range", generic, { notifierModel: "v6.6" }),
]);
