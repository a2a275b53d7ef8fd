/**
 * exit_mmap(): tell every subscription the mm is going away (mmu_notifier_release:
 * each ops->release inside one SRCU read section, then every subscription unhashed,
 * then a grace period), then zap everything under mmap_lock for read, and with it held
 * for write free the page tables (free_pgtables) and free it all after the TLB flush
 * (v6.6's exit_mmap: docs/KERNEL-FACTS.md#release-exit). The release is several steps,
 * one per subscription, so the device keeps running between them, as it does on a
 * real machine. A driver whose release leaves its device translating through this mm
 * is caught when the pages are freed.
 */
import type { Kernel } from "./kernel";
import type { mm_struct } from "../mm/mm";
import { ProgramBuilder } from "../sim/program";
import { Cell } from "../sim/store";
import { mmu_gather, tlb_finish_mmu } from "./mmu_gather";
import { zapSteps } from "./zap";
import { free_pgtables, pgtableRegions } from "./free_pgtables";

export function exitProgram(k: Kernel, mm: mm_struct, batch: number, name = "exit"): ProgramBuilder {
  const tlb = new mmu_gather(k, mm, batch, `${name}.tlb`);
  const b = new ProgramBuilder(`${name} ${mm.name}`);
  // The SRCU index of the release section and the next subscription to tell: both
  // outlive a step, so they live in the store.
  const srcuIdx = new Cell(k.sim.store, `${name}.srcu_idx`);
  const next = new Cell(k.sim.store, `${name}.release_next`);
  // The first step enters the SRCU section and releases the newest subscription.
  b.step("exit_mmap: mmu_notifier_release", () => {
    mm.set_exiting();
    if (!k.mn.mm_has_notifiers(mm)) return `${name}:lock`;
    srcuIdx.value = k.mn.mn_release_begin(mm);
    next.value = 1;
    k.mn.mn_release_one(mm, 0);
    return k.mn.subscriptionCount(mm) > 1 ? undefined : `${name}:unhash`;
  });
  b.label(`${name}:release`).step("mmu_notifier_release: ops->release of the next subscription", () => {
    const i = next.value;
    next.value = i + 1;
    k.mn.mn_release_one(mm, i);
    return i + 1 < k.mn.subscriptionCount(mm) ? `${name}:release` : `${name}:unhash`;
  });
  b.label(`${name}:unhash`).step("mmu_notifier_release: unhash every subscription; srcu_read_unlock", () => {
    k.mn.mn_release_unhash(mm, srcuIdx.value);
  });
  b.step("mmu_notifier_release: synchronize_srcu", () => k.mn.srcu.synchronize_srcu());
  // unmap_vmas runs under mmap_lock for read (the oom reaper may be zapping too); the
  // write lock is taken only to free the page tables and the VMAs.
  b.label(`${name}:lock`).step("mmap_read_lock", () => mm.mmap_lock.down_read(), () => mm.mmap_lock.readAvailable());
  mm.vmas.forEach((vma, i) => b.append(zapSteps(k, vma, vma.vm_start, vma.vm_end, tlb, `${name}.vma${i}`)));
  b.step("mmap_read_unlock", () => mm.mmap_lock.up_read());
  b.step("mmap_write_lock", () => mm.mmap_lock.down_write(), () => mm.mmap_lock.available());
  // exit_mmap(): unmap_vmas, then free_pgtables over all of user space, then
  // tlb_finish_mmu, then the VMAs go (mm/mmap.c).
  const freeing = k.sim.model.freePageTables;
  const regions = freeing ? pgtableRegions(k, mm, 0, 0, true) : [];
  b.step(freeing ? "free_pgtables; tlb_finish_mmu; remove vmas" : "tlb_finish_mmu; remove vmas", () => {
    free_pgtables(k, mm, tlb, regions, 0, Number.POSITIVE_INFINITY);
    tlb_finish_mmu(k, tlb);
    for (const v of mm.vmas) v.unlink();
  });
  b.step("mmap_write_unlock", () => {
    mm.mmap_lock.up_write();
  });
  return b;
}
