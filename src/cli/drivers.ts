/**
 * The drivers the CLI knows, by name. Scenarios take a DriverSpec; this registry maps
 * the `--driver NAME` a user types to one. Vendor drivers are loaded from their kata's
 * reference solution only when named, so listing them costs nothing.
 */
import type { DriverSpec } from "../drivers/driver";
import { genericDrivers } from "../drivers/generic";
import { VENDOR_DRIVERS, referenceDriver } from "./vendors";

export interface DriverEntry {
  readonly name: string;
  readonly description: string;
  /** The DriverSpec; may throw a UsageError (a vendor driver missing from a student release). */
  resolve(): DriverSpec;
}

export interface DriverFamily {
  /** Shown as a group heading in `explore --list`. */
  readonly name: string;
  readonly description: string;
  readonly drivers: readonly DriverEntry[];
}

const FAMILIES: readonly DriverFamily[] = [
  {
    name: "generic",
    description: "generic SVA drivers of the first notebooks: one correct, the others wrong on purpose",
    drivers: genericDrivers.map((d) => ({ name: d.name, description: d.description, resolve: () => d })),
  },
  {
    name: "vendor",
    description: "the four drivers of katas 05-08, as their reference solutions (or your file, with --impl PATH)",
    drivers: VENDOR_DRIVERS.map((v) => ({ name: v.name, description: v.description, resolve: () => referenceDriver(v) })),
  },
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
export function allDrivers(): readonly DriverEntry[] {
  return driverFamilies().flatMap((f) => f.drivers);
}

/** The driver named `name`, loaded; undefined when there is none by that name. */
export function findDriver(name: string): DriverSpec | undefined {
  return allDrivers()
    .find((d) => d.name === name)
    ?.resolve();
}

/** The family a driver belongs to ("generic", "vendor"). */
export function familyOf(name: string): string | undefined {
  return driverFamilies().find((f) => f.drivers.some((d) => d.name === name))?.name;
}
