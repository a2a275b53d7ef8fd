/**
 * Visible tests for kata 02-notifier-core: run them with
 * `npx tlbkata check 02-notifier-core`. Each runs a scenario with your core in the
 * kernel and fails with the rule the oracle saw broken.
 */
import { defineSuite, runScenarioStraight, expectCoherent, genericDrivers, probeDriver, notifierCoreKernel, require_, type NotifierCoreModule } from "tlbkata";

const generic = () => genericDrivers.find((d) => d.name === "correct-generic")!;

export default defineSuite<NotifierCoreModule>("visible", [
  {
    name: "reclaim, run straight: try_to_unmap_one's notification reaches the device before the ptl is released",
    points: 1,
    run: (impl) => void runScenarioStraight("reclaim", generic(), { kernel: notifierCoreKernel(impl) }),
  },
  {
    name: "munmap, every interleaving: no IOTLB entry survives until its page is freed",
    points: 1,
    run: (impl) => expectCoherent("munmap", generic(), { kernel: notifierCoreKernel(impl) }),
  },
  {
    name: "cow, run straight, with a KVM-like start/end user on the same mm: it is skipped, the device is not",
    points: 1,
    run(impl) {
      const probe = probeDriver();
      runScenarioStraight("cow", probe, { kernel: notifierCoreKernel(impl) });
      require_(probe.calls.device > 0, "the device's invalidate_secondary_tlbs was never called");
    },
  },
]);
