/** Hidden tests, kata 06: random ranges, identifiers, ATS, RANGE_INV, BTM and cache contents (fast-check, fixed seed). */
import { defineSuite, invalidationProperty, fc, armSmmuV3SvaDriver, CMDQ_MAX_TLBI_OPS, PAGE_SIZE, ULONG_MAX, type ArmSmmuV3SvaModule } from "tlbkata";

interface Hw {
  readonly ats: boolean;
  readonly btm: boolean;
  readonly rangeInv: boolean;
}

const on = (b: boolean) => (b ? "on" : "off");

/** TLBI commands one call may take (README rule 5); each helper adds its CMD_SYNC, and the ATCs one CMD_ATC_INV and a CMD_SYNC. */
function tlbis(start: number, end: number, hw: Hw): number {
  if (hw.btm) return 0;
  if (end - start >= ULONG_MAX) return 1;
  const pages = Math.ceil((end - start) / PAGE_SIZE);
  // A range TLBI holds a 5-bit NUM at one scale: at most one command per set bit of the page count.
  if (hw.rangeInv) return 52;
  return pages >= CMDQ_MAX_TLBI_OPS ? 1 : pages;
}

export default defineSuite<ArmSmmuV3SvaModule>("property", [
  invalidationProperty<ArmSmmuV3SvaModule, Hw>({
    name: "any range, 64-bit edges included, with or without ATS, RANGE_INV and BTM: after the callback neither the SMMU TLB nor the ATC holds the range, the other ASID/PASID keeps its entries, the command count stays in budget",
    points: 2,
    seed: 0x5a3d06,
    hw: fc.record({ ats: fc.boolean(), btm: fc.boolean(), rangeInv: fc.boolean() }),
    driver: (impl, hw) => armSmmuV3SvaDriver(impl, "arm", "", hw),
    describeHw: (hw) => `ATS ${on(hw.ats)}, RANGE_INV ${on(hw.rangeInv)}, BTM ${on(hw.btm)}`,
    budget: (start, end, hw) => ({
      max: tlbis(start, end, hw) + 3,
      why: "without RANGE_INV one CMD_TLBI_NH_VA per page up to CMDQ_MAX_TLBI_OPS pages, one CMD_TLBI_NH_ASID from there; with it a few range TLBIs, one CMD_TLBI_NH_ASID for (0, ULONG_MAX); none with BTM; then one CMD_ATC_INV; a CMD_SYNC after each (README rules 4 and 5)",
    }),
  }),
]);
