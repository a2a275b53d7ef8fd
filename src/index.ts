/**
 * tlbkata: a simulation of how Linux keeps device (secondary) TLBs coherent with the
 * CPU page tables through mmu_notifier's invalidate_secondary_tlbs.
 *
 * Folders: sim (state store, programs, worlds), mm (address spaces, page tables,
 * frames), locking, notifier (the mmu_notifier core), hw (CPU TLBs, IOMMUs, devices),
 * kernel (kernel paths as steps), drivers, oracle, sched (runners and explorer),
 * scenarios, cli.
 */
export { VERSION } from "./version";

export * from "./sim/store";
export { Sim, StepAbort } from "./sim/sim";
export * from "./sim/program";
export * from "./sim/world";
export * from "./sim/model-options";

export * from "./mm/constants";
export * from "./mm/pte";
export * from "./mm/frames";
export * from "./mm/pgtable";
export * from "./mm/mm";
export * from "./mm/ops";
export * from "./mm/ulong";

export * from "./locking/lock";
export { srcu_struct, rcu_head, srcuCallbackAgent } from "./locking/srcu";
export * from "./notifier/mmu_notifier";

export * from "./hw/tlb";
export * from "./hw/cmdqueue";
export * from "./hw/cpu";
export * from "./hw/iommu";
export * from "./hw/device";
export * from "./hw/generic/iommu";
export * from "./hw/amd/iommu";
export * from "./hw/arm/smmu_v3";
export * from "./hw/ocxl/link";
export * from "./hw/intel/vtd";

export * from "./kernel/kernel";
export * from "./kernel/ids";
export * from "./kernel/mmu_gather";
export * from "./kernel/zap";
export * from "./kernel/munmap";
export * from "./kernel/rmap";
export * from "./kernel/ksm";
export * from "./kernel/memory";
export * from "./kernel/mprotect";
export * from "./kernel/huge_memory";
export * from "./kernel/exit";
export * from "./kernel/oom_kill";
export * from "./kernel/fork";
export * from "./kernel/iopf";

export * from "./drivers/driver";
export * from "./drivers/generic";
export * from "./drivers/amd_iommu_v2";
export * from "./drivers/arm_smmu_v3_sva";
export * from "./drivers/ocxl_link";
export * from "./drivers/intel_svm";

export * from "./oracle/violation";
export * from "./oracle/oracle";

export * from "./sched/index";
export * from "./scenarios/index";
export * from "./scenarios/builder";
export * as course from "./course/index";

export * from "./kata/index";
export * from "./kata/worlds/index";
