/**
 * Kata 11-permission-upgrade (the RFC's patch 2/2, "arm64: Notify on pte permission
 * upgrades"). A page is read-only with a single user (as after fork() and the
 * child's exit); a device reads it, caching a read-only translation, then writes it.
 * The write faults; the page-request handler makes the PTE writable in place
 * (ptep_set_access_flags). On the kata's x86 machine nothing else is needed: its
 * IOMMU re-walks the page table on a permission fault. arm64 flushes its CPU TLB for
 * the upgraded page (v6.5:arch/arm64/mm/fault.c:241-243), but in the RFC's kernel
 * that flush tells no secondary TLB, and an SMMU (mainline never enables BTM) that
 * faults from its cached read-only entry never sees the new permission: the device
 * livelocks. The learner reproduces that with the explorer, then adds patch 2/2's
 * notifier call inside arm64's flush block. In v6.6 flush_tlb_page() itself notifies
 * (v6.6:arch/arm64/include/asm/tlbflush.h:259-283), which fixed it without 2/2.
 */
import type { KernelOptions } from "../../kernel/kernel";
import type { KernelHooks } from "../../kernel/hooks";
import type { DriverSpec } from "../../drivers/driver";
import type { Scenario } from "../../scenarios/index";
import type { World } from "../../sim/world";
import type { ArchName, NotifierModel } from "../../hw/cpu";
import type { Counterexample } from "../../sched/types";
import { baseScenario, addDevice, addUserThread, page } from "../../scenarios/builder";
import { set_entry } from "../../mm/ops";
import { pte_wrprotect, pte_mkclean } from "../../mm/pte";
import { eagerSvaDriver, type RecordedInvalidation } from "./shared/eager-iommu";

/** What a kata 11 file exports. */
export interface PermissionUpgradeModule {
  /** arm64's ptep_set_access_flags() for a permission upgrade (replaces the kernel's). */
  readonly ptep_set_access_flags: KernelHooks["ptep_set_access_flags"];
  /** Find, with the explorer, the livelock of the kernel without the patch. */
  readonly reproduce_livelock: () => Counterexample | undefined;
}

/** A page that is read-only with one user: as after fork() and the child's exit. */
function readOnlySingleUser(w: World): void {
  const k = w.k;
  const mm = k.mms[0]!;
  const A = page(0);
  w.setup(() => {
    const ptl = mm.pgd.pte_lockptr(A);
    ptl.spin_lock();
    set_entry(k, mm, A, "pte", pte_mkclean(pte_wrprotect(mm.pgd.get_pte(A))), "protect");
    ptl.spin_unlock();
  });
}

/** Page A read-only with one user; the device reads A (caching a read-only translation), then writes it. */
function upgradeWorld(driver: DriverSpec, kernel: KernelOptions | undefined, cpuWriter: boolean): World {
  const p = baseScenario(driver, { pages: 1, kernel });
  readOnlySingleUser(p.w);
  addDevice(p, [
    { op: "read", addr: page(0), name: "A" },
    { op: "write", addr: page(0), name: "A" },
  ]);
  if (cpuWriter) addUserThread(p, "writer", 0, [{ op: "write", addr: page(0), name: "A" }]);
  return p.w;
}

export const upgradeScenario: Scenario = {
  name: "permission-upgrade",
  summary: "page A is read-only with one user; the device reads A, then writes it: the write fault upgrades the PTE in place",
  build: (driver, kernel) => upgradeWorld(driver, kernel, false),
};

/** The same, with a CPU thread writing A too: whichever faults first upgrades the PTE. */
export const upgradeCpuScenario: Scenario = {
  name: "permission-upgrade-cpu",
  summary: "page A is read-only with one user; the device reads then writes A while a thread writes A: either write fault upgrades the PTE",
  build: (driver, kernel) => upgradeWorld(driver, kernel, true),
};

/**
 * A CPU reads A first, so its TLB caches the read-only entry; then the device reads and
 * writes A, and its page request upgrades the PTE. arm64 flushes that CPU entry in
 * ptep_set_access_flags (its TLB may cache permissions); x86 leaves it to the next fault.
 */
export const upgradeCpuCachedScenario: Scenario = {
  name: "permission-upgrade-cpu-cached",
  summary: "page A is read-only with one user and cached read-only by a CPU that read it; the device reads then writes A: the upgrade must flush the CPU's entry on arm64",
  build(driver, kernel) {
    const p = baseScenario(driver, { pages: 1, kernel });
    readOnlySingleUser(p.w);
    addUserThread(p, "reader", 0, [{ op: "read", addr: page(0), name: "A" }]);
    addDevice(p, [
      { op: "read", addr: page(0), name: "A" },
      { op: "write", addr: page(0), name: "A" },
    ]);
    return p.w;
  },
};

/**
 * A VMA of two pages; A is read-only with one user. A CPU thread writes A at an offset
 * (a page request names a page, a CPU fault the byte), so the upgrade gets an address
 * that is not page-aligned; then the device reads B and A and writes A. A notification
 * of exactly A shows only here: the other scenarios' VMA is the one page A, and their
 * faulting address is A's first byte.
 */
export const upgradeOffsetScenario: Scenario = {
  name: "permission-upgrade-offset",
  summary: "pages A and B, A read-only with one user; a thread writes A at offset 0x10, then the device reads B and A and writes A: the upgrade is for an unaligned address in a two-page VMA",
  build(driver, kernel) {
    const p = baseScenario(driver, { pages: 2, kernel });
    readOnlySingleUser(p.w);
    // Added before the device: a straight run lets the thread's fault come first.
    addUserThread(p, "writer", 0, [{ op: "write", addr: page(0) + 0x10, name: "A" }]);
    addDevice(p, [
      { op: "read", addr: page(1), name: "B" },
      { op: "read", addr: page(0), name: "A" },
      { op: "write", addr: page(0), name: "A" },
    ]);
    return p.w;
  },
};

/** A learner's file is not type-checked when graded: an arch other than these two would quietly mean "not arm64". */
function checkArch(what: string, arch: ArchName): void {
  if (arch !== "arm64" && arch !== "x86") throw new Error(`${what}: arch must be "arm64" or "x86", not ${JSON.stringify(arch)}`);
}

/**
 * The machine: an arm64 system's SMMU faults from its cached read-only entry; an x86
 * system's IOMMU re-walks the page table on a permission fault. Both are bound with a
 * correct SVA driver (optionally recording its invalidations).
 */
export function upgradeDriver(arch: ArchName, record?: RecordedInvalidation[]): DriverSpec {
  checkArch("upgradeDriver", arch);
  return eagerSvaDriver({ rewalkOnPermissionFault: arch === "x86", record, name: arch === "arm64" ? "smmu-sva" : "iommu-sva" });
}

/**
 * Kernel options for `arch`, with the learner's ptep_set_access_flags in place (or the
 * kernel's own), in the RFC's notifier model unless `notifierModel` says "v6.6".
 */
export function upgradeKernel(arch: ArchName, mod?: Pick<PermissionUpgradeModule, "ptep_set_access_flags">, notifierModel: NotifierModel = "rfc"): KernelOptions {
  checkArch("upgradeKernel", arch);
  return mod ? { arch: { arch, notifierModel }, hooks: { ptep_set_access_flags: mod.ptep_set_access_flags } } : { arch: { arch, notifierModel } };
}
