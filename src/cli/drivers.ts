/**
 * The drivers the CLI knows, by name. Scenarios take a DriverSpec; this registry maps
 * the `--driver NAME` a user types to one.
 */
import type { DriverSpec } from "../drivers/driver";
import { genericDrivers } from "../drivers/generic";

export interface DriverFamily {
  /** Shown as a group heading in `explore --list`. */
  readonly name: string;
  readonly description: string;
  readonly drivers: readonly DriverSpec[];
}

const FAMILIES: readonly DriverFamily[] = [
  {
    name: "generic",
    description: "generic SVA drivers of the first notebooks: one correct, the others wrong on purpose",
    drivers: genericDrivers,
  },
  // Vendor drivers go here, one family per file under src/drivers/, e.g.
  //   { name: "arm-smmu-v3", description: "...", drivers: armSmmuV3Drivers },
  //   { name: "intel-iommu", description: "...", drivers: intelDrivers },
  //   { name: "amd-iommu",   description: "...", drivers: amdDrivers },
  // Driver names must be unique across all families (allDrivers() checks).
];

let checked = false;

function checkUnique(): void {
  if (checked) return;
  const seen = new Map<string, string>();
  for (const f of FAMILIES) {
    for (const d of f.drivers) {
      const other = seen.get(d.name);
      if (other !== undefined) {
        throw new Error(`driver name '${d.name}' is registered twice (families ${other} and ${f.name})`);
      }
      seen.set(d.name, f.name);
    }
  }
  checked = true;
}

export function driverFamilies(): readonly DriverFamily[] {
  checkUnique();
  return FAMILIES;
}

/** Every registered driver, family by family, in registration order. */
export function allDrivers(): readonly DriverSpec[] {
  return driverFamilies().flatMap((f) => f.drivers);
}

export function findDriver(name: string): DriverSpec | undefined {
  return allDrivers().find((d) => d.name === name);
}

/** The family a driver belongs to ("generic", later vendor names). */
export function familyOf(name: string): string | undefined {
  return driverFamilies().find((f) => f.drivers.some((d) => d.name === name))?.name;
}
