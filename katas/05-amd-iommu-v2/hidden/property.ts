/** Hidden tests, kata 05: random ranges, identifiers, ATS and cache contents (fast-check, fixed seed). */
import { defineSuite, invalidationProperty, fc, amdIommuV2Driver, type AmdIommuV2Module } from "tlbkata";

export default defineSuite<AmdIommuV2Module>("property", [
  invalidationProperty<AmdIommuV2Module, { ats: boolean }>({
    name: "any range, 64-bit edges included: after the callback neither IOTLB holds the range, the other PASID keeps its entries, at most 4 commands",
    points: 2,
    seed: 0x5a3d05,
    hw: fc.record({ ats: fc.boolean() }),
    driver: (impl, hw) => amdIommuV2Driver(impl, "amd", "", hw),
    describeHw: (hw) => `ATS ${hw.ats ? "on" : "off"}`,
    budget: () => ({ max: 4, why: "one page is one INVALIDATE_IOMMU_PAGES (and one INVALIDATE_IOTLB_PAGES with ATS), anything larger the same for the whole PASID, each followed by a completion wait (README rule 4)" }),
  }),
]);
