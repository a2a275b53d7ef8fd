/**
 * munmap(): unmap_region() order: gather, range_start, zap (flushing and freeing
 * whenever the batch fills), range_end, then free_pgtables unlinks the page tables the
 * range no longer needs and tlb_finish_mmu flushes, frees the rest and then the tables.
 */
import type { Kernel } from "./kernel";
import type { vm_area_struct } from "../mm/mm";
import { ProgramBuilder } from "../sim/program";
import { mmu_gather, tlb_finish_mmu } from "./mmu_gather";
import { zapSteps } from "./zap";
import type { mmu_notifier_range } from "../notifier/mmu_notifier";
import { MMU_NOTIFIER_RANGE_BLOCKABLE } from "../notifier/mmu_notifier";
import { hex } from "../mm/constants";
import { free_pgtables, pgtableRegions } from "./free_pgtables";

export function munmapProgram(k: Kernel, vma: vm_area_struct, start: number, end: number, batch: number, name = "munmap"): ProgramBuilder {
  const mm = vma.vm_mm;
  const tlb = new mmu_gather(k, mm, batch, `${name}.tlb`);
  const range: mmu_notifier_range = { mm, start, end, event: "MMU_NOTIFY_UNMAP", flags: MMU_NOTIFIER_RANGE_BLOCKABLE };
  const b = new ProgramBuilder(`${name} [${hex(start)}, ${hex(end)})`);
  b.step("mmap_write_lock", () => mm.mmap_lock.down_write(), () => mm.mmap_lock.available());
  b.step("tlb_gather_mmu; mmu_notifier_invalidate_range_start", () => {
    k.mn.mmu_notifier_invalidate_range_start(range);
  });
  b.append(zapSteps(k, vma, start, end, tlb, name));
  b.step("mmu_notifier_invalidate_range_end", () => {
    k.mn.mmu_notifier_invalidate_range_end(range);
  });
  const freeing = k.sim.model.freePageTables;
  const regions = freeing ? pgtableRegions(k, mm, start, end) : [];
  b.step(freeing ? "unlink vma; free_pgtables; tlb_finish_mmu: flush, free the rest and the tables" : "unlink vma; tlb_finish_mmu: flush and free the rest", () => {
    if (start <= vma.vm_start && end >= vma.vm_end) vma.unlink();
    free_pgtables(k, mm, tlb, regions, start, end);
    tlb_finish_mmu(k, tlb);
  });
  b.step("mmap_write_unlock", () => {
    mm.mmap_lock.up_write();
  });
  return b;
}
