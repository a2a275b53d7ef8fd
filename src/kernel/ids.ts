/**
 * Where the identifiers of a simulated machine come from: PASIDs, domain ids, arm64
 * ASIDs, PCI requester ids (AMD device ids, SMMU StreamIDs, VT-d source ids) and the
 * powerpc mm context ids (the PID an OpenCAPI shootdown names).
 *
 * With `distinctIds` on, each family is drawn from a range of its own, so no two
 * families ever share a value: a driver that passes a PASID where a domain id belongs,
 * or an ASID where a PASID belongs, names something that does not exist and its
 * invalidation misses. With `idSeed` set as well, the values inside each range are
 * drawn from that seed (the same seed gives the same machine). With `distinctIds` off,
 * every caller gets back the small number of the first model (PASID 1, domain 1,
 * ASID = mm id, ...), under which such swaps go unseen.
 */
import type { Sim } from "../sim/sim";
import { mulberry32 } from "../sched/random";

export type IdFamily = "pasid" | "domain id" | "asid" | "devid" | "context id";

export interface IdRange {
  /** Smallest value (inclusive). */
  readonly first: number;
  /** Largest value (inclusive). */
  readonly last: number;
  /** Values are multiples of this apart: 8 for requester ids (one PCI device, function 0). */
  readonly step: number;
}

/**
 * The ranges, disjoint, each within the field its hardware gives it
 * (docs/KERNEL-FACTS.md#id-widths): PASIDs fit an OpenCAPI PE handle (15 bits), ASIDs
 * 16 bits (ARM's are 8 or 16: the model assumes 16), domain ids 16 bits, requester ids a 16-bit bus/device/function, context ids
 * powerpc's 20-bit PID. Traces print PASIDs,
 * ASIDs and PIDs in decimal and domain and requester ids in hex, so each range starts
 * at a number that reads plainly the way it is printed. VT-d's SVA domain id is not
 * drawn: intel_svm_bind_mm gives every first-level PASID entry the reserved domain id
 * FLPT_DEFAULT_DID, 1 (hw/intel/vtd.ts; docs/KERNEL-FACTS.md#flpt-default-did), which
 * is in no range below.
 */
export const ID_RANGES: Readonly<Record<IdFamily, IdRange>> = Object.freeze({
  pasid: { first: 1001, last: 1999, step: 1 },
  "context id": { first: 2001, last: 2999, step: 1 },
  asid: { first: 3001, last: 3999, step: 1 },
  "domain id": { first: 0x5001, last: 0x5fff, step: 1 },
  devid: { first: 0x6008, last: 0x6ff8, step: 8 },
});

interface FamilyState {
  next: number;
  readonly used: Set<number>;
}

interface MachineIds {
  readonly rand: (() => number) | null;
  readonly families: Map<IdFamily, FamilyState>;
}

const machines = new WeakMap<Sim, MachineIds>();

function machine(sim: Sim): MachineIds {
  let m = machines.get(sim);
  if (!m) {
    const seed = sim.model.idSeed;
    machines.set(sim, (m = { rand: seed === undefined ? null : mulberry32(seed), families: new Map() }));
  }
  return m;
}

/**
 * The next identifier of `family` on this machine. `old` is what the first model used
 * at this place, returned unchanged when `distinctIds` is off.
 */
export function nextId(sim: Sim, family: IdFamily, old: number): number {
  if (!sim.model.distinctIds) return old;
  const m = machine(sim);
  const r = ID_RANGES[family];
  let f = m.families.get(family);
  if (!f) m.families.set(family, (f = { next: r.first, used: new Set() }));
  const count = Math.floor((r.last - r.first) / r.step) + 1;
  if (f.used.size >= count) throw new RangeError(`no ${family} left: all ${count} of its range are in use`);
  let v: number;
  if (m.rand) {
    // Drawn from the seed, without repeats inside the family.
    do v = r.first + Math.floor(m.rand() * count) * r.step;
    while (f.used.has(v));
  } else {
    v = f.next;
    f.next += r.step;
  }
  f.used.add(v);
  return v;
}
