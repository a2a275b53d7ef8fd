/**
 * exit_mmap(): tell every subscription the mm is going away (ops->release, after which
 * the notifiers are unhashed and see nothing more), then zap everything and free it.
 * A driver whose release leaves its device translating through this mm is caught
 * when the pages are freed.
 */
import type { Kernel } from "./kernel";
import type { mm_struct } from "../mm/mm";
import { ProgramBuilder } from "../sim/program";
import { mmu_gather, tlb_finish_mmu } from "./mmu_gather";
import { zapSteps } from "./zap";

export function exitProgram(k: Kernel, mm: mm_struct, batch: number, name = "exit"): ProgramBuilder {
  const tlb = new mmu_gather(k, mm, batch, `${name}.tlb`);
  const b = new ProgramBuilder(`${name} ${mm.name}`);
  b.step("exit_mmap: mmu_notifier_release", () => {
    mm.set_exiting();
    k.mn.__mmu_notifier_release(mm);
  });
  b.step("mmap_write_lock", () => mm.mmap_lock.down_write(), () => mm.mmap_lock.available());
  mm.vmas.forEach((vma, i) => b.append(zapSteps(k, vma, vma.vm_start, vma.vm_end, tlb, `${name}.vma${i}`)));
  b.step("tlb_finish_mmu; remove vmas", () => {
    tlb_finish_mmu(k, tlb);
    for (const v of mm.vmas) v.unlink();
  });
  b.step("mmap_write_unlock", () => {
    mm.mmap_lock.up_write();
  });
  return b;
}
