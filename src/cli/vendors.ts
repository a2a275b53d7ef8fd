/**
 * The vendor drivers of katas 05-08. Their code is the kata's reference solution
 * (solutions/NN-slug/), loaded when asked for, or a learner's file given with --impl.
 * A student release has no solutions/, so there only --impl works.
 */
import * as fs from "fs";
import * as path from "path";
import type { DriverSpec } from "../drivers/driver";
import { amdIommuV2Driver, type AmdIommuV2Module } from "../drivers/amd_iommu_v2";
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
