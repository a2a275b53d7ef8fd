/**
 * The worlds of single katas: what each kata plugs into the simulation and tests
 * with, one file per kata named by the kata's directory. Parts several katas share sit
 * in shared/. The vendor katas' worlds are the drivers themselves:
 *
 *   02-notifier-core            02-notifier-core.ts (+ shared/pluggable-core, shared/probe-driver)
 *   02-register-rules           02-register-rules.ts (+ shared/pluggable-core)
 *   03-start-end-is-not-enough  03-start-end-is-not-enough.ts
 *   04-range-end                04-range-end.ts (+ shared/pluggable-core, shared/probe-driver)
 *   04-clear-flush-notify       04-clear-flush-notify.ts (+ shared/eager-iommu)
 *   04-call-sites               04-call-sites.ts (+ shared/eager-iommu)
 *   04-rename-migration         04-rename-migration.ts
 *   05-amd-iommu-v2             src/drivers/amd_iommu_v2.ts, src/hw/amd/
 *   06-arm-smmu-v3-sva          src/drivers/arm_smmu_v3_sva.ts, src/hw/arm/
 *   07-intel-svm                src/drivers/intel_svm.ts, src/hw/intel/
 *   08-ocxl                     src/drivers/ocxl_link.ts, src/hw/ocxl/
 *   11-permission-upgrade       11-permission-upgrade.ts (+ shared/eager-iommu)
 */
export type { KernelHooks, ClearFlushNotify } from "../../kernel/hooks";
export * from "./shared/pluggable-core";
export * from "./shared/probe-driver";
export * from "./shared/eager-iommu";
export * from "./02-notifier-core";
export * from "./02-register-rules";
export * from "./03-start-end-is-not-enough";
export * from "./04-range-end";
export * from "./04-clear-flush-notify";
export * from "./04-call-sites";
export * from "./04-rename-migration";
export * from "./11-permission-upgrade";
