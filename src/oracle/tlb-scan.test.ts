import { expect, it } from "vitest";
import { Sim } from "../sim/sim";
import { Tlb, TlbEntryList } from "../hw/tlb";
import { mulberry32 } from "../sched/random";
import { PAGE_SIZE, PMD_SIZE } from "../mm/constants";

it("the oracle's allocation-free TLB scans agree with Tlb.entries() and entriesMapping()", () => {
  const sim = new Sim();
  const tlb = new Tlb(sim, "t", "secondary");
  const rand = mulberry32(11);
  const pick = (n: number) => Math.floor(rand() * n);
  const live = new TlbEntryList();
  for (let n = 0; n < 400; n++) {
    const tag = 1 + pick(3);
    const huge = pick(4) === 0;
    const addr = 0x40000000 + pick(4) * PMD_SIZE + (huge ? 0 : pick(8) * PAGE_SIZE);
    if (pick(3) === 0) tlb.invalidateRange(tag, addr, addr + PAGE_SIZE * (1 + pick(600)));
    else tlb.fill(tag, addr, huge ? "pmd" : "pte", 0x100 + pick(1024), pick(2) === 0, pick(5));
    const all = [...tlb.entries()];
    live.clear();
    tlb.liveEntriesInto(live);
    expect(live.n).toBe(all.length);
    all.forEach((e, i) => {
      expect([live.tags[i], live.vas[i], live.sizes[i], live.pfns[i], live.writes[i], live.gens[i], live.tlbs[i]]).toEqual([e.tag, e.va, e.size, e.pfn, e.write, e.gen, tlb]);
    });
    // The entries covering one address, in the same order, reading only those.
    const addrAt = 0x40000000 + pick(5) * PMD_SIZE + pick(600) * PAGE_SIZE;
    live.clear();
    tlb.liveEntriesCoveringInto(addrAt, live);
    const covering = all.filter((e) => e.va <= addrAt && addrAt < e.va + e.size);
    expect(Array.from({ length: live.n }, (_, i) => [live.tags[i], live.vas[i], live.sizes[i], live.pfns[i], live.gens[i]])).toEqual(covering.map((e) => [e.tag, e.va, e.size, e.pfn, e.gen]));
    const pfn = 0x100 + pick(1100);
    const nr = 1 + pick(600);
    expect(tlb.firstEntryMapping(pfn, nr)).toEqual(tlb.entriesMapping(pfn, nr).next().value ?? null);
  }
});
