/**
 * Blocking waits for threads. A CPU that spins on a completion semaphore, or sleeps in
 * synchronize_srcu, stops in the middle of a step. A JavaScript call stack cannot be
 * saved and undone, so the step is resumed by running it again: its reads and writes
 * up to the wait were logged (Store's step log), and the second run is given the
 * logged reads back and skips the logged writes until it reaches the same wait. What
 * a suspended thread needs to resume (that log and the condition it waits for) is
 * interned here; the thread's state holds only the intern id, so the explorer undoes
 * and hashes it like any other slot.
 */

import type { Suspend } from "./abort";

export interface Suspension {
  readonly id: number;
  readonly codes: Int32Array;
  readonly values: Int32Array;
  /** Store.clock when the log was made (the first time). */
  readonly clock: number;
  readonly waitIndex: number;
  readonly ready: () => boolean;
  readonly what: string;
}

function mix(h: number, v: number): number {
  h = Math.imul(h ^ v, 0x9e3779b1);
  return h ^ (h >>> 15);
}

function sameLog(a: Suspension, codes: Int32Array, values: Int32Array, waitIndex: number): boolean {
  if (a.waitIndex !== waitIndex || a.codes.length !== codes.length) return false;
  for (let i = 0; i < codes.length; i++) if (a.codes[i] !== codes[i] || a.values[i] !== values[i]) return false;
  return true;
}

/**
 * The intern table. Equal logs give equal ids, so two interleavings that suspend a
 * thread the same way reach the same state. Ids start at 1 (0: not waiting).
 */
export class SuspensionTable {
  private readonly byId: Suspension[] = [];
  private readonly byHash = new Map<number, Suspension[]>();

  intern(codes: Int32Array, values: Int32Array, clock: number, s: Suspend): number {
    let h = mix(0x2545f491, s.waitIndex);
    for (let i = 0; i < codes.length; i++) h = mix(mix(h, codes[i]!), values[i]!);
    const bucket = this.byHash.get(h);
    if (bucket) for (const e of bucket) if (sameLog(e, codes, values, s.waitIndex)) return e.id;
    const e: Suspension = { id: this.byId.length + 1, codes, values, clock, waitIndex: s.waitIndex, ready: s.ready, what: s.what };
    this.byId.push(e);
    if (bucket) bucket.push(e);
    else this.byHash.set(h, [e]);
    return e.id;
  }

  get(id: number): Suspension {
    const e = this.byId[id - 1];
    if (!e) throw new Error(`no suspension ${id}`);
    return e;
  }

  get size(): number {
    return this.byId.length;
  }
}
