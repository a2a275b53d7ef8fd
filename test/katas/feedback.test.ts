/**
 * Feedback says what happened, read from the run: the commands sent at each notifier
 * call, the caches they cleaned, the caches that still held the page, in plain words.
 * Half a fix shows: flushing the IOMMU's IOTLB but not the device's changes the feedback.
 */
import { describe, expect, test } from "vitest";
import * as path from "path";
import { findKata } from "tlbkata";
import { ROOT, loadKata, loadImpl, runOn } from "./harness";

async function visibleFeedback(kataId: string, file: string): Promise<Map<string, string>> {
  const k = await loadKata(findKata(ROOT, kataId)!);
  const rs = runOn(k.visible!, await loadImpl(k.kata, path.isAbsolute(file) ? file : path.join(k.kata.dir, file)));
  return new Map(rs.filter((r) => !r.ok).map((r) => [r.name.split(",")[0]!, r.message ?? ""]));
}

describe("kata 05: what was sent, what was cleaned, what still held the page", () => {
  test("the starter sends nothing, and both IOTLBs keep the page", async () => {
    const m = (await visibleFeedback("05-amd-iommu-v2", "amd_iommu_v2.ts")).get("reclaim")!;
    expect(m).toMatch(/^\[stale-tlb-after-ptl-release\] on the reclaim scenario at 0x40000000/);
    expect(m).toMatch(/\n {2}step \d+, mmu_notifier_invalidate_secondary_tlbs \[0x40000000, 0x40001000\): nothing sent\.\n/);
    expect(m).toMatch(/\nStill holding 0x40000000 \(pfn 256\) when the rule broke: the device's own IOTLB \(ATS\) \[dev 0x6008\.iotlb\], filled at step \d+ \(dev0: dma write A \(0x40000000\)\); the IOMMU's IOTLB \[amd_iommu0\.iotlb\]/);
  });

  test("half a fix (the device's IOTLB skipped): the commands and the cleaned IOTLB show, the device's IOTLB alone still holds the page", async () => {
    const fb = await visibleFeedback("05-amd-iommu-v2", "mutants/skip-device-iotlb.ts");
    const m = fb.get("reclaim")!;
    // The CPU waits at COMPLETION_WAIT; the IOMMU runs the command at a step of its own.
    expect(m).toMatch(/mmu_notifier_invalidate_secondary_tlbs \[0x40000000, 0x40001000\): INVALIDATE_IOMMU_PAGES id 0x5001 pasid 1001 (0x40000000|all pages); COMPLETION_WAIT\.\n {2}step \d+, amd_iommu0: execute INVALIDATE_IOMMU_PAGES: nothing sent; cleaned: the IOMMU's IOTLB \(1 entry\)\.\n/);
    expect(m).toMatch(/\nStill holding 0x40000000 \(pfn 256\) when the rule broke: the device's own IOTLB \(ATS\) \[dev 0x6008\.iotlb\], filled at step \d+ [^;]*\.$/);
    // Explored cases are replayed to explain them the same way.
    expect(fb.get("munmap")).toMatch(/\nStill holding 0x40000000 \(pfn 256\) when the rule broke: the device's own IOTLB \(ATS\)/);
  });

  test("a release that flushes nothing is told that release is its last chance, not pointed at tlb_flush_mmu_tlbonly alone", async () => {
    const m = (await visibleFeedback("05-amd-iommu-v2", "mutants/release-no-flush.ts")).get("exit")!;
    expect(m).toMatch(/\n {2}step 3, exit: exit_mmap: mmu_notifier_release: GCR3\[1001\] cleared\.\n/);
    expect(m).toMatch(/\nAfter mmu_notifier_release \(step 3\) no callback of this notifier runs again: what release left cached stays cached\.\n/);
  });
});

test("kata 06 with BTM: the SMMU's TLB cleaned by snooping, the device's ATC still holding the page", async () => {
  const m = (await visibleFeedback("06-arm-smmu-v3-sva", "arm_smmu_v3_sva.ts")).get("munmap with BTM")!;
  expect(m).toMatch(/nothing sent; cleaned: the SMMU's TLB \(1 entry\) \(BTM: the SMMU snooped the CPU's TLBI\)/);
  expect(m).toMatch(/\nStill holding 0x40000000 \(pfn 256\) when the rule broke: the device's ATC \(ATS\) \[master 0x6008\.atc\]/);
});

test("kata 08: the AFU's translation cache, by name", async () => {
  const m = (await visibleFeedback("08-ocxl", "link.ts")).get("reclaim")!;
  expect(m).toMatch(/when the rule broke: the accelerator's \(AFU's\) translation cache \[ocxl_link0\.afu\.atc\]/);
});

test("kata 11: a device livelock says what the page table holds, not what it should hold", async () => {
  // The upgrade that never writes the PTE: the page table still says read-only.
  const stuck = (await visibleFeedback("11-permission-upgrade", "mutants/no-pte-write.ts")).get("x86")!;
  expect(stuck).toMatch(/every page request was answered, but the page is still present but read-only in the page table/);
  expect(stuck).not.toMatch(/is writable in the page table/);
  // The upgrade that writes the PTE but never tells the SMMU: writable, and a stale read-only entry.
  const stale = (await visibleFeedback("11-permission-upgrade", "mutants/never-notify.ts")).get("arm64 with an SMMU")!;
  expect(stale).toMatch(/the page is writable in the page table, but the device keeps using a cached read-only translation/);
});
