/**
 * The vendor drivers of katas 05-08. Their code is the kata's reference solution
 * (solutions/NN-slug/), loaded when asked for, or a learner's file given with --impl.
 * A student release has no solutions/, so there only --impl works.
 */
import * as fs from "fs";
import * as path from "path";
import type { DriverSpec } from "../drivers/driver";
import { amdIommuV2Driver, type AmdIommuV2Module } from "../drivers/amd_iommu_v2";
import { armSmmuV3SvaDriver, type ArmSmmuV3SvaModule } from "../drivers/arm_smmu_v3_sva";
import { intelSvmDriver, type IntelSvmModule } from "../drivers/intel_svm";
import { ocxlDriver, type OcxlModule } from "../drivers/ocxl_link";
import { loadTsModule, LoadError } from "../kata/load";
import { readKata } from "../kata/catalog";
import { UsageError } from "./errors";
import { courseRoot } from "./course";

export interface VendorDriver {
  readonly name: string;
  readonly description: string;
  /** The kata whose file provides the driver's callbacks. */
  readonly kata: string;
  make(mod: Record<string, unknown>, name: string): DriverSpec;
}

export const VENDOR_DRIVERS: readonly VendorDriver[] = [
  {
    name: "amd",
    description: "AMD IOMMU v2 (kata 05): one-page or whole-PASID flush, device IOTLB for ATS, completion wait",
    kata: "05-amd-iommu-v2",
    make: (mod, name) => amdIommuV2Driver(mod as unknown as AmdIommuV2Module, name),
  },
  {
    name: "arm",
    description: "ARM SMMUv3 SVA (kata 06): TLBI by VA unless BTM, ATC always, whole-ASID from 512 pages without RANGE_INV, CMD_SYNC",
    kata: "06-arm-smmu-v3-sva",
    make: (mod, name) => armSmmuV3SvaDriver(mod as unknown as ArmSmmuV3SvaModule, name),
  },
  {
    name: "intel",
    description: "Intel VT-d SVM (kata 07): aligned power-of-two PASID IOTLB and device-TLB invalidations under RCU, wait descriptor",
    kata: "07-intel-svm",
    make: (mod, name) => intelSvmDriver(mod as unknown as IntelSvmModule, name),
  },
  {
    name: "ocxl",
    description: "OpenCAPI (kata 08): one ATSD per page through the link's shared MMIO registers, under atsd_lock",
    kata: "08-ocxl",
    make: (mod, name) => ocxlDriver(mod as unknown as OcxlModule, name),
  },
];

function load(v: VendorDriver, file: string, name: string): DriverSpec {
  const kata = readKata(courseRoot(), v.kata);
  let mod: Record<string, unknown>;
  try {
    mod = loadTsModule(file);
  } catch (e) {
    if (e instanceof LoadError) throw new UsageError(`kata ${v.kata}: ${e.message}`);
    throw e;
  }
  const missing = kata.exports.filter((x) => mod[x] === undefined);
  if (missing.length) throw new UsageError(`kata ${v.kata}: ${path.basename(file)} does not export ${missing.join(", ")}`);
  return v.make(mod, name);
}

/** The reference driver, from solutions/. */
export function referenceDriver(v: VendorDriver): DriverSpec {
  const kata = readKata(courseRoot(), v.kata);
  if (!kata.solution || !fs.existsSync(kata.solution)) {
    throw new UsageError(
      `the reference driver '${v.name}' is not in this copy of the course (a student release has no solutions/): run your own with --impl ${path.relative(process.cwd(), kata.file)}`,
    );
  }
  return load(v, kata.solution, v.name);
}

/** A learner's file for vendor driver `v`. */
export function implDriver(v: VendorDriver, file: string): DriverSpec {
  return load(v, file, `${v.name} (${path.basename(file)})`);
}

/** The vendor whose kata folder holds `file`, if any. */
export function vendorOfFile(file: string): VendorDriver | undefined {
  const abs = path.resolve(file);
  return VENDOR_DRIVERS.find((v) => abs.startsWith(path.join(courseRoot(), "katas", v.kata) + path.sep) || abs.startsWith(path.join(courseRoot(), "solutions", v.kata) + path.sep));
}
